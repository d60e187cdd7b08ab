package osdmap

import (
	"path/filepath"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"createsimple-1.bin", "real-e37.bin"} {
		f.Add(readGolden(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode to something that decodes.
		if _, err := Decode(m.Encode(encoding.FeaturesPacific)); err != nil {
			t.Fatalf("re-encoded map does not decode: %v", err)
		}
	})
}

func FuzzDecodeIncremental(f *testing.F) {
	for _, e := range []string{"2", "5", "30", "37"} {
		f.Add(readGolden(f, filepath.Join("inc", e)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		inc, err := DecodeIncremental(b)
		if err != nil {
			return
		}
		if _, err := DecodeIncremental(inc.Encode(inc.EncodeFeatures)); err != nil {
			t.Fatalf("re-encoded incremental does not decode: %v", err)
		}
	})
}

func FuzzDecodePool(f *testing.F) {
	m, err := Decode(readGolden(f, "real-e37.bin"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range m.Pools {
		e := encoding.NewEncoder(nil)
		encodePool(e, p, encoding.FeaturesPacific)
		f.Add(e.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := encoding.NewDecoder(b)
		p := decodePool(d)
		if d.Done() != nil {
			return
		}
		e := encoding.NewEncoder(nil)
		encodePool(e, &p, encoding.FeaturesPacific)
		d2 := encoding.NewDecoder(e.Bytes())
		decodePool(d2)
		if err := d2.Done(); err != nil {
			t.Fatalf("re-encoded pool does not decode: %v", err)
		}
	})
}

// TestTruncatedFails checks that no strict prefix of a valid encoding
// decodes.
func TestTruncatedFails(t *testing.T) {
	full := readGolden(t, "real-e37.bin")
	for n := range len(full) {
		if _, err := Decode(full[:n]); err == nil {
			t.Fatalf("full map prefix of %d/%d bytes decoded", n, len(full))
		}
	}
	for _, e := range []string{"2", "30", "37"} {
		inc := readGolden(t, filepath.Join("inc", e))
		for n := range len(inc) {
			if _, err := DecodeIncremental(inc[:n]); err == nil {
				t.Fatalf("inc %s prefix of %d/%d bytes decoded", e, n, len(inc))
			}
		}
	}
}

func TestCorruptCRCFails(t *testing.T) {
	b := append([]byte(nil), readGolden(t, "real-e37.bin")...)
	b[100] ^= 1
	if _, err := Decode(b); err == nil {
		t.Fatal("flipped bit went unnoticed")
	}
}

// FuzzDecodeBody feeds the client and osd-only sections straight to their
// decoders, past the crc that would reject most mutations of a whole map.
func FuzzDecodeBody(f *testing.F) {
	for _, name := range []string{"real-e37.bin", "createsimple-10.bin"} {
		b := readGolden(f, name)
		f.Add(b[6 : len(b)-4]) // inside the wrapper, before the crc
	}
	f.Add(readGolden(f, filepath.Join("inc", "30"))[6:])
	f.Fuzz(func(t *testing.T, b []byte) {
		d := encoding.NewDecoder(b)
		m := New()
		m.decodeClient(d)
		m.decodeOSDOnly(d)
		d = encoding.NewDecoder(b)
		inc := NewIncremental(0)
		inc.decodeClient(d)
		inc.decodeOSDOnly(d)
	})
}
