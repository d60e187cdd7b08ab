package mon

import (
	"context"
	"errors"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/elector"
	"github.com/kelp-ceph/kelp/mon/quorum"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

var errNakked = errors.New("mon: a peer monitor refused this monitor's features")

// dialPeers keeps a lossless session open to every other monitor of
// the monmap: each rank has a goroutine that dials until it connects,
// hands the connection to the monitor's loop, and dials again once the
// session is closed for good. A new monmap stops them and starts its own.
func (q *quorumState) dialPeers(ctx context.Context) {
	q.dialCtx = ctx
	q.redial()
}

// redial (re)starts the dial loops for the current monmap.
func (q *quorumState) redial() {
	if q.dialStop != nil {
		q.dialStop()
	}
	ctx, stop := context.WithCancel(q.dialCtx)
	q.dialStop = stop
	q.dialGen++
	for r, name := range q.mm.Ranks {
		mi := q.mm.Mons[name]
		if r == q.rank || mi == nil {
			continue
		}
		go q.dialLoop(ctx, q.dialGen, r, mi.PublicAddrs)
	}
}

func (q *quorumState) dialLoop(ctx context.Context, gen, rank int, addrs encoding.EntityAddrVec) {
	for ctx.Err() == nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := q.m.msgr.Dial(dctx, addrs, encoding.EntityMon)
		cancel()
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		select {
		case q.m.events <- func() {
			if q.dialGen == gen && q.conns[rank] == nil {
				q.conns[rank] = c
				q.peerUp(rank)
			}
		}:
		case <-ctx.Done():
			return
		}
		select {
		case <-c.Done():
		case <-ctx.Done():
			return
		}
	}
}

// peerUp runs when a connection to the monitor of rank comes up: a
// probing monitor probes it now rather than at the next probe round, as
// its first probe went nowhere (a restarted monitor rejoins in the time
// of a round trip, not of a probe timeout).
func (q *quorumState) peerUp(rank int) {
	if q.state == stateProbing {
		if m := q.prober.ProbeTo(rank); m != nil {
			q.sendTo(rank, m)
		}
	}
}

// peerReset forgets a peer's connection that closed.
func (q *quorumState) peerReset(c *msgr2.Conn) {
	for r, pc := range q.conns {
		if pc == c {
			q.conns[r] = nil
		}
	}
}

// handlePeer routes a monitor-to-monitor message (mon/quorum's
// contract) and reports whether mg was one.
func (q *quorumState) handlePeer(c *msgr2.Conn, mg msgr2.Message) bool {
	now := time.Now()
	rank := q.rankOf(c)
	switch mg.(type) {
	case *msg.MonProbe, *msg.MonJoin, *msg.MonElection, *quorum.PaxosMessage, *msg.MonSync,
		*msg.Forward, *msg.Route, *msg.TimeCheck2, *msg.MonPing:
	default:
		return false
	}
	if rank >= 0 {
		up := q.conns[rank] == nil
		q.conns[rank] = c
		if up {
			q.peerUp(rank)
		}
	}
	switch mg := mg.(type) {
	case *msg.MonProbe:
		switch mg.Op {
		case msg.ProbeOpProbe:
			if q.state != stateProbing && q.state != stateSynchronizing &&
				mg.PaxosFirstVersion > q.drv.Paxos().LastCommitted()+1 {
				// The prober has trimmed past what we have: we can only
				// catch up by syncing (Monitor::handle_probe_probe).
				q.m.log.Info("a probing peer is far ahead; bootstrapping", "rank", rank,
					"its_first", mg.PaxosFirstVersion, "our_last", q.drv.Paxos().LastCommitted())
				q.needBootstrap = true
			}
			if r := quorum.Reply(q.probeCfg, q.probeState(), mg, c.Features()); r != nil {
				c.Send(r)
			}
		case msg.ProbeOpReply:
			if q.state != stateProbing || rank < 0 {
				return true
			}
			if q.forceSync {
				q.prober.Stop()
				q.startSync(rank, true)
				return true
			}
			q.handleProbe(q.prober.HandleReply(now, rank, mg))
		}
	case *msg.MonJoin:
		q.handleJoin(c, mg)
	case *msg.MonElection:
		if rank < 0 || mg.FSID != q.mm.FSID {
			return true
		}
		if q.state == stateSynchronizing || q.state == stateProbing {
			// Ceph's monitor hands elections to its Elector only once
			// probing found it close enough to the others to join; a
			// monitor that restarted also gets here the election
			// messages its peers queued for its previous life.
			return true
		}
		if peer, err := monmap.Decode(mg.MonMap); err == nil && peer.FSID == q.mm.FSID && peer.Epoch > q.mm.Epoch {
			// A peer elects by a newer monmap (one that moved ranks or
			// changed the election rules while we were out): take it and
			// start over, as Elector::dispatch does.
			q.m.log.Info("a peer elects with a newer monmap; taking it", "rank", rank, "epoch", peer.Epoch)
			q.nextMonmap, q.needBootstrap = peer, true
			return true
		}
		q.handleElector(q.el.Step(now, rank, elector.FromMessage(mg, c.Features())))
	case *quorum.PaxosMessage:
		if rank >= 0 && q.state != stateSynchronizing {
			q.drv.Step(rank, mg.MMonPaxos)
		}
	case *msg.MonSync:
		if rank < 0 {
			return true
		}
		switch mg.Op {
		case msg.SyncOpGetCookieFull, msg.SyncOpGetCookieRecent, msg.SyncOpGetChunk:
			reply, err := q.provider.Handle(now, rank, mg, q.m.electionEpoch, q.state == stateSynchronizing)
			if err != nil {
				q.m.log.Error("serving sync", "err", err)
				return true
			}
			if reply != nil {
				c.Send(reply)
			}
		default:
			if q.syncer == nil {
				return true
			}
			res, err := q.syncer.Handle(now, rank, mg)
			if err != nil {
				q.m.log.Error("sync", "err", err)
				q.syncer = nil
				q.needBootstrap = true
				return true
			}
			q.handleSync(res)
		}
	case *msg.Forward:
		if rank >= 0 {
			q.handleForward(rank, c, mg)
		}
	case *msg.Route:
		q.handleRoute(mg)
	case *msg.MonPing:
		if rank >= 0 {
			q.handleElector(q.el.StepPing(now, rank, mg))
		}
	case *msg.TimeCheck2:
		if rank >= 0 && (q.state == stateLeader || q.state == statePeon) {
			q.sendTimeChecks(q.tc.Handle(now, rank, mg))
		}
	}
	return true
}
