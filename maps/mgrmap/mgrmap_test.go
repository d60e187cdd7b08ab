package mgrmap

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func golden(t testing.TB) []byte {
	b, err := os.ReadFile("testdata/mgrmap-e1.bin")
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
	if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(in, out) {
		t.Fatalf("re-encoding differs:\n%x\n%x", in, out)
	}
}

func TestInitialMatchesFreshMon(t *testing.T) {
	in := golden(t)
	if out := Initial().Encode(encoding.FeaturesPacific); !bytes.Equal(in, out) {
		m, _ := Decode(in)
		t.Fatalf("Initial() differs from a fresh mon's map:\nwant %+v\ngot  %+v", m, Initial())
	}
}

func TestRichRoundTrip(t *testing.T) {
	a, _, _ := encoding.ParseAddr("v2:127.0.0.1:6800/12", encoding.AddrMsgr2)
	m := Initial()
	m.Epoch = 7
	m.ActiveGID = 4100
	m.ActiveName = "x"
	m.Available = true
	m.ActiveAddrs = encoding.EntityAddrVec{a}
	m.Services = map[string]string{"dashboard": "https://127.0.0.1:8443/"}
	m.AvailableModules = []ModuleInfo{{Name: "balancer", CanRun: true, ModuleOptions: map[string]ModuleOption{
		"active": {Name: "active", Type: 5, Level: 1, DefaultValue: "true", Tags: []string{"a", "b"}}}}}
	m.Standbys = map[uint64]StandbyInfo{4200: {GID: 4200, Name: "y", AvailableModules: m.AvailableModules, MgrFeatures: 3}}
	m.Clients = []Client{{Name: "libcephsqlite", Addrs: encoding.EntityAddrVec{a}}, {Name: "rbd_support", Addrs: encoding.EntityAddrVec{a}}}
	b := m.Encode(encoding.FeaturesPacific)
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip:\nwant %+v\ngot  %+v", m, got)
	}
	if !bytes.Equal(got.Encode(encoding.FeaturesPacific), b) {
		t.Fatal("second encoding differs")
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
