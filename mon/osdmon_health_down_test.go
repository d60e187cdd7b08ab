package mon

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/crush"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// TestDownChecks runs downChecks over a real monitor's CRUSH map (host
// vm holding osd.0 and osd.1 under root default, host h2 holding osd.2
// in rack r1) with OSDs marked down, new or removed. The expected texts
// are those TestOSDDownChecksMatchCephMon sees from ceph-mon for the same
// layouts.
func TestDownChecks(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "maps", "crush", "testdata", "mon", "08-moveh2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	cm, err := crush.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	const up, down, gone, fresh = 0, 1, 2, 3
	for _, c := range []struct {
		name  string
		state [4]int // osd.0 to osd.3 (osd.3 is in no bucket)
		want  map[string]healthCheck
	}{
		{"all up", [4]int{up, up, up, up}, map[string]healthCheck{}},
		{"never booted", [4]int{up, up, up, fresh}, map[string]healthCheck{}},
		{"one down", [4]int{down, up, up, up}, map[string]healthCheck{
			"OSD_DOWN": {healthWarn, "1 osds down", 1, []string{"osd.0 (root=default,host=vm) is down"}},
		}},
		{"a host down", [4]int{down, down, up, up}, map[string]healthCheck{
			"OSD_HOST_DOWN": {healthWarn, "1 host (2 osds) down", 1, []string{"host vm (root=default) (2 osds) is down"}},
			"OSD_DOWN": {healthWarn, "2 osds down", 2, []string{
				"osd.0 (root=default,host=vm) is down", "osd.1 (root=default,host=vm) is down"}},
		}},
		{"a rack down", [4]int{up, up, down, up}, map[string]healthCheck{
			"OSD_RACK_DOWN": {healthWarn, "1 rack (1 osds) down", 1, []string{"rack r1 (root=default) (1 osds) is down"}},
			"OSD_HOST_DOWN": {healthWarn, "1 host (1 osds) down", 1, []string{"host h2 (root=default,rack=r1) (1 osds) is down"}},
			"OSD_DOWN":      {healthWarn, "1 osds down", 1, []string{"osd.2 (root=default,rack=r1,host=h2) is down"}},
		}},
		{"everything down, one outside CRUSH", [4]int{down, down, down, down}, map[string]healthCheck{
			"OSD_ROOT_DOWN": {healthWarn, "1 root (3 osds) down", 1, []string{"root default (3 osds) is down"}},
			"OSD_RACK_DOWN": {healthWarn, "1 rack (1 osds) down", 1, []string{"rack r1 (root=default) (1 osds) is down"}},
			"OSD_HOST_DOWN": {healthWarn, "2 hosts (3 osds) down", 2, []string{
				"host vm (root=default) (2 osds) is down", "host h2 (root=default,rack=r1) (1 osds) is down"}},
			"OSD_DOWN": {healthWarn, "4 osds down", 4, []string{"osd.0 (root=default,host=vm) is down",
				"osd.1 (root=default,host=vm) is down", "osd.2 (root=default,rack=r1,host=h2) is down", "osd.3 () is down"}},
		}},
		{"removed from the OSDMap", [4]int{up, up, gone, up}, map[string]healthCheck{
			"OSD_ORPHAN": {healthWarn, "1 osds exist in the crush map but not in the osdmap", 1,
				[]string{"osd.2 exists in crush map but not in osdmap"}},
		}},
	} {
		m := osdmap.New()
		m.SetMaxOSD(4)
		for o, s := range c.state {
			switch s {
			case up:
				m.OSDState[o] = osdmap.StateExists | osdmap.StateUp
			case down:
				m.OSDState[o] = osdmap.StateExists
			case fresh:
				m.OSDState[o] = osdmap.StateExists | osdmap.StateNew
			}
			if s != gone {
				m.OSDWeight[o] = osdmap.WeightIn
			}
		}
		m.SetCrush(cm, encoding.FeaturesPacific)
		got := map[string]healthCheck{}
		downChecks(m, cm, got)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}
