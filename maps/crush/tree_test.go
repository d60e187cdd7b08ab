package crush

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOSDTreeGolden rebuilds `ceph osd tree` (plain and JSON) for each
// captured mon state. Every OSD of that cluster existed, was up and had
// reweight and primary affinity 1, which the callbacks supply here.
func TestOSDTreeGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/mon/*.tree.json")
	if len(files) < 10 {
		t.Fatalf("only %d tree goldens", len(files))
	}
	for _, f := range files {
		base := strings.TrimSuffix(f, ".tree.json")
		m, _ := loadMap(t, base+".bin")
		nodes := m.TreeNodes(false, nil, func(o *Object, id int32) {
			o.Set("exists", 1).Set("status", "up").Set("reweight", Float(1)).Set("primary_affinity", Float(1))
		})
		got, err := RenderJSON(NewObject().Set("nodes", nodes).Set("stray", []any{}), false)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(f)
		want = bytes.TrimSpace(want)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\ngot  %s\nwant %s", f, got, want)
		}

		plain := m.TreePlain(false, nil, []string{"STATUS", "REWEIGHT", "PRI-AFF"}, func(id int32) []string {
			return []string{"up", WeightString(1), WeightString(1)}
		})
		wantPlain, _ := os.ReadFile(base + ".tree.txt")
		if strings.TrimRight(plain, "\n") != strings.TrimRight(string(wantPlain), "\n") {
			t.Errorf("%s plain:\ngot\n%s\nwant\n%s", base, plain, wantPlain)
		}
	}
}

// TestCrushtoolTree compares CrushTreePlain (shadow trees shown) with
// `crushtool --tree`.
func TestCrushtoolTree(t *testing.T) {
	files, _ := filepath.Glob("testdata/trees/*.txt")
	if len(files) < 10 {
		t.Fatalf("only %d tree goldens", len(files))
	}
	for _, f := range files {
		m, _ := loadMap(t, "testdata/bin/"+strings.TrimSuffix(filepath.Base(f), ".txt")+".bin")
		want, _ := os.ReadFile(f)
		got := m.CrushTreePlain(true, nil)
		if strings.TrimRight(got, "\n") != strings.TrimRight(string(want), "\n") {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", f, got, want)
		}
	}
}
