package osdmap

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

// fullGoldens are full maps written by real Ceph 16.2.15; testdata/README.md
// says how each was made.
var fullGoldens = []string{
	"createsimple-1.bin", "createsimple-10.bin", "createsimple-100.bin",
	"real-e37.bin", "real-e44.bin", "real-e45.bin",
}

func readGolden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFullGoldenRoundTrip(t *testing.T) {
	for _, name := range fullGoldens {
		t.Run(name, func(t *testing.T) {
			in := readGolden(t, name)
			m, err := Decode(in)
			if err != nil {
				t.Fatal(err)
			}
			out := m.Encode(encoding.FeaturesPacific)
			if !bytes.Equal(in, out) {
				t.Fatalf("re-encoding differs: %s", firstDiff(in, out))
			}
		})
	}
}

func firstDiff(a, b []byte) string {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			lo := max(0, i-8)
			return "at byte " + itoa(i) + " of " + itoa(len(a)) + "/" + itoa(len(b)) +
				": want " + hexs(a[lo:min(len(a), i+16)]) + " got " + hexs(b[lo:min(len(b), i+16)])
		}
	}
	return "lengths " + itoa(len(a)) + " vs " + itoa(len(b))
}

func TestRealMapContents(t *testing.T) {
	m, err := Decode(readGolden(t, "real-e37.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Epoch != 37 || m.MaxOSD != 3 || len(m.Pools) != 3 {
		t.Fatalf("epoch %d max_osd %d pools %d", m.Epoch, m.MaxOSD, len(m.Pools))
	}
	if m.PoolNames[1] != "rbdpool" || m.PoolNames[3] != "ecpool" {
		t.Errorf("pool names %v", m.PoolNames)
	}
	if got := m.PGUpmapItems[PG{Pool: 1, Seed: 4}]; len(got) != 1 || got[0] != (UpmapItem{1, 0}) {
		t.Errorf("pg_upmap_items 1.4 = %v", got)
	}
	if got := m.PGTemp[PG{Pool: 1, Seed: 5}]; len(got) != 1 || got[0] != 0 {
		t.Errorf("pg_temp 1.5 = %v", got)
	}
	if got, ok := m.PrimaryTemp[PG{Pool: 2, Seed: 0}]; !ok || got != 1 {
		t.Errorf("primary_temp 2.0 = %v", got)
	}
	if len(m.Blocklist) != 1 || len(m.RangeBlocklist) != 1 {
		t.Errorf("blocklist %v range %v", m.Blocklist, m.RangeBlocklist)
	}
	if m.PrimaryAffinity == nil || m.PrimaryAffinity[2] != 0x8000 {
		t.Errorf("primary affinity %v", m.PrimaryAffinity)
	}
	if m.RequireOSDRelease != encoding.ReleasePacific || m.RequireMinCompatClient != encoding.ReleaseLuminous {
		t.Errorf("releases %v %v", m.RequireOSDRelease, m.RequireMinCompatClient)
	}
	ec := m.Pools[3]
	if !ec.IsErasure() || ec.ErasureCodeProfile != "myprof" || ec.Size != 3 {
		t.Errorf("ec pool %+v", ec)
	}
	if o, ok := m.Pools[1].Opts.Get(OptCompressionMode); !ok || o.Str != "aggressive" {
		t.Errorf("rbdpool opts %+v", m.Pools[1].Opts)
	}
	if o, ok := m.Pools[2].Opts.Get(OptTargetSizeRatio); !ok || o.Double != 0.2 {
		t.Errorf("p2 opts %+v", m.Pools[2].Opts)
	}
	if s := m.Pools[2].Snaps[1]; s.Name != "snap1" {
		t.Errorf("p2 snaps %+v", m.Pools[2].Snaps)
	}
}

func BenchmarkDecodeEncodeReal(b *testing.B) {
	in := readGolden(b, "real-e37.bin")
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		m, err := Decode(in)
		if err != nil {
			b.Fatal(err)
		}
		m.Encode(encoding.FeaturesPacific)
	}
}
