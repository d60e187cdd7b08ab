package mon

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// healthFlags are the OSDMap flags OSDMAP_FLAGS reports when set
// (OSDMap::check_health).
var healthFlags = map[string]bool{"pauserd": true, "pausewr": true, "noup": true, "nodown": true,
	"noin": true, "noout": true, "nobackfill": true, "norebalance": true, "norecover": true,
	"noscrub": true, "nodeep-scrub": true, "notieragent": true, "nosnaptrim": true}

// healthChecks raises the checks that follow from the OSDMap
// (OSDMap::check_health): the down checks (downChecks), OSDMAP_FLAGS for operator flags, POOL_NO_REDUNDANCY for pools of size 1.
func (s *osdMon) healthChecks() map[string]healthCheck {
	m := s.osdmap
	if m == nil {
		return nil
	}
	out := map[string]healthCheck{}
	if cm, err := m.CrushMap(); err == nil {
		downChecks(m, cm, out)
	}
	var flags []string
	for _, f := range strings.Split(osdmap.FlagString(m.Flags), ",") {
		if healthFlags[f] {
			flags = append(flags, f)
		}
	}
	if len(flags) > 0 {
		// Ceph counts the length of the flag string ("kludgey", says
		// OSDMap::check_health); the count is shown, so it is kept.
		s := strings.Join(flags, ",")
		out["OSDMAP_FLAGS"] = healthCheck{Severity: healthWarn, Summary: s + " flag(s) set", Count: len(s)}
	}
	var single []string
	for _, id := range slices.Sorted(maps.Keys(m.Pools)) {
		if m.Pools[id].Size == 1 {
			single = append(single, fmt.Sprintf("pool '%s' has no replicas configured", m.PoolNames[id]))
		}
	}
	if len(single) > 0 {
		out["POOL_NO_REDUNDANCY"] = healthCheck{Severity: healthWarn,
			Summary: fmt.Sprintf("%d pool(s) have no replicas configured", len(single)), Count: len(single), Detail: single}
	}
	return out
}
