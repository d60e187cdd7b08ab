package crush

import (
	"testing"
)

// TestCrushtoolModifications replays crushtool's --add-item, --reweight-item,
// --remove-item and --reweight (see testdata/gen.sh) with kelp's helpers and
// compares the bytes: this checks list sums, tree node weights, straw
// lengths (both straw_calc_versions) and weight propagation.
func TestCrushtoolModifications(t *testing.T) {
	load := func(name string) *CrushMap {
		m, _ := loadMap(t, "testdata/bin/"+name+".bin")
		return m
	}
	for _, c := range []struct {
		golden, base string
		do           func(m *CrushMap) error
	}{
		{"mod-add-straw", "algs", func(m *CrushMap) error {
			return m.InsertItem(20, WeightFixed(1.5), "osd.20", Location{"host": "h-straw", "rack": "r3", "root": "default"})
		}},
		{"mod-add-tree", "algs", func(m *CrushMap) error {
			return m.InsertItem(21, WeightFixed(0.75), "osd.21", Location{"host": "h-tree"})
		}},
		{"mod-add-list", "algs", func(m *CrushMap) error {
			return m.InsertItem(22, WeightFixed(0.75), "osd.22", Location{"host": "h-list"})
		}},
		{"mod-add-newhost", "algs", func(m *CrushMap) error {
			return m.InsertItem(23, WeightFixed(2), "osd.23", Location{"host": "h-new", "rack": "r2"})
		}},
		{"mod-reweight-straw", "algs", func(m *CrushMap) error { return m.AdjustItemWeight(13, WeightFixed(3)) }},
		{"mod-reweight-tree", "algs", func(m *CrushMap) error { return m.AdjustItemWeight(10, WeightFixed(1.25)) }},
		{"mod-reweight-list", "algs", func(m *CrushMap) error { return m.AdjustItemWeight(5, WeightFixed(0.125)) }},
		{"mod-reweight-legacy", "legacy", func(m *CrushMap) error { return m.AdjustItemWeight(1, WeightFixed(2.5)) }},
		{"mod-remove-tree", "algs", func(m *CrushMap) error { return m.RemoveItem(9, false) }},
		{"mod-remove-straw", "algs", func(m *CrushMap) error { return m.RemoveItem(14, false) }},
		{"mod-remove-list", "algs", func(m *CrushMap) error { return m.RemoveItem(4, false) }},
		{"mod-reweight-all", "algs", func(m *CrushMap) error { return m.Reweight() }},
		{"mod-classes-reweight", "classes", func(m *CrushMap) error { return m.AdjustItemWeight(4, WeightFixed(2)) }},
		{"mod-classes-rename", "classes", func(m *CrushMap) error { return m.RenameClass("ssd", "flash") }},
		{"mod-classes-add", "classes", func(m *CrushMap) error {
			return m.InsertItem(9, WeightFixed(1), "osd.9", Location{"host": "n4", "root": "default"})
		}},
	} {
		m := load(c.base)
		if err := c.do(m); err != nil {
			t.Errorf("%s: %v", c.golden, err)
			continue
		}
		t.Run(c.golden, func(t *testing.T) { checkBytes(t, c.golden, m, "testdata/bin/"+c.golden+".bin") })
	}
}
