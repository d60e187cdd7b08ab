package mon

import (
	"errors"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/elector"
	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/quorum"
	"github.com/kelp-ceph/kelp/msgr2"
)

// startMonmap is the monmap the quorum layer runs on, before the first
// commit gives the services one (nil for a monitor alone).
func (m *Monitor) startMonmap() *monmap.MonMap {
	if m.q == nil {
		return nil
	}
	return m.q.mm
}

// ErrRemovedFromMonmap stops a monitor that a committed monmap no longer
// lists (`ceph mon rm`): as ceph-mon, it exits.
var ErrRemovedFromMonmap = errors.New("mon: removed from the monmap")

// adopt switches the quorum layer to a monmap with other monitors (one
// added or removed): the ranks, the peers dialed, and the cores sized by
// them start over from the store, and the monitor probes again
// (Monitor::bootstrap after a monmap change). It reports false when the
// map no longer has this monitor, which then stops.
func (q *quorumState) adopt(nm *monmap.MonMap) bool {
	m := q.m
	rank := nm.Rank(m.name)
	if rank < 0 {
		m.log.Warn("this monitor was removed from the monmap; stopping", "epoch", nm.Epoch)
		q.leaveQuorum()
		m.fatal(ErrRemovedFromMonmap)
		return false
	}
	m.log.Info("adopting a monmap with other monitors", "epoch", nm.Epoch, "mons", nm.Ranks, "rank", rank)
	q.leaveQuorum()
	px, err := paxos.New(q.pxCfg, m.store, rank)
	if err != nil {
		m.fatal(err)
		return false
	}
	q.mm, q.mmBytes, q.rank = nm, nm.Encode(encoding.FeaturesPacific), rank
	q.conns = make([]*msgr2.Conn, len(nm.Ranks))
	q.drv = q.newDriver(px)
	q.elCfg.Rank, q.elCfg.Size = rank, len(nm.Ranks)
	q.elCfg.HasEverJoined = q.elCfg.HasEverJoined || q.el.HasEverJoined()
	q.el = elector.New(q.elCfg, m.electionEpoch)
	q.handleElector(q.el.Init())
	q.prober = quorum.NewProber(q.probeCfg)
	q.tc = quorum.NewTimeCheck(q.tcCfg, rank)
	m.quorum, m.leader = nil, -1
	if q.dialCtx != nil {
		q.redial()
	}
	return true
}
