package crush

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

// goldenMaps returns every crush map file under testdata: crushtool-made
// (bin/) and captured from a real ceph-mon (mon/).
func goldenMaps(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, g := range []string{"testdata/bin/*.bin", "testdata/mon/*.bin"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no golden maps")
	}
	return files
}

func loadMap(t testing.TB, path string) (*CrushMap, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m, data
}

func TestGoldenRoundTrip(t *testing.T) {
	for _, f := range goldenMaps(t) {
		m, data := loadMap(t, f)
		got := m.Encode(encoding.FeaturesPacific)
		if !bytes.Equal(got, data) {
			t.Errorf("%s: re-encoding differs (got %d bytes, want %d); first difference at %d",
				f, len(got), len(data), firstDiff(got, data))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestDecodeTruncated(t *testing.T) {
	for _, f := range goldenMaps(t) {
		if strings.Contains(f, "10000") {
			continue // quadratic on the big map; the small ones cover every section
		}
		m, data := loadMap(t, f)
		// CrushWrapper::decode treats everything after the names as
		// optional (older encoders stop early), so only prefixes that
		// keep every bucket, rule and name may decode. Encoding without
		// features stops after allowed_bucket_algs, the 22 bytes of
		// tunables that follow the names.
		namesEnd := len(m.Encode(0)) - 22
		for n := 0; n < len(data); n++ {
			if len(data) > 4096 && n > 4096 && n < len(data)-256 {
				n += 6 // sample the middle of big maps
			}
			pm, err := Decode(data[:n])
			if err == nil && n < namesEnd {
				t.Fatalf("%s: prefix %d of %d decodes (names end at %d)", f, n, len(data), namesEnd)
			}
			if err == nil && !slices.EqualFunc(pm.Buckets, m.Buckets, func(a, b *Bucket) bool {
				return (a == nil) == (b == nil)
			}) {
				t.Fatalf("%s: prefix %d decodes to other buckets", f, n)
			}
		}
	}
}

// deviceWeights builds crushtool --test's weight vector: 0x10000 for devices
// present in the hierarchy, 0 for others, overridden by --weight options
// (CrushTester::test, set_device_weight).
func deviceWeights(m *CrushMap, overrides map[int]float32) []uint32 {
	present := map[int32]bool{}
	for _, b := range m.Buckets {
		if b != nil {
			for _, it := range b.Items {
				present[it] = true
			}
		}
	}
	w := make([]uint32, m.MaxDevices)
	for i := range w {
		if f, ok := overrides[i]; ok {
			v := int(f * 0x10000)
			w[i] = uint32(max(0, min(v, 0x10000)))
		} else if present[int32(i)] {
			w[i] = 0x10000
		}
	}
	return w
}

// weightSets mirrors weights() in testdata/gen.sh.
var weightSets = map[string]map[int]float32{
	"w1": {3: 0, 5: 0.5, 17: 0.2, 0: 0.9},
	"w2": {1: 0, 2: 0, 10: 0.01, 11: 0.7},
}

func TestMappingsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/mappings/*.txt.gz")
	if err != nil || len(files) == 0 {
		t.Fatal("no mapping goldens", err)
	}
	for _, f := range files {
		// NAME.rRULE.nNUMREP[.wTAG].txt.gz
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt.gz"), ".")
		name := parts[0]
		rule, _ := strconv.Atoi(strings.TrimPrefix(parts[1], "r"))
		numrep, _ := strconv.Atoi(strings.TrimPrefix(parts[2], "n"))
		var over map[int]float32
		if len(parts) > 3 {
			over = weightSets[parts[3]]
		}
		m, _ := loadMap(t, filepath.Join("testdata/bin", name+".bin"))
		weights := deviceWeights(m, over)
		args := m.ChooseArgsFor(0)
		mp := NewMapper(m)
		lines := readGz(t, f)
		checked := 0
		for _, line := range lines {
			x, want, ok := parseMappingLine(line)
			if !ok {
				continue
			}
			got := mp.DoRule(rule, int32(x), weights, numrep, args)
			if !slices.Equal(got, want) {
				t.Errorf("%s: x=%d got %v want %v", filepath.Base(f), x, got, want)
				if checked > 5 {
					break
				}
			}
			checked++
		}
		if checked < 1024 {
			t.Errorf("%s: only %d mappings", f, checked)
		}
	}
}

func readGz(t testing.TB, path string) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// parseMappingLine parses "CRUSH rule R x X [a,b,c]".
func parseMappingLine(line string) (int, []int32, bool) {
	var r, x int
	var list string
	if _, err := fmt.Sscanf(line, "CRUSH rule %d x %d %s", &r, &x, &list); err != nil {
		return 0, nil, false
	}
	list = strings.Trim(list, "[]")
	out := []int32{}
	if list != "" {
		for _, s := range strings.Split(list, ",") {
			v, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				return 0, nil, false
			}
			out = append(out, int32(v))
		}
	}
	return x, out, true
}
