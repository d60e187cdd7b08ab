package mon

import (
	"fmt"
	"strings"

	"github.com/kelp-ceph/kelp/maps/fsmap"
)

// fsCheck is one health check the file systems raise: Ceph counts it per
// file system (or per damaged rank) and fills the count into a summary
// template (health_check_map_t's %num%, %plurals%, %isorare%, %hasorhave%).
type fsCheck struct {
	severity, template string
	count              int
	detail             []string
}

func (c *fsCheck) add(n int, detail ...string) {
	c.count += n
	c.detail = append(c.detail, detail...)
}

func (c *fsCheck) summary() string {
	plural, isare, hashave := "", "is", "has"
	if c.count > 1 {
		plural, isare, hashave = "s", "are", "have"
	}
	return strings.NewReplacer("%num%", fmt.Sprint(c.count), "%plurals%", plural,
		"%isorare%", isare, "%hasorhave%", hashave).Replace(c.template)
}

// healthChecks raises what FSMap::get_health_checks and
// MDSMap::get_health_checks raise for maps without laggy daemons.
func (s *mdsMon) healthChecks() map[string]healthCheck {
	fm := s.current
	if fm == nil || len(fm.Filesystems) == 0 {
		return nil
	}
	checks := map[string]*fsCheck{
		"MDS_DAMAGE":           {severity: healthErr, template: "%num% mds daemon%plurals% damaged"},
		"FS_DEGRADED":          {severity: healthWarn, template: "%num% filesystem%plurals% %isorare% degraded"},
		"MDS_UP_LESS_THAN_MAX": {severity: healthWarn, template: "%num% filesystem%plurals% %isorare% online with fewer MDS than max_mds"},
		"MDS_ALL_DOWN":         {severity: healthErr, template: "%num% filesystem%plurals% %isorare% offline"},
		"FS_WITH_FAILED_MDS":   {severity: healthWarn, template: "%num% filesystem%plurals% %hasorhave% a failed mds daemon"},
	}
	for _, id := range fm.FSCIDs() {
		mm := fm.Filesystems[id].MDSMap
		for _, r := range mm.Damaged {
			checks["MDS_DAMAGE"].add(1, fmt.Sprintf("fs %s mds.%d is damaged", mm.FSName, r))
		}
		if mm.IsDegraded() {
			checks["FS_DEGRADED"].add(1, fmt.Sprintf("fs %s is degraded", mm.FSName))
		}
		if len(mm.In) < int(mm.MaxMDS) {
			checks["MDS_UP_LESS_THAN_MAX"].add(1, fmt.Sprintf("fs %s has %d MDS online, but wants %d", mm.FSName, len(mm.In), mm.MaxMDS))
		}
		if mm.NumUp() == 0 && mm.MaxMDS > 0 {
			checks["MDS_ALL_DOWN"].add(1, fmt.Sprintf("fs %s is offline because no MDS is active for it.", mm.FSName))
		}
		// Failed ranks are "stuck" when no standby could take them.
		if n := len(mm.Failed); n > 0 && !hasReplacement(fm, mm) {
			plural := ""
			if n > 1 {
				plural = "s"
			}
			checks["FS_WITH_FAILED_MDS"].add(1, fmt.Sprintf("fs %s has %d failed mds%s", mm.FSName, n, plural))
		}
	}
	out := map[string]healthCheck{}
	for code, c := range checks {
		if c.count > 0 {
			out[code] = healthCheck{Severity: c.severity, Summary: c.summary(), Count: c.count, Detail: c.detail}
		}
	}
	return out
}

// hasReplacement reports whether a daemon could take a failed rank of mm
// (FSMap::find_replacement_for, without the compat refinements): a
// standby-replay daemon in the file system or a standby that is neither
// laggy nor frozen.
func hasReplacement(fm *fsmap.FSMap, mm *fsmap.MDSMap) bool {
	for _, in := range mm.Info {
		if in.State == fsmap.StateStandbyReplay {
			return true
		}
	}
	for _, in := range fm.StandbyDaemons {
		if !in.Laggy() && in.Flags&1 == 0 {
			return true
		}
	}
	return false
}
