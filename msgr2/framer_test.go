package msgr2

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"testing"
)

// memConn is an in-memory byte pipe a Framer can read and write.
type memConn struct{ bytes.Buffer }

// framerPair returns a writer and a reader Framer sharing one buffer, in
// the given mode and revision.
func framerPair(t testing.TB, secure, rev1 bool, comp CompressionMethod) (*Framer, *Framer, *memConn) {
	t.Helper()
	var buf memConn
	w, r := NewFramer(&buf), NewFramer(&buf)
	w.SetRev1(rev1)
	r.SetRev1(rev1)
	big := [maxSegments]uint32{1 << 20, 16 << 20, 16 << 20, 64 << 20}
	r.SetLimits(big)
	if secure {
		secret := make([]byte, SecureSecretLen)
		rand.Read(secret)
		if err := w.startSecure(secret, true); err != nil {
			t.Fatal(err)
		}
		if err := r.startSecure(secret, false); err != nil {
			t.Fatal(err)
		}
	}
	if comp != CompressNone {
		c := &compression{method: comp, minSize: 1024, tx: true, rx: true}
		w.comp, r.comp = c, c
	}
	return w, r, &buf
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7) + byte(i/251)
	}
	return b
}

// The example frames of doc/dev/msgr2.rst and a few more.
var segShapes = [][]int{
	{0}, {20}, {48}, {49}, {105}, {0, 70}, {20, 70, 0, 350}, {105, 70, 0, 350},
	{41, 4096, 0, 65536}, {41, 0, 0, 100000}, {41, 0, 17, 0},
}

func modeName(secure, rev1 bool) string {
	m := "crc"
	if secure {
		m = "secure"
	}
	if rev1 {
		return "msgr2.1-" + m
	}
	return "msgr2.0-" + m
}

func TestFramerRoundTrip(t *testing.T) {
	for _, secure := range []bool{false, true} {
		for _, rev1 := range []bool{false, true} {
			for _, comp := range []CompressionMethod{CompressNone, CompressSnappy, CompressZlib, CompressZstd, CompressLZ4} {
				t.Run(fmt.Sprintf("%s/%s", modeName(secure, rev1), comp), func(t *testing.T) {
					w, r, buf := framerPair(t, secure, rev1, comp)
					for i, shape := range segShapes {
						segs := make([][]byte, len(shape))
						for j, n := range shape {
							segs[j] = pattern(n, byte(i+j))
						}
						before := buf.Len()
						if err := w.WriteFrame(TagMessage, segs...); err != nil {
							t.Fatal(err)
						}
						n := segmentCount(shape)
						if comp == CompressNone {
							if got, want := buf.Len()-before, frameOnwireLen(shape[:n], secure, rev1); got != want {
								t.Errorf("shape %v: wrote %d bytes, on-wire length says %d", shape, got, want)
							}
						}
						fr, err := r.ReadFrame()
						if err != nil {
							t.Fatalf("shape %v: %v", shape, err)
						}
						if fr.Tag != TagMessage || fr.NumSegs != n {
							t.Fatalf("shape %v: tag %s segs %d", shape, fr.Tag, fr.NumSegs)
						}
						for j := 0; j < n; j++ {
							if !bytes.Equal(fr.Segments[j], segs[j]) {
								t.Fatalf("shape %v: segment %d differs", shape, j)
							}
						}
					}
					if buf.Len() != 0 {
						t.Fatalf("%d bytes left over", buf.Len())
					}
				})
			}
		}
	}
}

// TestOnwireLenExamples checks the pure length functions against the
// example frames of doc/dev/msgr2.rst.
func TestOnwireLenExamples(t *testing.T) {
	cases := []struct {
		lens         []int
		secure, rev1 bool
		want         int
	}{
		{[]int{0}, false, true, 32},
		{[]int{20}, false, true, 32 + 20 + 4},
		{[]int{0, 70}, false, true, 32 + 70 + 13},
		{[]int{20, 70, 0, 350}, false, true, 32 + 20 + 4 + 70 + 350 + 13},
		{[]int{20, 70, 0, 350}, false, false, 32 + 20 + 70 + 350 + 17},
		{[]int{0}, true, true, 96},
		{[]int{20}, true, true, 96},
		{[]int{0, 70}, true, true, 96 + 80 + 16 + 16},
		{[]int{20, 70, 0, 350}, true, true, 96 + 80 + 352 + 16 + 16},
		{[]int{105}, true, true, 96 + 64 + 16},
		{[]int{105, 70, 0, 350}, true, true, 96 + 64 + 16 + 80 + 352 + 16 + 16},
		{[]int{20, 70}, true, false, 32 + 32 + 80 + 16 + 16},
	}
	for _, c := range cases {
		if got := frameOnwireLen(c.lens, c.secure, c.rev1); got != c.want {
			t.Errorf("%v %s: %d, want %d", c.lens, modeName(c.secure, c.rev1), got, c.want)
		}
	}
}

// writeOne writes one frame and returns its bytes.
func writeOne(t *testing.T, w *Framer, buf *memConn, segs ...[]byte) []byte {
	t.Helper()
	if err := w.WriteFrame(TagMessage, segs...); err != nil {
		t.Fatal(err)
	}
	b := append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	return b
}

// TestFramerRejectsDamage flips every byte of frames in every mode: each
// damaged frame must fail with an integrity or protocol error, or (for
// bytes no check covers, e.g. alignment fields) decode to the same
// segments; never panic.
func TestFramerRejectsDamage(t *testing.T) {
	for _, secure := range []bool{false, true} {
		for _, rev1 := range []bool{false, true} {
			t.Run(modeName(secure, rev1), func(t *testing.T) {
				w, _, buf := framerPair(t, secure, rev1, CompressNone)
				segs := [][]byte{pattern(41, 1), pattern(60, 2), nil, pattern(70, 3)}
				for i := 0; ; i++ {
					var snap *gcmHalf
					if secure {
						snap = w.tx.cloneAt(0)
					}
					raw := writeOne(t, w, buf, segs...)
					if i >= len(raw) {
						break
					}
					raw[i] ^= 0x40
					// A fresh reader each time: secure nonces must line up.
					_, r, rb := framerPair(t, false, rev1, CompressNone)
					r.rx = snap
					rb.Write(raw)
					fr, err := r.ReadFrame()
					if err == nil {
						for j := range segs {
							if !bytes.Equal(fr.Segments[j], segs[j]) {
								t.Fatalf("byte %d flipped: frame accepted with different segment %d", i, j)
							}
						}
						continue
					}
					if !errors.Is(err, ErrIntegrity) && !errors.Is(err, ErrProtocol) {
						t.Fatalf("byte %d flipped: unclassified error %v", i, err)
					}
				}
			})
		}
	}
}

// TestFramerTruncated: every strict prefix of a frame fails cleanly.
func TestFramerTruncated(t *testing.T) {
	for _, secure := range []bool{false, true} {
		for _, rev1 := range []bool{false, true} {
			w, _, buf := framerPair(t, secure, rev1, CompressNone)
			var snap *gcmHalf
			if secure {
				snap = w.tx.cloneAt(0)
			}
			raw := writeOne(t, w, buf, pattern(41, 1), pattern(300, 2))
			for n := 0; n < len(raw); n++ {
				_, r, rb := framerPair(t, false, rev1, CompressNone)
				if secure {
					r.rx = snap.cloneAt(0)
				}
				rb.Write(raw[:n])
				if _, err := r.ReadFrame(); err == nil {
					t.Fatalf("%s: %d-byte prefix of %d accepted", modeName(secure, rev1), n, len(raw))
				} else if n > 0 && !errors.Is(err, ErrProtocol) && !errors.Is(err, io.EOF) {
					t.Fatalf("%s: prefix %d: %v", modeName(secure, rev1), n, err)
				}
			}
		}
	}
}

func TestFramerSegmentLimit(t *testing.T) {
	w, r, _ := framerPair(t, false, true, CompressNone)
	r.SetLimits(preAuthLimits)
	if err := w.WriteFrame(TagAuthRequest, pattern(70<<10, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadFrame(); !errors.Is(err, ErrProtocol) {
		t.Fatalf("over-limit segment: %v", err)
	}
	w, r, _ = framerPair(t, false, true, CompressNone)
	r.SetLimits(preAuthLimits)
	w.WriteFrame(TagMessage, pattern(41, 1), pattern(10, 1))
	if _, err := r.ReadFrame(); !errors.Is(err, ErrProtocol) {
		t.Fatalf("message before auth: %v", err)
	}
}

func TestFramerAbortedFrameSkipped(t *testing.T) {
	for _, rev1 := range []bool{false, true} {
		w, r, buf := framerPair(t, false, rev1, CompressNone)
		raw := writeOne(t, w, buf, pattern(41, 1), pattern(100, 2))
		// Set the late status/flags of the first frame to aborted.
		epi := len(raw) - epilogueCRC0
		if rev1 {
			epi = len(raw) - epilogueCRC1
		}
		raw[epi] = lateStatusAborted
		buf.Write(raw)
		w.WriteFrame(TagAck, pattern(8, 9))
		fr, err := r.ReadFrame()
		if err != nil || fr.Tag != TagAck {
			t.Fatalf("rev1=%v: after aborted frame got %v %v", rev1, fr, err)
		}
	}
}

func TestNonceNeverRepeats(t *testing.T) {
	for _, rev1 := range []bool{false, true} {
		key := make([]byte, 16)
		h, err := newGCMHalf(key, make([]byte, 12), rev1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.take(); err != nil {
			t.Fatal(err)
		}
		// Wind the counter to one step before it wraps to the initial value.
		if rev1 {
			for i := 4; i < 12; i++ {
				h.nonce[i] = 0xff
			}
		} else {
			for i := 0; i < 4; i++ {
				h.nonce[i] = 0xff
			}
		}
		if _, err := h.take(); err != nil {
			t.Fatalf("last nonce refused: %v", err)
		}
		if _, err := h.take(); !errors.Is(err, errNonceExhausted) {
			t.Fatalf("rev1=%v: wrapped nonce accepted: %v", rev1, err)
		}
	}
}
