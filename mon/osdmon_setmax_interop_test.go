//go:build interop

package mon_test

import (
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestSetMaxOSDAndMinCompatClientMatchCephMon: `osd setmaxosd`, `osd
// set-require-min-compat-client` and `osd require-osd-release` answer as
// a real ceph-mon does, refusals included, and leave the same max_osd,
// require_min_compat_client and require_osd_release.
func TestSetMaxOSDAndMinCompatClientMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	real := harness.StartMon(t, harness.Options{})
	kelp := harness.StartKelpMon(t, harness.Options{})
	mapLines := func(out string) string {
		var b strings.Builder
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "max_osd ") || strings.HasPrefix(l, "require_min_compat_client ") ||
				strings.HasPrefix(l, "min_compat_client ") || strings.HasPrefix(l, "require_osd_release ") {
				b.WriteString(l + "\n")
			}
		}
		return b.String()
	}
	for _, c := range []string{
		"osd new 11111111-1111-1111-1111-111111111111", "osd new 22222222-2222-2222-2222-222222222222",
		"osd setmaxosd 10", "osd setmaxosd 10", "osd dump", "osd setmaxosd 1", "osd setmaxosd 2", "osd setmaxosd 0",
		"osd setmaxosd -1", "osd setmaxosd 100000000", "osd dump",
		"osd set-require-min-compat-client firefly", "osd set-require-min-compat-client jewel", "osd dump",
		"osd set-require-min-compat-client luminous", "osd set-require-min-compat-client nautilus",
		"osd set-require-min-compat-client foo", "osd set-require-min-compat-client reef",
		"osd set-require-min-compat-client quincy", "osd set-require-min-compat-client Luminous",
		"osd set-require-min-compat-client hammer --yes-i-really-mean-it", "osd dump",
		"osd set-require-min-compat-client luminous", "osd dump",
		"osd require-osd-release pacific", "osd require-osd-release octopus", "osd require-osd-release quincy",
		"osd require-osd-release nautilus --yes-i-really-mean-it", "osd require-osd-release pacific --yes-i-really-mean-it",
		"osd dump",
	} {
		args := strings.Fields(c)
		r, k := runCeph(t, real, args...), runCeph(t, kelp, args...)
		if c == "osd dump" {
			r.out, k.out = mapLines(r.out), mapLines(k.out)
		}
		if r.code != k.code || r.errOut != k.errOut || r.out != k.out {
			t.Errorf("ceph %s:\nceph-mon: exit %d %q %q\nkelp-mon: exit %d %q %q", c, r.code, r.out, r.errOut, k.code, k.out, k.errOut)
		}
	}
}
