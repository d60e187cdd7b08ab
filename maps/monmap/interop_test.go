//go:build interop

package monmap

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

func monmaptoolPrint(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("monmaptool", "--print", path).Output()
	if err != nil {
		t.Fatalf("monmaptool --print: %v", err)
	}
	// The first line names the file.
	_, rest, _ := strings.Cut(string(out), "\n")
	return rest
}

// TestMonmaptoolCreateRoundTrip decodes maps that monmaptool writes now and
// re-encodes them to identical bytes.
func TestMonmaptoolCreateRoundTrip(t *testing.T) {
	harness.RequireBinaries(t, "monmaptool")
	dir := t.TempDir()
	cases := [][]string{
		{"--addv", "a", "[v2:127.0.0.1:3300,v1:127.0.0.1:6789]"},
		{"--add", "x", "192.168.0.9:6789", "--add", "y", "[::1]:6789", "--addv", "z", "[v2:10.1.1.1:3300]"},
		{"--addv", "a", "[v2:127.0.0.1:3300,v1:127.0.0.1:6789]", "--set-min-mon-release", "16",
			"--feature-set", "pacific", "--persistent"},
	}
	for i, args := range cases {
		path := filepath.Join(dir, "map")
		all := append([]string{"--create", "--clobber", "--fsid", encoding.NewUUID().String()}, args...)
		all = append(all, path)
		if out, err := exec.Command("monmaptool", all...).CombinedOutput(); err != nil {
			t.Fatalf("case %d: monmaptool: %v\n%s", i, err, out)
		}
		in, _ := os.ReadFile(path)
		m, err := Decode(in)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(out, in) {
			t.Fatalf("case %d: bytes differ\n got %x\nwant %x", i, out, in)
		}
		if got, want := m.Print(), monmaptoolPrint(t, path); got != want {
			t.Fatalf("case %d: print differs\n got:\n%s\nwant:\n%s", i, got, want)
		}
	}
}

// TestKelpMapReadByMonmaptool builds a map from scratch and checks that
// monmaptool prints it exactly as kelp does.
func TestKelpMapReadByMonmaptool(t *testing.T) {
	harness.RequireBinaries(t, "monmaptool")
	m := New(encoding.NewUUID(), encoding.UTimeOf(time.Now()))
	m.MinMonRelease = encoding.ReleasePacific
	m.PersistentFeatures = MonFeaturesPacific
	for _, mon := range []struct{ name, addrs string }{
		{"b", "[v2:127.0.0.2:3300/0,v1:127.0.0.2:6789/0]"},
		{"a", "[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]"},
		{"c", "v2:[::1]:3300/0"},
	} {
		v, err := encoding.ParseAddrVec(mon.addrs)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Add(mon.name, v); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "kelp.monmap")
	if err := os.WriteFile(path, m.Encode(encoding.FeaturesPacific), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Print(), monmaptoolPrint(t, path); got != want {
		t.Fatalf("monmaptool reads kelp's map differently\nkelp:\n%s\nmonmaptool:\n%s", got, want)
	}
}

// TestRealMonGetmap decodes what a running ceph-mon returns for
// `ceph mon getmap` and re-encodes it to identical bytes.
func TestRealMonGetmap(t *testing.T) {
	t.Parallel()
	c := harness.StartMon(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(c.Dir, "getmap.bin")
	if _, err := c.Ceph(ctx, "mon", "getmap", "-o", path); err != nil {
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
	if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(out, in) {
		t.Fatalf("bytes differ\n got %x\nwant %x", out, in)
	}
	if m.FSID != c.FSID || m.Epoch != 1 || m.MinMonRelease != encoding.ReleasePacific ||
		m.PersistentFeatures != MonFeaturesPacific {
		t.Fatalf("unexpected map: %s features %v", m.Print(), m.PersistentFeatures.Names())
	}
	if got := m.Mons["a"].PublicAddrs.String(); got != c.MonHost() {
		t.Fatalf("mon.a at %s, want %s", got, c.MonHost())
	}
}
