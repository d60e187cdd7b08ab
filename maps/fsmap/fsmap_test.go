package fsmap

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func golden(t testing.TB) []byte {
	b, err := os.ReadFile("testdata/fsmap-e1.bin")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenRoundTrip(t *testing.T) {
	in := golden(t)
	m, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	if m.Epoch != 1 || m.LegacyClientFSCID != -1 || !m.EnableMultiple || len(m.Compat.Incompat) != 9 {
		t.Fatalf("decoded %+v", m)
	}
	if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(in, out) {
		t.Fatalf("re-encoding differs:\n%x\n%x", in, out)
	}
}

func TestInitialMatchesFreshMon(t *testing.T) {
	if out := Initial().Encode(encoding.FeaturesPacific); !bytes.Equal(golden(t), out) {
		t.Fatalf("Initial() differs from a fresh mon's FSMap:\n%x\n%x", golden(t), out)
	}
}

func TestRawStructsRoundTrip(t *testing.T) {
	m := Initial()
	m.Filesystems = []RawStruct{{1, 1, 3, 0, 0, 0, 'a', 'b', 'c'}}
	m.StandbyDaemons[4123] = RawStruct{10, 4, 1, 0, 0, 0, 9}
	m.StandbyEpochs[4123] = 5
	m.MDSRoles[4123] = -1
	b := m.Encode(encoding.FeaturesPacific)
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("want %+v\ngot  %+v", m, got)
	}
}

func TestTruncatedFails(t *testing.T) {
	in := golden(t)
	for n := range len(in) {
		if _, err := Decode(in[:n]); err == nil {
			t.Fatalf("prefix of %d bytes decoded", n)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(golden(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		if _, err := Decode(m.Encode(encoding.FeaturesPacific)); err != nil {
			t.Fatalf("re-encoded map does not decode: %v", err)
		}
	})
}
