package mon

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/maps/crush"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// healthFlags are the OSDMap flags OSDMAP_FLAGS reports when set
// (OSDMap::check_health).
var healthFlags = map[string]bool{"pauserd": true, "pausewr": true, "noup": true, "nodown": true,
	"noin": true, "noout": true, "nobackfill": true, "norebalance": true, "norecover": true,
	"noscrub": true, "nodeep-scrub": true, "notieragent": true, "nosnaptrim": true}

// healthChecks raises the checks that follow from the OSDMap
// (OSDMap::check_health): the down checks (downChecks), OSDMAP_FLAGS for
// operator flags, OSD_FLAGS, OSD_OUT_OF_ORDER_FULL, POOL_SCRUB_FLAGS and
// POOL_NO_REDUNDANCY for pools of size 1.
func (s *osdMon) healthChecks() map[string]healthCheck {
	m := s.osdmap
	if m == nil {
		return nil
	}
	out := map[string]healthCheck{}
	cm, err := m.CrushMap()
	if err == nil {
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
	if flagged := noFlagsDetail(m, cm); len(flagged) > 0 {
		out["OSD_FLAGS"] = healthCheck{Severity: healthWarn, Count: len(flagged), Detail: flagged,
			Summary: fmt.Sprintf("%d OSDs or CRUSH {nodes, device-classes} have {NOUP,NODOWN,NOIN,NOOUT} flags set", len(flagged))}
	}
	if c, ok := outOfOrderFull(m, s.opts.failsafeFullRatio); ok {
		out["OSD_OUT_OF_ORDER_FULL"] = c
	}
	var scrub []string
	var noscrub, nodeep bool
	for _, id := range slices.Sorted(maps.Keys(m.Pools)) {
		p := m.Pools[id]
		if p.HasFlag(osdmap.PoolFlagNoScrub) {
			scrub = append(scrub, fmt.Sprintf("Pool %s has noscrub flag", m.PoolNames[id]))
			noscrub = true
		}
		if p.HasFlag(osdmap.PoolFlagNoDeepScrub) {
			scrub = append(scrub, fmt.Sprintf("Pool %s has nodeep-scrub flag", m.PoolNames[id]))
			nodeep = true
		}
	}
	if len(scrub) > 0 {
		var which []string
		if noscrub {
			which = append(which, "noscrub")
		}
		if nodeep {
			which = append(which, "nodeep-scrub")
		}
		// A check of severity OK, with a count of 0, as Ceph raises it.
		out["POOL_SCRUB_FLAGS"] = healthCheck{Severity: healthOK,
			Summary: "Some pool(s) have the " + strings.Join(which, ", ") + " flag(s) set", Detail: scrub}
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

// outOfOrderFull is OSD_OUT_OF_ORDER_FULL: the full ratios must rise from
// nearfull to backfillfull to full to the OSDs' failsafe ratio; each one
// below the one before is reported, and taken as raised to it for the
// next comparison, as OSDService::check_full_status treats them.
func outOfOrderFull(m *osdmap.OSDMap, failsafe float64) (healthCheck, bool) {
	fsr := float32(failsafe)
	if fsr > 1 {
		fsr /= 100
	}
	fr, br, nr := m.FullRatio, m.BackfillfullRatio, m.NearfullRatio
	g := func(f float32) string { return ostreamFloat(float64(f)) }
	var detail []string
	if br < nr {
		detail = append(detail, fmt.Sprintf("backfillfull_ratio (%s) < nearfull_ratio (%s), increased", g(br), g(nr)))
		br = nr
	}
	if fr < br {
		detail = append(detail, fmt.Sprintf("full_ratio (%s) < backfillfull_ratio (%s), increased", g(fr), g(br)))
		fr = br
	}
	if fsr < fr {
		detail = append(detail, fmt.Sprintf("osd_failsafe_full_ratio (%s) < full_ratio (%s), increased", g(fsr), g(fr)))
	}
	if len(detail) == 0 {
		return healthCheck{}, false
	}
	return healthCheck{Severity: healthErr, Summary: "full ratio(s) out of order", Detail: detail}, true
}

// noFlagsDetail lists the OSDs, CRUSH nodes and device classes that have
// noup, nodown, noin or noout set (OSD_FLAGS); cm may be nil when the
// map's CRUSH map does not decode.
func noFlagsDetail(m *osdmap.OSDMap, cm *crush.CrushMap) []string {
	names := func(f uint32) string { return strings.Join(osdmap.StateNames(f), ",") }
	var out []string
	const noFlags = osdmap.StateNoUp | osdmap.StateNoDown | osdmap.StateNoIn | osdmap.StateNoOut
	for o := int32(0); o < m.MaxOSD; o++ {
		if f := m.OSDState[o] & noFlags; f != 0 {
			out = append(out, fmt.Sprintf("osd.%d has flags %s", o, names(f)))
		}
	}
	if cm == nil {
		return out
	}
	for _, id := range slices.Sorted(maps.Keys(m.CrushNodeFlags)) {
		f := m.CrushNodeFlags[id]
		if f == 0 || !cm.ItemExists(id) {
			continue
		}
		tn, ok := cm.TypeNames[cm.BucketType(id)]
		if !ok {
			tn = "node"
		}
		name, _ := cm.ItemName(id)
		out = append(out, fmt.Sprintf("%s %s has flags %s", tn, name, names(f)))
	}
	for _, id := range slices.Sorted(maps.Keys(m.DeviceClassFlags)) {
		if name, ok := cm.ClassNames[id]; ok && m.DeviceClassFlags[id] != 0 {
			out = append(out, fmt.Sprintf("device class '%s' has flags %s", name, names(m.DeviceClassFlags[id])))
		}
	}
	return out
}
