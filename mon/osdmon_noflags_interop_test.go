//go:build interop

package mon_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestOSDNoFlagsMatchCephMon: `osd pause`/`unpause` and the
// `osd add-noup|nodown|noin|noout` and rm- commands, on OSDs, CRUSH nodes
// and device classes, answer as a real ceph-mon does (also for OSDs that
// do not exist, wildcards and ids that do not parse), and leave the same
// OSD states (`osd dump`'s OSD lines) and the same OSD_FLAGS and
// OSDMAP_FLAGS health checks.
func TestOSDNoFlagsMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	conf := map[string]string{"mon data avail warn": "1", "mon data avail crit": "0"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	osdLines := func(out string) string {
		var b strings.Builder
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "osd.") {
				b.WriteString(l + "\n")
			}
		}
		return b.String()
	}
	for _, c := range []string{
		"osd new 11111111-1111-1111-1111-111111111111", "osd new 22222222-2222-2222-2222-222222222222",
		"osd pause", "osd pause", "health detail", "osd unpause", "osd unpause", "health detail",
		"osd add-noup 0", "osd add-noup 0", "osd add-noup 5", "osd add-noup 0 1 5", "osd add-noout any",
		"osd add-nodown all", "osd add-noin osd.1", "osd add-noup foo", "osd add-noup -1", "osd add-noin 5 all",
		"health detail", "health detail -f json", "osd dump",
		"osd rm-noout 0", "osd rm-noup any", "osd rm-noup 0", "osd rm-nodown 0 1", "osd rm-noin 1", "osd rm-noin 1",
		"health detail", "osd dump",
		"osd crush add-bucket h1 host", "osd crush add-bucket r1 rack", "osd crush class create fast",
		"osd add-noup h1", "osd add-noout fast", "osd add-nodown r1 0", "health detail", "health detail -f json",
		"osd dump -f json",
		"osd rm-noup h1", "osd rm-nodown r1", "health detail", "osd rm-noout fast", "osd rm-nodown 0", "health detail",
	} {
		args := strings.Fields(c)
		r, k := runCeph(t, real, args...), runCeph(t, kelp, args...)
		if c == "osd dump" {
			r.out, k.out = osdLines(r.out), osdLines(k.out)
		}
		if c == "osd dump -f json" {
			r.out, k.out = nodeFlags(t, r.out), nodeFlags(t, k.out)
		}
		if r.code != k.code || r.errOut != k.errOut || r.out != k.out {
			t.Errorf("ceph %s:\nceph-mon: exit %d %q %q\nkelp-mon: exit %d %q %q", c, r.code, r.out, r.errOut, k.code, k.out, k.errOut)
		}
	}
}

// nodeFlags keeps the CRUSH node and device class flags of `osd dump -f
// json`, as data.
func nodeFlags(t *testing.T, out string) string {
	t.Helper()
	var d struct {
		Nodes   map[string][]string `json:"crush_node_flags"`
		Classes map[string][]string `json:"device_class_flags"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("osd dump -f json: %v", err)
	}
	return fmt.Sprint(d)
}
