//go:build interop

package osdmap

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

func osdmaptool(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "osdmaptool", args...).Output()
	if err != nil {
		t.Fatalf("osdmaptool %v: %v", args, err)
	}
	return out
}

func createSimple(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "osdmap-"+strconv.Itoa(n))
	osdmaptool(t, "--createsimple", strconv.Itoa(n), "--with-default-pool", path, "--clobber")
	return path
}

// TestInteropCreatesimpleRoundTrip: maps osdmaptool makes now, up to
// 10000 OSDs, decode and re-encode to identical bytes.
func TestInteropCreatesimpleRoundTrip(t *testing.T) {
	harness.RequireBinaries(t, "osdmaptool")
	for _, n := range []int{1, 10, 100, 10000} {
		in, err := os.ReadFile(createSimple(t, n))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(in)
		if err != nil {
			t.Fatalf("%d OSDs: %v", n, err)
		}
		if int(m.MaxOSD) != n {
			t.Fatalf("max_osd %d, want %d", m.MaxOSD, n)
		}
		if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(in, out) {
			t.Fatalf("%d OSDs: re-encoding differs: %s", n, firstDiff(in, out))
		}
	}
}

// TestInteropOsdmaptoolReadsKelp: osdmaptool --print accepts a map kelp
// changed and encoded, and sees the changes.
func TestInteropOsdmaptoolReadsKelp(t *testing.T) {
	harness.RequireBinaries(t, "osdmaptool")
	m, err := Decode(readGolden(t, "real-e37.bin"))
	if err != nil {
		t.Fatal(err)
	}
	inc := NewIncremental(m.Epoch + 1)
	inc.FSID = m.FSID
	inc.Modified = encoding.UTimeOf(time.Now())
	inc.NewFlags = int32(m.Flags | FlagNoScrub)
	inc.NewPoolNames[2] = "renamed"
	inc.NewWeight[2] = 0
	next, err := Apply(m, inc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kelp.osdmap")
	if err := os.WriteFile(path, next.Encode(encoding.FeaturesPacific), 0o644); err != nil {
		t.Fatal(err)
	}
	out := string(osdmaptool(t, "--print", path))
	for _, want := range []string{"epoch 38", "noscrub", "pool 2 'renamed'", "osd.2 up   out weight 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("osdmaptool --print lacks %q:\n%s", want, out)
		}
	}
}

// TestInteropMappingCreatesimple100 compares every PG of a 100-OSD map.
func TestInteropMappingCreatesimple100(t *testing.T) {
	harness.RequireBinaries(t, "osdmaptool")
	path := createSimple(t, 100)
	dump := osdmaptool(t, path, "--mark-up-in", "--test-map-pgs-dump-all")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	markUpIn(m)
	checkPGsDumpAll(t, m, dump)
}

// TestInteropRealMon builds state on a real monitor and checks the map it
// serves: byte-exact round trip and mapping equal to osdmaptool's.
func TestInteropRealMon(t *testing.T) {
	harness.RequireBinaries(t, "osdmaptool")
	c := harness.StartMon(t, harness.Options{OSDs: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for _, args := range [][]string{
		{"osd", "pool", "create", "rep", "16", "16"},
		{"osd", "erasure-code-profile", "set", "ec21", "k=2", "m=1", "crush-failure-domain=osd"},
		{"osd", "pool", "create", "ec", "8", "8", "erasure", "ec21"},
		{"osd", "set-require-min-compat-client", "luminous"},
		{"osd", "pg-upmap-items", "1.3", "0", "1"},
		{"osd", "pg-upmap", "1.4", "2"},
		{"osd", "primary-temp", "1.5", "1"},
		{"osd", "blocklist", "add", "127.0.0.1:0/42"},
		{"osd", "blocklist", "range", "add", "192.168.7.0/24"},
		{"osd", "primary-affinity", "1", "0.25"},
	} {
		if out, err := c.Ceph(ctx, args...); err != nil {
			t.Fatalf("ceph %v: %v %s", args, err, out)
		}
	}
	path := filepath.Join(c.Dir, "osdmap")
	if _, err := c.Ceph(ctx, "osd", "getmap", "-o", path); err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(in, out) {
		t.Fatalf("re-encoding differs: %s", firstDiff(in, out))
	}
	if len(m.RangeBlocklist) != 1 || len(m.Blocklist) != 1 {
		t.Errorf("blocklists %v %v", m.Blocklist, m.RangeBlocklist)
	}
	checkPGsDumpAll(t, m, osdmaptool(t, path, "--test-map-pgs-dump-all"))
}

// BenchmarkOSDMapDecodeEncode decodes and re-encodes a 10000-OSD map made
// by osdmaptool; compare with the time osdmaptool takes on the same file
// (see BENCHMARKS in testdata/README.md).
func BenchmarkOSDMapDecodeEncode(b *testing.B) {
	path := filepath.Join(b.TempDir(), "osdmap-10000")
	if out, err := exec.Command("osdmaptool", "--createsimple", "10000", "--with-default-pool", path, "--clobber").CombinedOutput(); err != nil {
		b.Fatalf("osdmaptool: %v %s", err, out)
	}
	in, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		m, err := Decode(in)
		if err != nil {
			b.Fatal(err)
		}
		m.Encode(encoding.FeaturesPacific)
	}
}
