package mon

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/internal/cephjson"
	"github.com/kelp-ceph/kelp/mon/quorum"
)

// healthChecks raises MON_CLOCK_SKEW (below) and MON_DOWN: MON_DOWN when monitors of the monmap are out of
// the quorum, once the cluster is older than mon_down_mkfs_grace, as
// HealthMonitor::check_leader_health words it: "1/3 mons down, quorum
// a,b" and a detail line per missing monitor.
func (s *monmapMon) healthChecks() map[string]healthCheck {
	checks := s.m.clockSkew()
	if c, ok := s.monDown(); ok {
		if checks == nil {
			checks = map[string]healthCheck{}
		}
		checks["MON_DOWN"] = c
	}
	return checks
}

func (s *monmapMon) monDown() (healthCheck, bool) {
	m := s.m
	mm := m.monmap.current
	if mm == nil || len(m.quorum) >= len(mm.Ranks) {
		return healthCheck{}, false
	}
	grace := 60 * time.Second
	if c := m.opts.Conf; c != nil {
		grace = c.Duration("mon_down_mkfs_grace")
	}
	if !time.Now().After(mm.Created.Time().Add(grace)) {
		return healthCheck{}, false
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
	return healthCheck{Severity: healthWarn, Count: down, Detail: detail,
		Summary: fmt.Sprintf("%d/%d mons down, quorum %s", down, len(mm.Ranks), strings.Join(m.quorumNames(), ","))}, true
}

// timeChecks returns the last time check round's results, or nothing
// for a monitor alone.
func (m *Monitor) timeChecks() (quorum.TimeCheckStatus, *quorum.TimeCheck) {
	if m.q == nil {
		return quorum.TimeCheckStatus{Epoch: uint64(m.electionEpoch)}, nil
	}
	return m.q.tc.Status(), m.q.tc
}

// skewMessage is Monitor::timecheck_status's text for a skew beyond the
// drift allowed, "" within it.
func skewMessage(tc *quorum.TimeCheck, skew float64) string {
	if tc == nil || !tc.HasSkew(skew) {
		return ""
	}
	return fmt.Sprintf("clock skew %ss > max %ss", ostreamFloat(math.Abs(skew)), ostreamFloat(tc.DriftAllowed()))
}

// clockSkew is MON_CLOCK_SKEW: the monitors whose clock the last round
// found beyond mon_clock_drift_allowed (HealthMonitor::check_leader_health).
func (m *Monitor) clockSkew() map[string]healthCheck {
	st, tc := m.timeChecks()
	mm := m.monmap.current
	if mm == nil {
		return nil
	}
	var names, detail []string
	for _, r := range slices.Sorted(maps.Keys(st.Skews)) {
		msg := skewMessage(tc, st.Skews[r])
		if msg == "" || r >= len(mm.Ranks) {
			continue
		}
		names = append(names, "mon."+mm.Ranks[r])
		detail = append(detail, fmt.Sprintf("mon.%s %s (latency %ss)", mm.Ranks[r], msg, ostreamFloat(st.Latencies[r])))
	}
	if len(names) == 0 {
		return nil
	}
	return map[string]healthCheck{"MON_CLOCK_SKEW": {Severity: healthWarn, Count: len(detail), Detail: detail,
		Summary: "clock skew detected on " + strings.Join(names, ", ")}}
}

// timeSyncStatus is `time-sync-status`: each monitor's skew and latency
// from the last round, and where the rounds are.
func (m *Monitor) timeSyncStatus() *orderedObject {
	st, tc := m.timeChecks()
	out := newOrderedObject()
	if len(st.Skews) > 0 && m.monmap.current != nil {
		skews := newOrderedObject()
		for _, r := range slices.Sorted(maps.Keys(st.Skews)) {
			if r >= len(m.monmap.current.Ranks) {
				continue
			}
			e := newOrderedObject()
			e.set("skew", cephjson.Float(st.Skews[r]))
			e.set("latency", cephjson.Float(st.Latencies[r]))
			if msg := skewMessage(tc, st.Skews[r]); msg != "" {
				e.set("health", healthWarn)
				e.set("details", msg)
			} else {
				e.set("health", healthOK)
			}
			skews.set(m.monmap.current.Ranks[r], e)
		}
		out.set("time_skew_status", skews)
	}
	tcs := newOrderedObject()
	tcs.set("epoch", st.Epoch)
	tcs.set("round", st.Round)
	if st.Round%2 == 1 {
		tcs.set("round_status", "on-going")
	} else {
		tcs.set("round_status", "finished")
	}
	out.set("timechecks", tcs)
	return out
}
