package quorum

import (
	"math"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// TimeCheckConfig holds the options of the monitors' clock checks.
type TimeCheckConfig struct {
	Interval      time.Duration // mon_timecheck_interval (300 s)
	SkewInterval  time.Duration // mon_timecheck_skew_interval (30 s)
	DriftAllowed  float64       // mon_clock_drift_allowed, seconds (0.05)
	MaxRoundAlive time.Duration // a round older than this is given up (3 intervals)
}

// DefaultTimeCheckConfig is Pacific's defaults.
func DefaultTimeCheckConfig() TimeCheckConfig {
	return TimeCheckConfig{Interval: 300 * time.Second, SkewInterval: 30 * time.Second, DriftAllowed: 0.05}
}

// TimeCheckEnvelope is a time check message for the monitor of rank To.
type TimeCheckEnvelope struct {
	To  int
	Msg *msg.TimeCheck2
}

// TimeCheck is the monitors' clock check (Monitor::timecheck_* in
// src/mon/Monitor.cc), free of I/O: the leader pings every peon of the
// quorum in rounds (odd round numbers are rounds under way), each peon
// answers with its clock, and from the round trip the leader bounds each
// peon's skew: the difference of the clocks less the latency, zero when
// the latency could explain it all. A finished round's skews and
// latencies are reported to the peons, so every monitor of the quorum
// can raise MON_CLOCK_SKEW. Rounds repeat every Interval, or every
// SkewInterval times the rounds since the last clean one while a skew
// persists.
type TimeCheck struct {
	cfg    TimeCheckConfig
	rank   int
	leader bool
	epoch  uint64
	quorum []int

	round           uint64
	roundStart      time.Time
	acks            int
	waiting         map[int]time.Time
	skews           map[int]float64
	latencies       map[int]float64
	roundsSinceSkew int
	next            time.Time
}

// NewTimeCheck returns an idle TimeCheck for the monitor of rank.
func NewTimeCheck(cfg TimeCheckConfig, rank int) *TimeCheck {
	if cfg.MaxRoundAlive == 0 {
		cfg.MaxRoundAlive = 3 * cfg.Interval
	}
	t := &TimeCheck{cfg: cfg, rank: rank}
	t.Reset()
	return t
}

// Reset forgets every round and result (Monitor::timecheck_cleanup),
// when the monitor leaves a quorum.
func (t *TimeCheck) Reset() {
	t.leader, t.epoch, t.quorum = false, 0, nil
	t.round, t.acks, t.roundsSinceSkew = 0, 0, 0
	t.roundStart, t.next = time.Time{}, time.Time{}
	t.waiting = map[int]time.Time{}
	t.skews = map[int]float64{}
	t.latencies = map[int]float64{}
}

// Peon makes the check follow the leader of election epoch.
func (t *TimeCheck) Peon(epoch uint64) {
	t.Reset()
	t.epoch = epoch
}

// Lead starts the checks of a new quorum led by this monitor: the first
// round at once (Monitor::timecheck_start after an election).
func (t *TimeCheck) Lead(now time.Time, epoch uint64, quorum []int) []TimeCheckEnvelope {
	t.Reset()
	t.leader, t.epoch, t.quorum = true, epoch, append([]int(nil), quorum...)
	if len(quorum) < 2 {
		return nil
	}
	return t.startRound(now)
}

// NextDeadline is when Tick must run (zero: nothing scheduled).
func (t *TimeCheck) NextDeadline() time.Time { return t.next }

// Tick starts the next round when it is due.
func (t *TimeCheck) Tick(now time.Time) []TimeCheckEnvelope {
	if !t.leader || t.next.IsZero() || now.Before(t.next) {
		return nil
	}
	return t.startRound(now)
}

// startRound is Monitor::timecheck_start_round: a round still under way
// is kept unless it is too old.
func (t *TimeCheck) startRound(now time.Time) []TimeCheckEnvelope {
	var out []TimeCheckEnvelope
	if t.round%2 == 1 && now.Sub(t.roundStart) < t.cfg.MaxRoundAlive {
		t.scheduleNext(now)
		return nil
	}
	if t.round%2 == 1 {
		t.finishRound(false)
	}
	t.acks = 1 // the leader acks itself
	t.round++
	t.roundStart = now
	t.skews[t.rank], t.latencies[t.rank] = 0, 0
	for _, r := range t.quorum {
		if r == t.rank {
			continue
		}
		t.waiting[r] = now
		out = append(out, TimeCheckEnvelope{To: r, Msg: &msg.TimeCheck2{Op: msg.TimeCheckPing,
			Epoch: t.epoch, Round: t.round}})
	}
	t.scheduleNext(now)
	return out
}

// scheduleNext is Monitor::timecheck_reset_event.
func (t *TimeCheck) scheduleNext(now time.Time) {
	delay := t.cfg.SkewInterval * time.Duration(t.roundsSinceSkew)
	if delay <= 0 || delay > t.cfg.Interval {
		delay = t.cfg.Interval
	}
	t.next = now.Add(delay)
}

// finishRound ends the round under way; a complete one is reported to
// the peons.
func (t *TimeCheck) finishRound(success bool) []TimeCheckEnvelope {
	t.round++
	t.roundStart = time.Time{}
	if !success {
		t.waiting = map[int]time.Time{}
		return nil
	}
	var out []TimeCheckEnvelope
	for _, r := range t.quorum {
		if r == t.rank {
			continue
		}
		rep := &msg.TimeCheck2{Op: msg.TimeCheckReport, Epoch: t.epoch, Round: t.round,
			Skews: map[int32]float64{}, Latencies: map[int32]float64{}}
		for p, s := range t.skews {
			rep.Skews[int32(p)] = s
			rep.Latencies[int32(p)] = t.latencies[p]
		}
		out = append(out, TimeCheckEnvelope{To: r, Msg: rep})
	}
	return out
}

// checkSkews is Monitor::timecheck_check_skews: while a skew persists,
// rounds come every SkewInterval times the rounds since a clean one; a
// clean round after skews schedules one more check soon.
func (t *TimeCheck) checkSkews(now time.Time) {
	found := false
	for _, s := range t.skews {
		if t.HasSkew(s) {
			found = true
		}
	}
	switch {
	case found:
		t.roundsSinceSkew++
		t.scheduleNext(now)
	case t.roundsSinceSkew > 0:
		t.roundsSinceSkew = 1
		t.scheduleNext(now)
		t.roundsSinceSkew = 0
	}
}

// HasSkew reports whether a skew bound is beyond the drift allowed.
func (t *TimeCheck) HasSkew(skew float64) bool { return math.Abs(skew) > t.cfg.DriftAllowed }

// DriftAllowed is mon_clock_drift_allowed, for messages.
func (t *TimeCheck) DriftAllowed() float64 { return t.cfg.DriftAllowed }

// Handle takes a time check message from the monitor of rank from and
// returns what to send (Monitor::handle_timecheck): a leader takes pongs,
// a peon answers pings and keeps reports.
func (t *TimeCheck) Handle(now time.Time, from int, m *msg.TimeCheck2) []TimeCheckEnvelope {
	if t.leader {
		if m.Op != msg.TimeCheckPong {
			return nil
		}
		return t.handlePong(now, from, m)
	}
	if t.epoch == 0 || (m.Op != msg.TimeCheckPing && m.Op != msg.TimeCheckReport) ||
		m.Epoch != t.epoch || m.Round < t.round {
		return nil
	}
	t.round = m.Round
	if m.Op == msg.TimeCheckReport {
		t.skews, t.latencies = map[int]float64{}, map[int]float64{}
		for p, s := range m.Skews {
			t.skews[int(p)] = s
		}
		for p, l := range m.Latencies {
			t.latencies[int(p)] = l
		}
		return nil
	}
	return []TimeCheckEnvelope{{To: from, Msg: &msg.TimeCheck2{Op: msg.TimeCheckPong, Epoch: m.Epoch,
		Round: m.Round, Timestamp: encoding.UTimeOf(now)}}}
}

// handlePong is Monitor::handle_timecheck_leader: the latency is the
// round trip (averaged over rounds), the skew bound the clocks'
// difference less that latency.
func (t *TimeCheck) handlePong(now time.Time, from int, m *msg.TimeCheck2) []TimeCheckEnvelope {
	if m.Epoch != t.epoch || m.Round < t.round {
		return nil
	}
	sent, ok := t.waiting[from]
	if !ok {
		return nil
	}
	delete(t.waiting, from)
	if now.Before(sent) {
		// Our clock stepped back: this round says nothing.
		return t.finishRound(false)
	}
	latency := now.Sub(sent).Seconds()
	if old, ok := t.latencies[from]; ok {
		latency = old*0.8 + latency*0.2
	}
	t.latencies[from] = latency
	delta := float64(m.Timestamp.Time().UnixNano()-now.UnixNano()) / 1e9
	bound := math.Abs(delta) - latency
	switch {
	case bound < 0:
		bound = 0
	case delta < 0:
		bound = -bound
	}
	t.skews[from] = bound
	t.acks++
	if t.acks < len(t.quorum) {
		return nil
	}
	out := t.finishRound(true)
	t.checkSkews(now)
	return out
}

// Status is what `time-sync-status` shows and MON_CLOCK_SKEW is made of:
// the last round's skew bound and latency of every monitor (seconds), the
// election epoch and the round (odd while under way).
type TimeCheckStatus struct {
	Skews, Latencies map[int]float64
	Epoch, Round     uint64
}

// Status returns the current results.
func (t *TimeCheck) Status() TimeCheckStatus {
	st := TimeCheckStatus{Skews: map[int]float64{}, Latencies: map[int]float64{}, Epoch: t.epoch, Round: t.round}
	for p, s := range t.skews {
		st.Skews[p] = s
		st.Latencies[p] = t.latencies[p]
	}
	return st
}
