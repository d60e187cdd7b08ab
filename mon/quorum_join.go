package mon

import (
	"context"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/quorum"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// A monitor that is not in the monmap it was made with, but was given
// its address, asks the quorum to add it (MMonJoin) and starts as one of
// them once a probe reply brings a monmap that lists it: the other way
// to grow a cluster than `ceph mon add` first.

// handleJoin is MonmapMonitor::prepare_join on the leader; a peon passes
// the request on to its leader. Only monitors (authenticated with the
// mon. key) may ask.
func (q *quorumState) handleJoin(c *msgr2.Conn, j *msg.MonJoin) {
	if c.PeerType() != encoding.EntityMon || j.FSID != q.mm.FSID || j.Name == "" || len(j.Addrs) == 0 {
		return
	}
	switch q.state {
	case stateLeader:
		q.m.monmap.prepareJoin(j.Name, j.Addrs)
	case statePeon:
		q.sendTo(q.m.leader, j)
	}
}

// prepareJoin adds a monitor that asked to join, in place of any monitor
// of that name or at those addresses.
func (s *monmapMon) prepareJoin(name string, addrs encoding.EntityAddrVec) {
	cur := s.current
	if s.pending != nil {
		cur = s.pending
	}
	if cur == nil {
		return
	}
	if mi, ok := cur.Mons[name]; ok && slices.Equal(mi.PublicAddrs, addrs) {
		return // already a member (MonmapMonitor::preprocess_join)
	}
	next := s.next()
	for other, mi := range next.Mons {
		if other == name || slices.Equal(mi.PublicAddrs, addrs) {
			_ = next.Remove(other)
		}
	}
	if err := next.Add(name, addrs); err != nil {
		s.m.log.Warn("monitor join refused", "name", name, "err", err)
		return
	}
	s.m.log.Info("adding a monitor that asked to join", "name", name, "addrs", addrs.String())
	s.m.proposeAndThen(nil)
}

// joiner is a monitor asking to join: it probes the monmap's monitors
// and sends them its join request until one answers with a monmap that
// lists it.
type joiner struct {
	mm    *monmap.MonMap
	addrs encoding.EntityAddrVec
	stop  context.CancelFunc
}

// startJoining sends probes and join requests every second from a
// goroutine of its own; the replies come through the monitor's loop.
func (m *Monitor) startJoining(ctx context.Context, mm *monmap.MonMap, addrs encoding.EntityAddrVec) {
	jctx, stop := context.WithCancel(ctx)
	m.joining = &joiner{mm: mm, addrs: addrs, stop: stop}
	m.log.Info("not in the monmap; asking the monitors to add this one", "mons", mm.Ranks, "addrs", addrs.String())
	go func() {
		for jctx.Err() == nil {
			for _, name := range mm.Ranks {
				dctx, cancel := context.WithTimeout(jctx, 2*time.Second)
				c, err := m.msgr.Dial(dctx, mm.Mons[name].PublicAddrs, encoding.EntityMon)
				cancel()
				if err != nil {
					continue
				}
				_ = c.Send(quorum.ProbeMessage(quorum.DefaultProbeConfig(m.name), mm.FSID, false))
				_ = c.Send(&msg.MonJoin{FSID: mm.FSID, Name: m.name, Addrs: addrs})
			}
			select {
			case <-jctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

// joinReply takes a probe reply while joining: a monmap that lists this
// monitor ends the joining, and the monitor starts as one of several.
func (m *Monitor) joinReply(ctx context.Context, p *msg.MonProbe) {
	if p.Op != msg.ProbeOpReply || p.FSID != m.joining.mm.FSID || len(p.MonMap) == 0 {
		return
	}
	nm, err := monmap.Decode(p.MonMap)
	if err != nil || nm.Rank(m.name) < 0 {
		return
	}
	m.joining.stop()
	m.joining = nil
	m.joiningNow.Store(false)
	q, err := newQuorumState(m, nm, nm.Rank(m.name))
	if err != nil {
		m.fatal(err)
		return
	}
	m.log.Info("added to the monmap; joining the quorum", "epoch", nm.Epoch, "mons", nm.Ranks)
	m.setQuorum(q)
	q.dialPeers(ctx)
	q.bootstrap()
}
