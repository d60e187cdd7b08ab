package msgr2

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// CompressionMethod is Ceph's Compressor::CompressionAlgorithm
// (src/compressor/Compressor.h) as COMPRESSION_REQUEST/DONE carry it.
type CompressionMethod uint32

const (
	CompressNone   CompressionMethod = 0
	CompressSnappy CompressionMethod = 1
	CompressZlib   CompressionMethod = 2
	CompressZstd   CompressionMethod = 3
	CompressLZ4    CompressionMethod = 4
)

func (m CompressionMethod) String() string {
	switch m {
	case CompressNone:
		return "none"
	case CompressSnappy:
		return "snappy"
	case CompressZlib:
		return "zlib"
	case CompressZstd:
		return "zstd"
	case CompressLZ4:
		return "lz4"
	}
	return fmt.Sprintf("compressor(%d)", uint32(m))
}

// ParseCompressionMethod maps Ceph's option spelling to a method.
func ParseCompressionMethod(s string) (CompressionMethod, bool) {
	for m := CompressNone; m <= CompressLZ4; m++ {
		if m.String() == strings.TrimSpace(s) {
			return m, true
		}
	}
	return 0, false
}

func (m CompressionMethod) supported() bool { return m >= CompressSnappy && m <= CompressLZ4 }

// compression is a connection's negotiated on-wire compression
// (src/msg/async/compression_onwire.cc): rx is set whenever a method was
// agreed, tx only when this side compresses what it sends.
type compression struct {
	method  CompressionMethod
	minSize int
	tx, rx  bool
}

// compressSegments compresses every segment of a frame whose logical size
// reaches the threshold, as FrameAssembler::asm_compress does; it gives up
// (ok false) when compression fails or does not make the frame smaller.
func (c *compression) compressSegments(segs [][]byte, out *[maxSegments][]byte) ([][]byte, bool) {
	total := 0
	for _, s := range segs {
		total += len(s)
	}
	if total < c.minSize {
		return nil, false
	}
	onwire := 0
	for i, s := range segs {
		o, err := compressBlock(c.method, s)
		if err != nil {
			return nil, false
		}
		out[i] = o
		onwire += len(o)
	}
	if onwire >= total {
		return nil, false
	}
	return out[:len(segs)], true
}

// decompressFrame replaces each segment with its decompressed form, bounded
// by the segment limits.
func (c *compression) decompressFrame(fr *Frame, limits *[maxSegments]uint32) error {
	for i := 0; i < fr.NumSegs; i++ {
		if len(fr.Segments[i]) == 0 {
			continue
		}
		d, err := decompressBlock(c.method, fr.Segments[i], int(limits[i]))
		if err != nil {
			return protoErr("%s segment %d: %v", c.method, i, err)
		}
		fr.Segments[i] = d
	}
	return nil
}

var zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))

// compressBlock compresses one segment in the stream format of Ceph's
// compressor plug-ins: raw snappy; zlib as one variation-mark byte (0)
// followed by raw deflate (ZlibCompressor, compressor_zlib_winsize -15); a
// u32 original length followed by a zstd frame (ZstdCompressor); lz4 as a
// u32 block count, {u32 original, u32 compressed} lengths per block and
// the blocks (LZ4Compressor).
func compressBlock(m CompressionMethod, src []byte) ([]byte, error) {
	if len(src) == 0 {
		return nil, nil
	}
	switch m {
	case CompressSnappy:
		return snappy.Encode(nil, src), nil
	case CompressZlib:
		var b bytes.Buffer
		b.WriteByte(0)
		w, err := flate.NewWriter(&b, 5)
		if err != nil {
			return nil, err
		}
		w.Write(src)
		if err := w.Close(); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	case CompressZstd:
		out := binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(src)/2), uint32(len(src)))
		return zstdEnc.EncodeAll(src, out), nil
	case CompressLZ4:
		dst := make([]byte, 12+lz4.CompressBlockBound(len(src)))
		var c lz4.Compressor
		n, err := c.CompressBlock(src, dst[12:])
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("lz4: incompressible")
		}
		binary.LittleEndian.PutUint32(dst, 1)
		binary.LittleEndian.PutUint32(dst[4:], uint32(len(src)))
		binary.LittleEndian.PutUint32(dst[8:], uint32(n))
		return dst[:12+n], nil
	}
	return nil, fmt.Errorf("unsupported compressor %s", m)
}

var zstdDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))

// decompressBlock undoes compressBlock, refusing output over limit bytes
// before allocating it.
func decompressBlock(m CompressionMethod, src []byte, limit int) ([]byte, error) {
	switch m {
	case CompressSnappy:
		n, err := snappy.DecodedLen(src)
		if err != nil {
			return nil, err
		}
		if n > limit {
			return nil, fmt.Errorf("decompresses to %d bytes, limit %d", n, limit)
		}
		return snappy.Decode(nil, src)
	case CompressZlib:
		if len(src) < 1 {
			return nil, fmt.Errorf("zlib stream without variation mark")
		}
		r := flate.NewReader(bytes.NewReader(src[1:]))
		defer r.Close()
		out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
		if err != nil {
			return nil, err
		}
		if len(out) > limit {
			return nil, fmt.Errorf("decompresses to more than %d bytes", limit)
		}
		return out, nil
	case CompressZstd:
		if len(src) < 4 {
			return nil, fmt.Errorf("zstd length prefix truncated")
		}
		want := binary.LittleEndian.Uint32(src)
		if uint64(want) > uint64(limit) {
			return nil, fmt.Errorf("decompresses to %d bytes, limit %d", want, limit)
		}
		out, err := decompressZstd(src[4:], int(want))
		if err != nil {
			return nil, err
		}
		if len(out) != int(want) {
			return nil, fmt.Errorf("zstd: %d bytes, prefix says %d", len(out), want)
		}
		return out, nil
	case CompressLZ4:
		if len(src) < 4 {
			return nil, fmt.Errorf("lz4 header truncated")
		}
		count := binary.LittleEndian.Uint32(src)
		if uint64(count)*8 > uint64(len(src)-4) {
			return nil, fmt.Errorf("lz4 block count %d too large", count)
		}
		total := uint64(0)
		hdr := src[4 : 4+8*int(count)]
		body := src[4+8*int(count):]
		for i := 0; i < int(count); i++ {
			total += uint64(binary.LittleEndian.Uint32(hdr[8*i:]))
		}
		if total > uint64(limit) {
			return nil, fmt.Errorf("decompresses to %d bytes, limit %d", total, limit)
		}
		out := make([]byte, total)
		off := 0
		for i := 0; i < int(count); i++ {
			orig := int(binary.LittleEndian.Uint32(hdr[8*i:]))
			clen := int(binary.LittleEndian.Uint32(hdr[8*i+4:]))
			if clen > len(body) {
				return nil, fmt.Errorf("lz4 block %d truncated", i)
			}
			// Blocks form one stream: earlier output is the dictionary.
			n, err := lz4.UncompressBlockWithDict(body[:clen], out[off:off+orig], out[:off])
			if err != nil {
				return nil, err
			}
			if n != orig {
				return nil, fmt.Errorf("lz4 block %d: %d bytes, header says %d", i, n, orig)
			}
			off += orig
			body = body[clen:]
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported compressor %s", m)
}

// decompressZstd decodes one zstd frame of at most limit bytes. A frame
// header announcing more is refused before decoding; the shared decoder's
// memory cap (64 MiB) bounds frames that announce nothing.
func decompressZstd(src []byte, limit int) ([]byte, error) {
	var h zstd.Header
	if err := h.Decode(src); err != nil {
		return nil, err
	}
	if h.HasFCS && h.FrameContentSize > uint64(limit) {
		return nil, fmt.Errorf("zstd frame content size %d over %d", h.FrameContentSize, limit)
	}
	out, err := zstdDec.DecodeAll(src, make([]byte, 0, limit))
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, fmt.Errorf("decompresses to more than %d bytes", limit)
	}
	return out, nil
}
