//go:build interop

package crush

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

func crushtool(t testing.TB, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "crushtool", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("crushtool %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestInteropDecompile: crushtool reads what kelp encodes, and sees the
// same map as in the original file.
func TestInteropDecompile(t *testing.T) {
	harness.RequireBinaries(t, "crushtool")
	dir := t.TempDir()
	for _, f := range goldenMaps(t) {
		m, _ := loadMap(t, f)
		p := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(p, m.Encode(encoding.FeaturesPacific), 0o644); err != nil {
			t.Fatal(err)
		}
		got := crushtool(t, "-d", p)
		want := crushtool(t, "-d", f)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: crushtool -d of kelp's encoding differs", f)
		}
	}
}

// TestInteropMappingsLive compares every mapping for x in 0..100000 with
// crushtool on maps of 10, 1000 and 10000 devices, with and without
// reweighted devices.
func TestInteropMappingsLive(t *testing.T) {
	harness.RequireBinaries(t, "crushtool")
	dir := t.TempDir()
	builds := map[string][]string{
		"10":    {"--num_osds", "10", "host", "straw2", "2", "root", "straw2", "0"},
		"1000":  {"--num_osds", "1000", "host", "straw2", "10", "rack", "straw2", "10", "root", "straw2", "0"},
		"10000": {"--num_osds", "10000", "host", "straw2", "20", "rack", "straw2", "25", "root", "straw2", "0"},
	}
	for name, spec := range builds {
		p := filepath.Join(dir, name+".bin")
		crushtool(t, append(append([]string{"--build"}, spec...), "-o", p)...)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range []string{"", "w1"} {
			args := []string{"-i", p, "--test", "--show-mappings", "--min-x", "0", "--max-x", "100000",
				"--num-rep", "3", "--rule", "0"}
			for _, dev := range slices.Sorted(mapsKeys(weightSets[tag])) {
				args = append(args, "--weight", fmt.Sprint(dev), fmt.Sprint(weightSets[tag][dev]))
			}
			out := crushtool(t, args...)
			compareMappings(t, name+tag, m, out, 0, 3, deviceWeights(m, weightSets[tag]))
		}
	}
}

func mapsKeys(m map[int]float32) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func compareMappings(t *testing.T, name string, m *CrushMap, out []byte, rule, numrep int, weights []uint32) {
	t.Helper()
	mp := NewMapper(m)
	sc := bufio.NewScanner(bytes.NewReader(out))
	n, bad := 0, 0
	for sc.Scan() {
		x, want, ok := parseMappingLine(sc.Text())
		if !ok {
			continue
		}
		n++
		if got := mp.DoRule(rule, int32(x), weights, numrep, m.ChooseArgsFor(0)); !slices.Equal(got, want) {
			if bad++; bad < 5 {
				t.Errorf("%s: x=%d got %v want %v", name, x, got, want)
			}
		}
	}
	if n < 100001 {
		t.Errorf("%s: compared only %d mappings", name, n)
	}
	t.Logf("%s: %d mappings compared, %d differ", name, n, bad)
}

// TestInteropLnTable finds crush_ln's tables in the installed Ceph library
// and compares them with the transcribed ones.
func TestInteropLnTable(t *testing.T) {
	libs, _ := filepath.Glob("/usr/lib/*/ceph/libceph-common.so*")
	if len(libs) == 0 {
		t.Fatal("libceph-common.so not found (install ceph-common)")
	}
	data, err := os.ReadFile(libs[0])
	if err != nil {
		t.Fatal(err)
	}
	find := func(first []uint64) int {
		pat := make([]byte, 0, 8*len(first))
		for _, v := range first {
			pat = binary.LittleEndian.AppendUint64(pat, v)
		}
		return bytes.Index(data, pat)
	}
	check := func(name string, table []uint64) {
		i := find(table[:4])
		if i < 0 || i+8*len(table) > len(data) {
			t.Fatalf("%s: not found in %s", name, libs[0])
		}
		for k, v := range table {
			if got := binary.LittleEndian.Uint64(data[i+8*k:]); got != v {
				t.Errorf("%s[%d] = %#x, library has %#x", name, k, v, got)
			}
		}
	}
	check("__RH_LH_tbl", rhLHTable[:])
	check("__LL_tbl", llTable[:])
}

// BenchmarkCrushtool1000 times crushtool doing 100000 mappings on the
// 1000-device map (process start and printing included), to set beside
// BenchmarkDoRule1000.
func BenchmarkCrushtool1000(b *testing.B) {
	harness.RequireBinaries(b, "crushtool")
	for b.Loop() {
		crushtool(b, "-i", "testdata/bin/build1000.bin", "--test", "--show-mappings",
			"--min-x", "0", "--max-x", "99999", "--num-rep", "3", "--rule", "0")
	}
	b.ReportMetric(100000*float64(b.N)/b.Elapsed().Seconds(), "mappings/s")
}
