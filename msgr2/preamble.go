package msgr2

import (
	"encoding/binary"

	"github.com/kelp-ceph/kelp/encoding"
)

// Frame layout constants (src/msg/async/frames_v2.h, net/ceph/messenger_v2.c).
const (
	maxSegments    = 4
	preambleLen    = 32 // preamble_block_t
	crcLen         = 4
	gcmTagLen      = 16
	gcmBlockLen    = 16 // CRYPTO_BLOCK_SIZE: secure mode pads segments to it
	inlineLen      = 48 // FRAME_PREAMBLE_INLINE_SIZE (msgr2.1 secure)
	epilogueCRC0   = 1 + 4*4
	epilogueCRC1   = 1 + 3*4
	epilogueSecure = 16

	// Late status (msgr2.1) and late flags (msgr2.0) of the epilogue.
	lateStatusAborted  = 0x1
	lateStatusComplete = 0xe
	lateStatusMask     = 0xf
	lateFlagAborted    = 0x1

	// Preamble flags byte (Quincy): segments are compressed.
	frameFlagCompressed = 0x1

	// Segment alignments Ceph announces (segment_t::DEFAULT_ALIGNMENT is
	// sizeof(void*), the data segment asks for page alignment).
	alignDefault = 8
	alignPage    = 4096
)

// preamble is preamble_block_t: the tag, the segment count, four
// {length, alignment} descriptors, the flags byte (reserved before
// Quincy), a reserved byte and a crc32c (seed 0) of the first 28 bytes.
type preamble struct {
	tag    Tag
	nsegs  int
	lens   [maxSegments]uint32
	aligns [maxSegments]uint16
	flags  uint8
}

func (p *preamble) encode(b []byte) {
	_ = b[preambleLen-1]
	clear(b[:preambleLen])
	b[0] = byte(p.tag)
	b[1] = byte(p.nsegs)
	for i := 0; i < p.nsegs; i++ {
		binary.LittleEndian.PutUint32(b[2+6*i:], p.lens[i])
		binary.LittleEndian.PutUint16(b[6+6*i:], p.aligns[i])
	}
	b[26] = p.flags
	binary.LittleEndian.PutUint32(b[28:], encoding.CRC32C(0, b[:28]))
}

// decodePreamble validates a preamble in the kernel's fixed order: crc,
// segment count, then each length against its limit.
func decodePreamble(b []byte, limits *[maxSegments]uint32) (preamble, error) {
	var p preamble
	if got, want := encoding.CRC32C(0, b[:28]), binary.LittleEndian.Uint32(b[28:]); got != want {
		return p, integrityErr("bad preamble crc: computed %#x, frame says %#x", got, want)
	}
	p.tag = Tag(b[0])
	if !p.tag.known() {
		return p, protoErr("unknown frame tag %d", b[0])
	}
	p.nsegs = int(b[1])
	if p.nsegs < 1 || p.nsegs > maxSegments {
		return p, protoErr("bad segment count %d", p.nsegs)
	}
	for i := 0; i < p.nsegs; i++ {
		p.lens[i] = binary.LittleEndian.Uint32(b[2+6*i:])
		p.aligns[i] = binary.LittleEndian.Uint16(b[6+6*i:])
		if p.lens[i] > limits[i] {
			return p, protoErr("%s segment %d length %d over limit %d", p.tag, i, p.lens[i], limits[i])
		}
	}
	p.flags = b[26]
	return p, nil
}

func padded(n int) int { return (n + gcmBlockLen - 1) &^ (gcmBlockLen - 1) }

// The on-wire length functions below are pure: given the logical segment
// lengths they say how many bytes a frame occupies in each mode, exactly as
// FrameAssembler::get_*_onwire_len (frames_v2.h) does. The framer reads and
// writes by them; tests check written frames against them.

// preambleOnwireLen is the preamble's size, with the inline buffer and its
// tag in msgr2.1 secure mode.
func preambleOnwireLen(secure, rev1 bool) int {
	if secure && rev1 {
		return preambleLen + inlineLen + gcmTagLen
	}
	return preambleLen
}

// segmentOnwireLen is the size of segment i of length n.
func segmentOnwireLen(i, n int, secure, rev1 bool) int {
	if secure {
		p := padded(n)
		if rev1 && i == 0 {
			if p > inlineLen {
				return p - inlineLen + gcmTagLen
			}
			return 0
		}
		return p
	}
	if rev1 && i == 0 && n > 0 {
		return n + crcLen
	}
	return n
}

// epilogueOnwireLen is the epilogue's size for a frame of nsegs segments.
func epilogueOnwireLen(nsegs int, secure, rev1 bool) int {
	if rev1 && nsegs == 1 {
		return 0
	}
	if secure {
		return epilogueSecure + gcmTagLen
	}
	if rev1 {
		return epilogueCRC1
	}
	return epilogueCRC0
}

// frameOnwireLen is a whole frame's size on the wire.
func frameOnwireLen(lens []int, secure, rev1 bool) int {
	n := preambleOnwireLen(secure, rev1)
	for i, l := range lens {
		n += segmentOnwireLen(i, l, secure, rev1)
	}
	return n + epilogueOnwireLen(len(lens), secure, rev1)
}

// segmentCount is the number of segments a frame with these lengths
// carries: trailing empty segments are dropped, but a frame always has one.
func segmentCount(lens []int) int {
	for i := len(lens) - 1; i > 0; i-- {
		if lens[i] != 0 {
			return i + 1
		}
	}
	return 1
}
