package mon

import (
	"fmt"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// Failure detection (OSDMonitor::prepare_failure, check_failure,
// force_failure) and the down-out timer (OSDMonitor::tick): peers report
// an OSD they cannot reach; it is marked down at once when a report says
// the failure is certain (FLAG_IMMEDIATE), or once reporters from at
// least mon_osd_min_down_reporters subtrees (mon_osd_reporter_subtree_level)
// have seen it failed for osd_heartbeat_grace. An OSD down for
// mon_osd_down_out_interval is marked out (autoout).

// failureInfo is what the monitor knows of one reported OSD.
type failureInfo struct {
	// reporters maps each reporting OSD to its subtree and since when it
	// has seen the target failed.
	reporters map[int32]failureReport
}

type failureReport struct {
	subtree     string
	failedSince time.Time
}

// reporterSubtree names the bucket of the reporter's ancestors at
// mon_osd_reporter_subtree_level, or the OSD itself.
func (s *osdMon) reporterSubtree(o int32) string {
	name := fmt.Sprintf("osd.%d", o)
	cm, err := s.osdmap.CrushMap()
	if err != nil {
		return name
	}
	level, ok := cm.TypeID(s.opts.reporterSubtreeLevel)
	if !ok {
		return name
	}
	id := o
	for range 64 {
		p, ok := cm.ImmediateParent(id)
		if !ok {
			return name
		}
		if b := cm.Bucket(p); b != nil && int32(b.Type) == level {
			n, _ := cm.ItemName(p)
			return n
		}
		id = p
	}
	return name
}

func (s *osdMon) handleFailure(sess *Session, mg *msg.OSDFailure) {
	from := fromOSD(sess)
	m := s.osdmap
	target := mg.TargetOSD
	if from < 0 || mg.FSID != m.FSID || !m.IsUp(from) || !m.IsUp(target) ||
		!slices.Equal(m.ClientAddrs[target], mg.TargetAddrs) || m.Flags&osdmap.FlagNoDown != 0 {
		return
	}
	if s.failures == nil {
		s.failures = map[int32]*failureInfo{}
	}
	fi := s.failures[target]
	if mg.Flags&msg.FailureFlagFailed == 0 {
		if fi != nil {
			delete(fi.reporters, from)
			if len(fi.reporters) == 0 {
				delete(s.failures, target)
			}
		}
		return
	}
	if mg.Flags&msg.FailureFlagImmediate != 0 {
		s.m.log.Info("osd reported failed (immediate)", "osd", target, "by", from)
		s.markFailed(target)
		return
	}
	if fi == nil {
		fi = &failureInfo{reporters: map[int32]failureReport{}}
		s.failures[target] = fi
	}
	fi.reporters[from] = failureReport{subtree: s.reporterSubtree(from),
		failedSince: s.now().Add(-time.Duration(mg.FailedFor) * time.Second)}
	s.checkFailure(target)
}

// checkFailure marks an OSD down when enough subtrees have seen it
// failed for long enough.
func (s *osdMon) checkFailure(target int32) {
	fi := s.failures[target]
	if fi == nil {
		return
	}
	if !s.osdmap.IsUp(target) {
		delete(s.failures, target)
		return
	}
	subtrees := map[string]bool{}
	var oldest time.Time
	for _, r := range fi.reporters {
		subtrees[r.subtree] = true
		if oldest.IsZero() || r.failedSince.Before(oldest) {
			oldest = r.failedSince
		}
	}
	grace := time.Duration(s.opts.heartbeatGrace) * time.Second
	if uint64(len(subtrees)) >= s.opts.minDownReporters && s.now().Sub(oldest) >= grace {
		s.m.log.Info("osd failed", "osd", target, "reporters", len(fi.reporters), "subtrees", len(subtrees))
		s.markFailed(target)
	}
}

// markFailed marks an up OSD down in the pending incremental.
func (s *osdMon) markFailed(target int32) {
	delete(s.failures, target)
	pm := s.pendingOSDMap()
	if !pm.IsUp(target) {
		return
	}
	xorState(s.pendingInc(), target, osdmap.StateUp)
	s.m.proposeAndThen(nil)
}

// tick re-checks pending failure reports and marks out OSDs that have
// been down for mon_osd_down_out_interval (OSDMonitor::tick).
func (s *osdMon) tick() {
	if s.osdmap == nil {
		return
	}
	for _, target := range slicesSortedKeys(s.failures) {
		s.checkFailure(target)
	}
	s.reportTimeouts()
	s.downOut()
}

// noteReport records that an OSD was heard from (boot or beacon).
func (s *osdMon) noteReport(o int32) {
	if s.lastReport == nil {
		s.lastReport = map[int32]time.Time{}
	}
	s.lastReport[o] = s.now()
}

// reportTimeouts is handle_osd_timeouts: an up OSD not heard from for
// mon_osd_report_timeout is marked down. OSDs up before this monitor
// started are timed from when it first looked.
func (s *osdMon) reportTimeouts() {
	timeout := time.Duration(s.opts.reportTimeout) * time.Second
	m := s.osdmap
	if timeout <= 0 || m.Flags&osdmap.FlagNoDown != 0 {
		return
	}
	if s.lastReport == nil {
		s.lastReport = map[int32]time.Time{}
	}
	now := s.now()
	for o := int32(0); o < m.MaxOSD; o++ {
		if !m.IsUp(o) {
			delete(s.lastReport, o)
			continue
		}
		last, ok := s.lastReport[o]
		if !ok {
			s.lastReport[o] = now
			continue
		}
		if now.Sub(last) > timeout && m.OSDState[o]&osdmap.StateNoDown == 0 {
			s.m.log.Info("osd sent no beacon; marking it down", "osd", o, "last", last)
			delete(s.lastReport, o)
			s.markFailed(o)
		}
	}
}

func slicesSortedKeys(m map[int32]*failureInfo) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// downOut marks out (and autoout) the OSDs down longer than
// mon_osd_down_out_interval, unless noout is set for the cluster or the
// OSD.
func (s *osdMon) downOut() {
	m := s.osdmap
	interval := time.Duration(s.opts.downOutInterval) * time.Second
	if interval <= 0 || m.Flags&osdmap.FlagNoOut != 0 {
		return
	}
	pm := s.pendingOSDMap()
	now := s.now()
	changed := false
	for o := int32(0); o < m.MaxOSD; o++ {
		if !m.Exists(o) || m.IsUp(o) || m.IsOut(o) || m.IsDestroyed(o) || m.OSDState[o]&osdmap.StateNoOut != 0 {
			continue
		}
		if !pm.IsIn(o) || pm.IsUp(o) {
			continue // already being changed
		}
		down := m.OSDXInfo[o].DownStamp
		if down.IsZero() || now.Sub(down.Time()) < interval {
			continue
		}
		inc := s.pendingInc()
		setWeight(inc, o, osdmap.WeightOut)
		if m.OSDState[o]&osdmap.StateAutoOut == 0 {
			xorState(inc, o, osdmap.StateAutoOut)
		}
		xi := m.OSDXInfo[o]
		xi.OldWeight = m.OSDWeight[o]
		if inc.NewXInfo == nil {
			inc.NewXInfo = map[int32]osdmap.OSDXInfo{}
		}
		inc.NewXInfo[o] = xi
		s.m.log.Info("marking osd out after being down", "osd", o, "down_since", down.String())
		changed = true
	}
	if changed {
		s.m.proposeAndThen(nil)
	}
}
