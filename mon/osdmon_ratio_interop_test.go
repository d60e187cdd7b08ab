//go:build interop

package mon_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestFullRatiosAndScrubFlagsMatchCephMon sets the OSDMap's full ratios
// out of order and pools' scrub flags on a real ceph-mon and on kelp-mon:
// the commands answer alike, `health`, `health detail` (text and JSON)
// are byte for byte equal (OSD_OUT_OF_ORDER_FULL, and POOL_SCRUB_FLAGS,
// a check of severity OK), and `osd dump` holds the same ratios.
func TestFullRatiosAndScrubFlagsMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	// No MON_DISK_LOW, which each monitor raises on its own schedule.
	conf := map[string]string{"mon data avail warn": "1", "mon data avail crit": "0"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	health := []string{"health", "health detail", "health detail -f json", "health -f json-pretty"}
	var cmds []string
	for _, step := range [][]string{
		{"osd pool create p1 8", "osd pool create p2 8"},
		{"osd pool set p1 noscrub true"},
		{"osd pool set p2 nodeep-scrub true", "osd pool set p1 nodeep-scrub 1"},
		{"osd pool set p1 noscrub false", "osd pool set p1 nodeep-scrub false", "osd pool set p2 nodeep-scrub false"},
		{"osd set-nearfull-ratio 0.99"},
		{"osd set-backfillfull-ratio 0.995", "osd set-full-ratio 0.999"},
		{"osd set-full-ratio 0.5", "osd set-full-ratio 1.5", "osd set-nearfull-ratio abc", "osd set-backfillfull-ratio -0.1"},
		{"osd set-nearfull-ratio 0.85", "osd set-backfillfull-ratio 0.9", "osd set-full-ratio 0.95"},
	} {
		cmds = append(append(cmds, step...), health...)
	}
	for _, c := range cmds {
		args := strings.Fields(c)
		r, k := runCeph(t, real, args...), runCeph(t, kelp, args...)
		if r.code != k.code || r.errOut != k.errOut || r.out != k.out {
			t.Errorf("ceph %s:\nceph-mon: exit %d %q %q\nkelp-mon: exit %d %q %q", c, r.code, r.out, r.errOut, k.code, k.out, k.errOut)
		}
		if c == "health" {
			// `ceph -s` shows the same checks under health:, also when
			// the only one is of severity OK.
			if rh, kh := statusHealth(t, real), statusHealth(t, kelp); rh != kh {
				t.Errorf("ceph -s health section:\nceph-mon: %q\nkelp-mon: %q", rh, kh)
			}
		}
	}
	ratios := func(c *harness.Cluster) [3]float64 {
		var d struct {
			Full, Backfill, Near float64
		}
		var raw map[string]any
		if err := json.Unmarshal([]byte(cephOut(t, c, "osd", "dump", "-f", "json")), &raw); err != nil {
			t.Fatal(err)
		}
		d.Full, _ = raw["full_ratio"].(float64)
		d.Backfill, _ = raw["backfillfull_ratio"].(float64)
		d.Near, _ = raw["nearfull_ratio"].(float64)
		return [3]float64{d.Full, d.Backfill, d.Near}
	}
	if r, k := ratios(real), ratios(kelp); r != k {
		t.Errorf("osd dump ratios: ceph-mon %v, kelp-mon %v", r, k)
	}
}

// statusHealth is the health section of `ceph -s`: the lines from
// "health:" up to the blank line before "services:".
func statusHealth(t *testing.T, c *harness.Cluster) string {
	t.Helper()
	out := cephOut(t, c, "-s")
	i := strings.Index(out, "health:")
	j := strings.Index(out, "services:")
	if i < 0 || j < i {
		t.Fatalf("ceph -s:\n%s", out)
	}
	return out[i:j]
}
