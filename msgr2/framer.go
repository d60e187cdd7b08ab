package msgr2

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"sync"

	"github.com/kelp-ceph/kelp/encoding"
)

// Frame is one frame read off the wire. Its segments alias a buffer the
// Framer allocated for this frame alone, so they stay valid after the next
// ReadFrame and belong to the caller.
type Frame struct {
	Tag      Tag
	Segments [maxSegments][]byte
	NumSegs  int
}

// Framer reads and writes msgr2 frames on one connection, the counterpart
// of Ceph's FrameAssembler (src/msg/async/frames_v2.cc): crc or secure
// mode, msgr2.0 or msgr2.1 layouts, optional compression. It does no
// locking: one goroutine reads and one writes.
type Framer struct {
	conn io.ReadWriter
	r    *frameReader // nil while idle: see releaseReader

	rev1   bool
	rx, tx *gcmHalf // nil in crc mode
	comp   *compression

	// limits bounds each segment a peer may announce; before
	// authentication they keep a stranger's frames small.
	limits [maxSegments]uint32

	// The handshake's transcript, for AUTH_SIGNATURE; nil once the
	// session is established.
	rec *transcript

	wbuf []byte
	iov  net.Buffers

	// While corked, small frames are gathered in out and leave in one
	// write at uncork: a batch of replies costs one syscall.
	corked bool
	out    []byte

	// AllowIllegalWrites lets tests send frames that break the spec
	// (http2.Framer.AllowIllegalWrites): WriteFrame does not trim or check.
	AllowIllegalWrites bool
	// corrupt, when set by tests, mangles the next written frame.
	corrupt func([]byte)
}

// preAuthLimits bound frames before authentication completes: one control
// segment, small enough that a stranger cannot make us allocate much.
var preAuthLimits = [maxSegments]uint32{64 << 10, 0, 0, 0}

// NewFramer returns a crc-mode Framer on rw with pre-authentication limits.
func NewFramer(rw io.ReadWriter) *Framer {
	return &Framer{conn: rw, limits: preAuthLimits}
}

// readBufSize is the read buffer of a Framer that is reading; an idle one
// holds none (see releaseReader).
const readBufSize = 32 << 10

// frameReader is what a Framer needs while it reads: the read buffer and
// room for a preamble, an inline segment and a tag.
type frameReader struct {
	bufio.Reader
	pre [preambleLen + inlineLen + gcmTagLen]byte
}

// readers holds the frameReaders of idle Framers: an established session
// waiting for its peer costs no buffer.
var readers = sync.Pool{New: func() any {
	return &frameReader{Reader: *bufio.NewReaderSize(nil, readBufSize)}
}}

// reader returns the Framer's frameReader, taking one from the pool when
// it holds none.
func (f *Framer) reader() *frameReader {
	if f.r == nil {
		f.r = readers.Get().(*frameReader)
		f.r.Reset(f.conn)
	}
	return f.r
}

// transcript is every byte a handshake read and wrote, for the
// AUTH_SIGNATURE HMACs (ProtocolV2 pre_auth.rxbuf/txbuf).
type transcript struct {
	rx, tx []byte
	on     bool // still recording
}

// releaseReader gives the read buffer back to the pool and lets go of the
// receiving AES-GCM instance when no unread bytes are buffered, and
// reports whether it did.
func (f *Framer) releaseReader() bool {
	if f.r != nil {
		if f.r.Buffered() > 0 {
			return false
		}
		f.r.Reset(nil)
		readers.Put(f.r)
		f.r = nil
	}
	if f.rx != nil {
		f.rx.idle()
	}
	return true
}

// SetRev1 switches between msgr2.0 and msgr2.1 layouts.
func (f *Framer) SetRev1(rev1 bool) { f.rev1 = rev1 }

// SetLimits sets the largest segment lengths ReadFrame accepts.
func (f *Framer) SetLimits(l [maxSegments]uint32) { f.limits = l }

// startSecure switches both directions to secure mode.
func (f *Framer) startSecure(secret []byte, client bool) error {
	rx, tx, err := newSecurePair(secret, client, f.rev1)
	if err != nil {
		return err
	}
	f.rx, f.tx = rx, tx
	return nil
}

func (f *Framer) secure() bool { return f.tx != nil }

func (f *Framer) startRecording() { f.rec = &transcript{on: true} }
func (f *Framer) stopRecording()  { f.rec.on = false }
func (f *Framer) recording() bool { return f.rec != nil && f.rec.on }

// readFull reads exactly len(b) bytes.
func (f *Framer) readFull(b []byte) error {
	if _, err := io.ReadFull(f.reader(), b); err != nil {
		if err == io.ErrUnexpectedEOF {
			return protoErr("truncated frame: %v", err)
		}
		return err
	}
	if f.recording() {
		f.rec.rx = append(f.rec.rx, b...)
	}
	return nil
}

func (f *Framer) write(bufs net.Buffers) error {
	if f.recording() {
		for _, b := range bufs {
			f.rec.tx = append(f.rec.tx, b...)
		}
	}
	if f.corrupt != nil && len(bufs) > 0 {
		f.corrupt(bufs[0])
		f.corrupt = nil
	}
	if f.corked {
		n := 0
		for _, b := range bufs {
			n += len(b)
		}
		if len(f.out)+n <= corkLimit {
			if f.out == nil {
				f.out = writeBuf()
			}
			for _, b := range bufs {
				f.out = append(f.out, b...)
			}
			return nil
		}
		if err := f.flushOut(); err != nil {
			return err
		}
	}
	if w, ok := f.conn.(buffersWriter); ok {
		_, err := w.writeBuffers(bufs)
		return err
	}
	_, err := bufs.WriteTo(f.conn)
	return err
}

// buffersWriter gathers buffers into one write (rawSock).
type buffersWriter interface {
	writeBuffers(net.Buffers) (int, error)
}

// corkLimit bounds what a corked Framer gathers before writing; bigger
// frames go out by reference, as uncorked.
const corkLimit = 64 << 10

// cork starts gathering small frames; uncork writes them.
func (f *Framer) cork() { f.corked = true }

func (f *Framer) uncork() error {
	f.corked = false
	return f.flushOut()
}

// writeBufs holds the write buffers of idle Framers.
var writeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// writeBuf returns an empty buffer from the pool for wbuf or out.
func writeBuf() []byte { return (*writeBufs.Get().(*[]byte))[:0] }

// releaseWriteBufs gives the frame and cork buffers back to the pool; the
// writer calls it when it has nothing left to send.
func (f *Framer) releaseWriteBufs() {
	for _, b := range []*[]byte{&f.wbuf, &f.out} {
		if c := cap(*b); c > 0 && c <= corkLimit {
			buf := (*b)[:0]
			writeBufs.Put(&buf)
		}
		*b = nil
	}
	f.iov = nil
	if f.tx != nil {
		f.tx.idle()
	}
}

// tryFlushOut writes what cork gathered as far as the socket takes it
// without waiting, keeping the rest for flushOut. It reports whether
// everything went.
func (f *Framer) tryFlushOut() (bool, error) {
	if len(f.out) == 0 {
		return true, nil
	}
	tw, ok := f.conn.(noWaitWriter)
	if !ok {
		return false, nil
	}
	n, err := tw.writeNoWait(f.out)
	if err != nil {
		return false, err
	}
	f.out = f.out[:copy(f.out, f.out[n:])]
	return len(f.out) == 0, nil
}

// noWaitWriter writes what a socket takes at once (rawSock).
type noWaitWriter interface {
	writeNoWait(b []byte) (int, error)
}

func (f *Framer) flushOut() error {
	if len(f.out) == 0 {
		return nil
	}
	_, err := f.conn.Write(f.out)
	if cap(f.out) > corkLimit {
		f.out = nil
	} else {
		f.out = f.out[:0]
	}
	return err
}

// WriteBanner and ReadBanner exchange banners through the recorder.
func (f *Framer) WriteBanner(supported, required uint64) error {
	f.wbuf = appendBanner(f.wbuf[:0], supported, required)
	return f.write(net.Buffers{f.wbuf})
}

func (f *Framer) ReadBanner() (supported, required uint64, err error) {
	return readBanner(f.readFull)
}

// WriteFrame writes one frame whose segments are segs; trailing empty
// segments are not sent. Segment alignments are the ones Ceph announces.
func (f *Framer) WriteFrame(tag Tag, segs ...[]byte) error {
	if len(segs) == 0 || len(segs) > maxSegments {
		return protoErr("frame with %d segments", len(segs))
	}
	var lens [maxSegments]int
	for i, s := range segs {
		lens[i] = len(s)
	}
	n := len(segs)
	if !f.AllowIllegalWrites {
		n = segmentCount(lens[:n])
	}
	p := preamble{tag: tag, nsegs: n}
	for i := 0; i < n; i++ {
		p.aligns[i] = alignDefault
	}
	if tag == TagMessage && n == maxSegments {
		p.aligns[3] = alignPage
	}
	var cseg [maxSegments][]byte
	if f.comp != nil && f.comp.tx {
		if out, ok := f.comp.compressSegments(segs[:n], &cseg); ok {
			segs = out
			p.flags |= frameFlagCompressed
		}
	}
	for i := 0; i < n; i++ {
		p.lens[i] = uint32(len(segs[i]))
	}
	switch {
	case f.secure() && f.rev1:
		return f.writeSecureRev1(&p, segs[:n])
	case f.secure():
		return f.writeSecureRev0(&p, segs[:n])
	default:
		return f.writeCRC(&p, segs[:n])
	}
}

// bigSegment is the size above which a crc-mode segment is handed to
// writev rather than copied into the frame buffer.
const bigSegment = 16 << 10

func (f *Framer) writeCRC(p *preamble, segs [][]byte) error {
	// Size the frame buffer for everything copied into it, so appends
	// never move it and big segments can sit between its pieces.
	small := preambleLen + crcLen + epilogueCRC0
	for _, s := range segs {
		if len(s) < bigSegment {
			small += len(s)
		}
	}
	f.wbuf = f.frameBuf(small)
	buf := f.wbuf[:0]
	iov := f.iov[:0]
	buf = buf[:preambleLen]
	p.encode(buf)
	// add appends a segment, by reference when it is big.
	add := func(s []byte) {
		if len(s) < bigSegment {
			buf = append(buf, s...)
			return
		}
		iov = append(iov, buf, s)
		buf = buf[len(buf):]
	}
	first := 0
	if f.rev1 {
		if len(segs[0]) > 0 {
			add(segs[0])
			buf = binary.LittleEndian.AppendUint32(buf, encoding.CRC32C(^uint32(0), segs[0]))
		}
		first = 1
	}
	if !f.rev1 || len(segs) > 1 {
		for _, s := range segs[first:] {
			add(s)
		}
		if f.rev1 {
			buf = append(buf, lateStatusComplete)
		} else {
			buf = append(buf, 0)
		}
		for i := first; i < maxSegments; i++ {
			var c uint32
			if i < len(segs) {
				c = encoding.CRC32C(^uint32(0), segs[i])
			}
			buf = binary.LittleEndian.AppendUint32(buf, c)
		}
	}
	iov = append(iov, buf)
	f.iov = iov[:0]
	return f.write(iov)
}

// frameBuf returns the frame buffer, emptied, with room for n bytes.
func (f *Framer) frameBuf(n int) []byte {
	if f.wbuf == nil {
		f.wbuf = writeBuf()
	}
	return grow(f.wbuf[:0], n)
}

// grow returns b with room for n more bytes.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), 2*cap(b)+n)
	copy(nb, b)
	return nb
}

// appendPadded appends s and zero padding to a GCM block boundary.
func appendPadded(b, s []byte) []byte {
	b = append(b, s...)
	for i := len(s); i < padded(len(s)); i++ {
		b = append(b, 0)
	}
	return b
}

// sealFrom encrypts b[start:] in place and appends the tag.
func (f *Framer) sealFrom(b []byte, start int) ([]byte, error) {
	b = grow(b, gcmTagLen)
	out, err := f.tx.seal(b[start:])
	if err != nil {
		return nil, err
	}
	return b[:start+len(out)], nil
}

func tailPlainLen(segs [][]byte) int {
	n := epilogueSecure
	for _, s := range segs {
		n += padded(len(s))
	}
	return n
}

func (f *Framer) writeSecureRev1(p *preamble, segs [][]byte) error {
	size := frameOnwireLen(lensOf(segs), true, true)
	buf := f.frameBuf(size + gcmTagLen)
	buf = buf[:preambleLen+inlineLen]
	p.encode(buf)
	s0 := segs[0]
	inl := min(len(s0), inlineLen)
	copy(buf[preambleLen:], s0[:inl])
	clear(buf[preambleLen+inl:])
	var err error
	if buf, err = f.sealFrom(buf, 0); err != nil {
		return err
	}
	if len(s0) > inlineLen {
		start := len(buf)
		buf = appendPadded(buf, s0[inlineLen:])
		if buf, err = f.sealFrom(buf, start); err != nil {
			return err
		}
	}
	if len(segs) > 1 {
		start := len(buf)
		for _, s := range segs[1:] {
			buf = appendPadded(buf, s)
		}
		buf = append(buf, lateStatusComplete, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
		if buf, err = f.sealFrom(buf, start); err != nil {
			return err
		}
	}
	f.wbuf = buf[:0]
	return f.write(net.Buffers{buf})
}

func (f *Framer) writeSecureRev0(p *preamble, segs [][]byte) error {
	size := frameOnwireLen(lensOf(segs), true, false)
	buf := f.frameBuf(size)
	buf = buf[:preambleLen]
	p.encode(buf)
	for _, s := range segs {
		buf = appendPadded(buf, s)
	}
	buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	buf, err := f.sealFrom(buf, 0)
	if err != nil {
		return err
	}
	f.wbuf = buf[:0]
	return f.write(net.Buffers{buf})
}

func lensOf(segs [][]byte) []int {
	l := make([]int, 0, maxSegments)
	for _, s := range segs {
		l = append(l, len(s))
	}
	return l
}

// ReadFrame reads the next frame, verifying its crcs or auth tags and
// undoing compression. Frames the sender aborted are skipped.
func (f *Framer) ReadFrame() (*Frame, error) {
	for {
		fr, aborted, err := f.readOne()
		if err != nil || !aborted {
			return fr, err
		}
	}
}

func (f *Framer) readOne() (*Frame, bool, error) {
	var (
		p       preamble
		fr      *Frame
		aborted bool
		err     error
	)
	switch {
	case f.rx != nil && f.rev1:
		p, fr, aborted, err = f.readSecureRev1()
	case f.rx != nil:
		p, fr, aborted, err = f.readSecureRev0()
	default:
		p, fr, aborted, err = f.readCRC()
	}
	if err != nil || aborted {
		return nil, aborted, err
	}
	if p.flags&frameFlagCompressed != 0 {
		if f.comp == nil || !f.comp.rx {
			return nil, false, protoErr("compressed %s frame on a connection without compression", p.tag)
		}
		if err := f.comp.decompressFrame(fr, &f.limits); err != nil {
			return nil, false, err
		}
	}
	return fr, false, nil
}

func newFrame(p *preamble) *Frame { return &Frame{Tag: p.tag, NumSegs: p.nsegs} }

func (f *Framer) readCRC() (preamble, *Frame, bool, error) {
	pb := f.reader().pre[:preambleLen]
	if err := f.readFull(pb); err != nil {
		return preamble{}, nil, false, err
	}
	p, err := decodePreamble(pb, &f.limits)
	if err != nil {
		return p, nil, false, err
	}
	fr := newFrame(&p)
	total := 0
	for i := 0; i < p.nsegs; i++ {
		total += int(p.lens[i])
	}
	buf := make([]byte, total)
	off := 0
	for i := 0; i < p.nsegs; i++ {
		fr.Segments[i] = buf[off : off+int(p.lens[i]) : off+int(p.lens[i])]
		off += int(p.lens[i])
	}
	var crcb [4]byte
	first := 0
	if f.rev1 {
		first = 1
		if p.lens[0] > 0 {
			if err := f.readFull(fr.Segments[0]); err != nil {
				return p, nil, false, err
			}
			if err := f.readFull(crcb[:]); err != nil {
				return p, nil, false, err
			}
			if got, want := encoding.CRC32C(^uint32(0), fr.Segments[0]), binary.LittleEndian.Uint32(crcb[:]); got != want {
				return p, nil, false, integrityErr("bad %s segment 0 crc: computed %#x, frame says %#x", p.tag, got, want)
			}
		}
		if p.nsegs == 1 {
			return p, fr, false, nil
		}
	}
	for i := first; i < p.nsegs; i++ {
		if err := f.readFull(fr.Segments[i]); err != nil {
			return p, nil, false, err
		}
	}
	epi := f.reader().pre[:epilogueCRC0]
	if f.rev1 {
		epi = f.r.pre[:epilogueCRC1]
	}
	if err := f.readFull(epi); err != nil {
		return p, nil, false, err
	}
	if aborted, err := checkLate(epi[0], f.rev1); err != nil || aborted {
		return p, nil, aborted, err
	}
	for i := first; i < p.nsegs; i++ {
		want := binary.LittleEndian.Uint32(epi[1+4*(i-first):])
		if got := encoding.CRC32C(^uint32(0), fr.Segments[i]); got != want {
			return p, nil, false, integrityErr("bad %s segment %d crc: computed %#x, frame says %#x", p.tag, i, got, want)
		}
	}
	return p, fr, false, nil
}

// checkLate interprets the epilogue's late_status (msgr2.1) or late_flags
// (msgr2.0).
func checkLate(b byte, rev1 bool) (aborted bool, err error) {
	if !rev1 {
		return b&lateFlagAborted != 0, nil
	}
	switch b & lateStatusMask {
	case lateStatusComplete:
		return false, nil
	case lateStatusAborted:
		return true, nil
	}
	return false, integrityErr("bad late_status %#x", b)
}

func (f *Framer) readSecureRev1() (preamble, *Frame, bool, error) {
	hb := f.reader().pre[:]
	if err := f.readFull(hb); err != nil {
		return preamble{}, nil, false, err
	}
	pt, err := f.rx.open(hb)
	if err != nil {
		return preamble{}, nil, false, err
	}
	p, err := decodePreamble(pt, &f.limits)
	if err != nil {
		return p, nil, false, err
	}
	fr := newFrame(&p)
	n0 := int(p.lens[0])
	remCT := 0
	if n0 > inlineLen {
		remCT = padded(n0-inlineLen) + gcmTagLen
	}
	tailCT := 0
	if p.nsegs > 1 {
		for i := 1; i < p.nsegs; i++ {
			tailCT += padded(int(p.lens[i]))
		}
		tailCT += epilogueSecure + gcmTagLen
	}
	// One buffer: segment 0, then the remainder's ciphertext, then the
	// tail's ciphertext; both decrypt in place and segments alias them.
	buf := make([]byte, n0+remCT+tailCT)
	seg0 := buf[:n0:n0]
	copy(seg0, pt[preambleLen:preambleLen+min(n0, inlineLen)])
	if remCT > 0 {
		ct := buf[n0 : n0+remCT]
		if err := f.readFull(ct); err != nil {
			return p, nil, false, err
		}
		rem, err := f.rx.open(ct)
		if err != nil {
			return p, nil, false, err
		}
		copy(seg0[inlineLen:], rem[:n0-inlineLen])
	}
	fr.Segments[0] = seg0
	if p.nsegs == 1 {
		return p, fr, false, nil
	}
	ct := buf[n0+remCT:]
	if err := f.readFull(ct); err != nil {
		return p, nil, false, err
	}
	tail, err := f.rx.open(ct)
	if err != nil {
		return p, nil, false, err
	}
	off := 0
	for i := 1; i < p.nsegs; i++ {
		l := int(p.lens[i])
		fr.Segments[i] = tail[off : off+l : off+l]
		off += padded(l)
	}
	if aborted, err := checkLate(tail[off], true); err != nil || aborted {
		return p, nil, aborted, err
	}
	return p, fr, false, nil
}

func (f *Framer) readSecureRev0() (preamble, *Frame, bool, error) {
	ctPre := f.reader().pre[:preambleLen]
	if err := f.readFull(ctPre); err != nil {
		return preamble{}, nil, false, err
	}
	var ptPre [preambleLen]byte
	if err := f.rx.peekRev0(ptPre[:], ctPre); err != nil {
		return preamble{}, nil, false, err
	}
	p, err := decodePreamble(ptPre[:], &f.limits)
	if err != nil {
		return p, nil, false, err
	}
	total := preambleLen + epilogueSecure + gcmTagLen
	for i := 0; i < p.nsegs; i++ {
		total += padded(int(p.lens[i]))
	}
	buf := make([]byte, total)
	copy(buf, ctPre)
	if err := f.readFull(buf[preambleLen:]); err != nil {
		return p, nil, false, err
	}
	pt, err := f.rx.open(buf)
	if err != nil {
		return p, nil, false, err
	}
	fr := newFrame(&p)
	off := preambleLen
	for i := 0; i < p.nsegs; i++ {
		l := int(p.lens[i])
		fr.Segments[i] = pt[off : off+l : off+l]
		off += padded(l)
	}
	if aborted, err := checkLate(pt[off], false); err != nil || aborted {
		return p, nil, aborted, err
	}
	return p, fr, false, nil
}
