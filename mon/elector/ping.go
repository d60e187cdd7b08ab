package elector

import (
	"maps"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// PingEnvelope is an MMonPing for the monitor of rank To.
type PingEnvelope struct {
	To  int
	Msg *msg.MonPing
}

type pingTimer struct {
	at   time.Time
	dead bool // dead_ping rather than ping_check
}

// pinger is Elector's peer pinging (Elector::begin_peer_ping,
// ping_check, begin_dead_ping, dead_ping, handle_ping): every
// ping_timeout/divisor a live peer is pinged; a peer whose last reply is
// older than ping_timeout is scored dead for the time it was silent,
// and keeps being scored dead every ping_timeout until it talks again.
type pinger struct {
	live, dead map[int]bool
	acked      map[int]time.Time // newest ping stamp the peer answered
	sent       map[int]time.Time // newest ping stamp sent
	timers     map[int]pingTimer
}

func (p *pinger) init() {
	p.live, p.dead = map[int]bool{}, map[int]bool{}
	p.acked, p.sent = map[int]time.Time{}, map[int]time.Time{}
	p.timers = map[int]pingTimer{}
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func (e *Elector) scoresChanged(persist bool) {
	if persist {
		e.out.Scores = e.tracker.Marshal()
	}
}

func (e *Elector) checkInterval() time.Duration {
	return e.cfg.PingTimeout / time.Duration(e.cfg.PingDivisor)
}

// beginPeerPing starts pinging peer (Elector::begin_peer_ping).
func (e *Elector) beginPeerPing(now time.Time, peer int) {
	p := &e.ping
	if !e.cfg.Pinging || p.live[peer] || peer == e.cfg.Rank || peer < 0 || peer >= e.cfg.Size {
		return
	}
	e.scoresChanged(e.tracker.ReportLive(peer, 0))
	p.live[peer] = true
	delete(p.dead, peer)
	p.acked[peer] = now
	e.sendPing(now, peer)
	p.timers[peer] = pingTimer{at: now.Add(e.checkInterval())}
}

func (e *Elector) sendPing(now time.Time, peer int) {
	e.out.Pings = append(e.out.Pings, PingEnvelope{To: peer, Msg: &msg.MonPing{
		Op: msg.MonPingPing, Stamp: encoding.UTimeOf(now), TrackerBL: e.tracker.Marshal()}})
	e.ping.sent[peer] = stampTime(encoding.UTimeOf(now))
}

func stampTime(u encoding.UTime) time.Time { return time.Unix(int64(u.Sec), int64(u.Nsec)) }

// pingCheck is Elector::ping_check.
func (e *Elector) pingCheck(now time.Time, peer int) {
	p := &e.ping
	if !p.live[peer] && !p.dead[peer] {
		delete(p.timers, peer)
		return
	}
	acked := p.acked[peer]
	if !acked.IsZero() && acked.Before(now.Add(-e.cfg.PingTimeout)) {
		e.scoresChanged(e.tracker.ReportDead(peer, seconds(now.Sub(acked))))
		p.acked[peer] = now
		// begin_dead_ping
		delete(p.live, peer)
		p.dead[peer] = true
		p.timers[peer] = pingTimer{at: now.Add(e.cfg.PingTimeout), dead: true}
		return
	}
	if acked.Equal(p.sent[peer]) {
		e.sendPing(now, peer)
	}
	p.timers[peer] = pingTimer{at: now.Add(e.checkInterval())}
}

// deadPing is Elector::dead_ping.
func (e *Elector) deadPing(now time.Time, peer int) {
	p := &e.ping
	if !p.dead[peer] {
		delete(p.timers, peer)
		return
	}
	e.scoresChanged(e.tracker.ReportDead(peer, seconds(now.Sub(p.acked[peer]))))
	p.acked[peer] = now
	p.timers[peer] = pingTimer{at: now.Add(e.cfg.PingTimeout), dead: true}
}

// tickPings fires the due ping timers.
func (e *Elector) tickPings(now time.Time) {
	for _, peer := range slices.Sorted(maps.Keys(e.ping.timers)) {
		t := e.ping.timers[peer]
		if now.Before(t.at) {
			continue
		}
		if t.dead {
			e.deadPing(now, peer)
		} else {
			e.pingCheck(now, peer)
		}
	}
}

func (e *Elector) nextPing() time.Time {
	var next time.Time
	for _, t := range e.ping.timers {
		if next.IsZero() || t.at.Before(next) {
			next = t.at
		}
	}
	return next
}

// StepPing handles an MMonPing from the monitor of rank from
// (Elector::handle_ping); replies come back in Ready.Pings.
func (e *Elector) StepPing(now time.Time, from int, m *msg.MonPing) Ready {
	if from < 0 || from >= e.cfg.Size || from == e.cfg.Rank {
		return e.leave()
	}
	e.beginPeerPing(now, from)
	if t, err := UnmarshalConnectionTracker(m.TrackerBL); err == nil {
		e.tracker.ReceivePeerReport(t)
	}
	p := &e.ping
	switch m.Op {
	case msg.MonPingPing:
		e.out.Pings = append(e.out.Pings, PingEnvelope{To: from, Msg: &msg.MonPing{
			Op: msg.MonPingReply, Stamp: m.Stamp, TrackerBL: e.tracker.Marshal()}})
	case msg.MonPingReply:
		stamp := stampTime(m.Stamp)
		newest := p.sent[from]
		if stamp.After(newest) && !newest.IsZero() {
			break // a reply to a ping we never sent
		}
		if prev := p.acked[from]; stamp.After(prev) {
			e.scoresChanged(e.tracker.ReportLive(from, seconds(stamp.Sub(prev))))
			p.acked[from] = stamp
		}
		if now.Sub(stamp) > e.checkInterval() {
			e.sendPing(now, from)
		}
	}
	return e.leave()
}

// Tracker returns a copy of the connection scores (for "ceph daemon
// mon.X connection scores dump").
func (e *Elector) Tracker() *ConnectionTracker { return e.tracker.Clone() }
