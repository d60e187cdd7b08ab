package mon

import (
	"fmt"
	"strings"
	"time"
)

// healthChecks raises MON_DOWN when monitors of the monmap are out of
// the quorum, once the cluster is older than mon_down_mkfs_grace, as
// HealthMonitor::check_leader_health words it: "1/3 mons down, quorum
// a,b" and a detail line per missing monitor.
func (s *monmapMon) healthChecks() map[string]healthCheck {
	m := s.m
	mm := m.monmap.current
	if mm == nil || len(m.quorum) >= len(mm.Ranks) {
		return nil
	}
	grace := 60 * time.Second
	if c := m.opts.Conf; c != nil {
		grace = c.Duration("mon_down_mkfs_grace")
	}
	if !time.Now().After(mm.Created.Time().Add(grace)) {
		return nil
	}
	in := map[int]bool{}
	for _, r := range m.quorum {
		in[r] = true
	}
	var detail []string
	for r, name := range mm.Ranks {
		if !in[r] {
			detail = append(detail, fmt.Sprintf("mon.%s (rank %d) addr %s is down (out of quorum)",
				name, r, mm.Mons[name].PublicAddrs))
		}
	}
	down := len(mm.Ranks) - len(m.quorum)
	return map[string]healthCheck{"MON_DOWN": {Severity: healthWarn, Count: down, Detail: detail,
		Summary: fmt.Sprintf("%d/%d mons down, quorum %s", down, len(mm.Ranks), strings.Join(m.quorumNames(), ","))}}
}
