package crush

import (
	"bytes"
	"os"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func goldenBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkBytes(t *testing.T, what string, m *CrushMap, path string) {
	t.Helper()
	got := m.Encode(encoding.FeaturesPacific)
	want := goldenBytes(t, path)
	if !bytes.Equal(got, want) {
		g, _ := Decode(got)
		w, _ := Decode(want)
		t.Fatalf("%s: encoding differs from %s at byte %d (got %d bytes, want %d)\ngot  %s\nwant %s",
			what, path, firstDiff(got, want), len(got), len(want), summary(g), summary(w))
	}
}

func TestBuildSimpleMatchesMon(t *testing.T) {
	// The reference mon ran with osd_crush_chooseleaf_type = 0.
	m, err := BuildSimple(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkBytes(t, "fresh mon", m, "testdata/mon/fresh.bin")
	m, err = BuildSimple(4, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkBytes(t, "osdmaptool --createsimple 4", m, "testdata/mon/createsimple4.bin")
}

// TestMonCommandReplay applies the commands the reference mon ran (see
// testdata/README.md) through the helpers and compares every step's bytes.
func TestMonCommandReplay(t *testing.T) {
	m, err := BuildSimple(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Boot: each OSD runs set-device-class hdd, then create-or-move with
	// weight 0.0002 (its 256 MiB memstore in TiB) at host=vm root=default.
	for o := int32(0); o < 3; o++ {
		name := "osd." + string(rune('0'+o))
		if m.MaxDevices < o+1 {
			m.MaxDevices = o + 1
		}
		if !m.ItemExists(o) {
			if err := m.SetItemName(o, name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.UpdateDeviceClass(o, "hdd"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.CreateOrMoveItem(o, WeightFixed(0.0002), name, Location{"host": "vm", "root": "default"}); err != nil {
			t.Fatal(err)
		}
	}
	checkBytes(t, "boot", m, "testdata/mon/00-boot.bin")

	steps := []struct {
		golden string
		do     func() error
	}{
		{"01-addbucket", func() error {
			// OSDMonitor's add-bucket only adds and names the bucket.
			_, err := m.AddBucket(0, 0, 1, "h2")
			return err
		}},
		{"02-move", func() error { return m.MoveBucket(mustID(t, m, "h2"), Location{"root": "default"}) }},
		{"03-set", func() error {
			_, err := m.UpdateItem(2, WeightFixed(0.5), "osd.2", Location{"host": "h2", "root": "default"})
			return err
		}},
		{"04-reweight", func() error { return m.AdjustItemWeight(0, WeightFixed(0.25)) }},
		{"05-class", func() error {
			if err := m.RemoveDeviceClass(1); err != nil {
				return err
			}
			_, err := m.UpdateDeviceClass(1, "ssd")
			return err
		}},
		{"06-rule", func() error {
			_, err := m.AddSimpleRule("fast", "default", "host", "ssd", "firstn", RuleReplicated, -1)
			return err
		}},
		{"07-rack", func() error {
			id, err := m.AddBucket(0, 0, 3, "r1")
			if err != nil {
				return err
			}
			return m.MoveBucket(id, Location{"root": "default"})
		}},
		{"08-moveh2", func() error { return m.MoveBucket(mustID(t, m, "h2"), Location{"rack": "r1"}) }},
		{"09-rule2", func() error {
			_, err := m.AddSimpleRule("byrack", "default", "rack", "", "firstn", RuleReplicated, -1)
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.golden, err)
		}
		checkBytes(t, s.golden, m, "testdata/mon/"+s.golden+".bin")
	}
}

func mustID(t *testing.T, m *CrushMap, name string) int32 {
	id, ok := m.ItemID(name)
	if !ok {
		t.Fatalf("no item %q", name)
	}
	return id
}

func TestFindRule(t *testing.T) {
	m, _ := loadMap(t, "testdata/bin/algs.bin")
	for _, c := range []struct {
		ruleset int
		typ     RuleType
		size    int
		want    int
	}{
		{0, RuleReplicated, 3, 0},
		{1, RuleErasure, 6, 1},
		{1, RuleErasure, 2, -1}, // below min_size 3
		{1, RuleReplicated, 6, -1},
		{5, RuleErasure, 4, 5},
		{9, RuleReplicated, 3, -1},
	} {
		if got := m.FindRule(c.ruleset, c.typ, c.size); got != c.want {
			t.Errorf("FindRule(%d,%v,%d) = %d, want %d", c.ruleset, c.typ, c.size, got, c.want)
		}
	}
}
