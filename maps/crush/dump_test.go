package crush

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDumpGolden compares Dump with `crushtool --dump` for the crushtool
// maps and with `ceph osd crush dump` from the real mon.
func TestDumpGolden(t *testing.T) {
	var files []string
	for _, g := range []string{"testdata/dumps/*.json", "testdata/mon/*.dump.json"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d dump goldens", len(files))
	}
	for _, f := range files {
		var bin string
		if strings.Contains(f, "/mon/") {
			bin = strings.TrimSuffix(f, ".dump.json") + ".bin"
		} else {
			bin = "testdata/bin/" + strings.TrimSuffix(filepath.Base(f), ".json") + ".bin"
		}
		m, _ := loadMap(t, bin)
		got, err := RenderJSON(m.Dump(), true)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want = bytes.TrimRight(want, "\n")
		if !bytes.Equal(got, want) {
			i := firstDiff(got, want)
			lo := max(0, i-80)
			t.Errorf("%s: dump differs at %d:\ngot  ...%s\nwant ...%s", f, i,
				got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
		}
	}
}
