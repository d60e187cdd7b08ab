//go:build interop

package mon_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// osdChecks returns the OSD_* checks of `health detail -f json`.
func osdChecks(t *testing.T, c *harness.Cluster) map[string]any {
	t.Helper()
	var h struct {
		Checks map[string]any `json:"checks"`
	}
	out := cephOut(t, c, "health", "detail", "-f", "json")
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("health detail: %v\n%s", err, out)
	}
	for k := range h.Checks {
		if !strings.HasPrefix(k, "OSD_") {
			delete(h.Checks, k)
		}
	}
	return h.Checks
}

// TestOSDDownChecksMatchCephMon runs three real OSDs against a real
// ceph-mon and against kelp-mon, marks them down one by one (noup keeps
// them down), spreads them over CRUSH buckets and removes one from the
// OSDMap, beside one created that never boots: after each step the OSD_DOWN,
// OSD_<TYPE>_DOWN and OSD_ORPHAN checks (summaries, counts and details)
// must be equal on both monitors.
func TestOSDDownChecksMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph-osd", "ceph", "ceph-authtool")
	conf := map[string]string{
		"osd objectstore":       "memstore",
		"memstore device bytes": "268435456",
		"osd pool default size": "1",
	}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	both := []*harness.Cluster{real, kelp}
	for _, c := range both {
		for range 3 {
			c.AddOSD()
		}
	}
	for _, c := range both {
		waitFor(t, c, "three OSDs up", func() bool {
			var st struct {
				NumUp int `json:"num_up_osds"`
			}
			out := cephOut(t, c, "osd", "stat", "-f", "json")
			return json.Unmarshal([]byte(out), &st) == nil && st.NumUp == 3
		})
	}
	steps := [][]string{
		{"osd new 44444444-4444-4444-4444-444444444444"}, // in, down and never booted: not counted
		{"osd set noup", "osd down 0"},
		{"osd down 1 2"},
		{"osd crush add-bucket h2 host", "osd crush move h2 root=default", "osd crush create-or-move osd.2 1.0 host=h2 root=default"},
		{"osd crush add-bucket r1 rack", "osd crush move r1 root=default", "osd crush move h2 rack=r1"},
		{"osd out 2", "osd rm 2"},
	}
	for _, step := range steps {
		for _, cmd := range step {
			for _, c := range both {
				cephOut(t, c, strings.Fields(cmd)...)
			}
		}
		r, k := osdChecks(t, real), osdChecks(t, kelp)
		if !reflect.DeepEqual(r, k) {
			rj, _ := json.MarshalIndent(r, "", "  ")
			kj, _ := json.MarshalIndent(k, "", "  ")
			t.Errorf("after %q:\nceph-mon: %s\nkelp-mon: %s", step, rj, kj)
		} else {
			t.Logf("after %q: %d OSD checks alike: %v", step, len(k), keysOf(k))
		}
	}
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
