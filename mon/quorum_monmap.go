package mon

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/elector"
	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/quorum"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// setQuorum makes the monitor one of several: the quorum layer takes
// over consensus and global ids.
func (m *Monitor) setQuorum(q *quorumState) {
	m.q, m.cons = q, q
	m.qShared.Store(q)
}

// allocGlobalID is the cephx server's: a monitor alone hands out ids from
// its reservation, one of several its share of the quorum's. It runs on
// connection goroutines.
func (m *Monitor) allocGlobalID() (uint64, error) {
	if m.joiningNow.Load() {
		return 0, errNoGlobalID
	}
	if q := m.qShared.Load(); q != nil {
		return q.allocGlobalID()
	}
	return m.auth.allocGlobalID()
}

// enterQuorum turns a monitor alone into one of several, once a committed
// monmap (`mon add`) lists other monitors: it starts dialing them and
// probes, as ceph-mon bootstraps on a new monmap. The quorum needs a
// majority of the new map from now on.
func (m *Monitor) enterQuorum(ctx context.Context) {
	mm := m.monmap.current
	rank := mm.Rank(m.name)
	if rank < 0 {
		m.log.Warn("this monitor was removed from the monmap; stopping", "epoch", mm.Epoch)
		m.fatal(ErrRemovedFromMonmap)
		return
	}
	q, err := newQuorumState(m, mm, rank)
	if err != nil {
		m.fatal(err)
		return
	}
	m.log.Info("the monmap lists other monitors now; joining them", "epoch", mm.Epoch, "mons", mm.Ranks, "rank", rank)
	m.setQuorum(q)
	q.dialPeers(ctx)
	q.bootstrap()
}

// startMonmap is the monmap the quorum layer runs on, before the first
// commit gives the services one (nil for a monitor alone).
func (m *Monitor) startMonmap() *monmap.MonMap {
	if m.q == nil {
		return nil
	}
	return m.q.mm
}

// setMonmap switches the monmap the quorum layer runs on, and this
// monitor's rank in it. Connection goroutines read both to hand out
// global ids (allocGlobalID), under gidMu.
func (q *quorumState) setMonmap(mm *monmap.MonMap, b []byte, rank int) {
	q.m.auth.gidMu.Lock()
	q.mm, q.mmBytes, q.rank = mm, b, rank
	q.m.auth.gidMu.Unlock()
}

// setElectionRules gives the elector the monmap's election strategy and
// the ranks of its disallowed leaders.
func setElectionRules(cfg *elector.Config, mm *monmap.MonMap) {
	cfg.Strategy = msg.ElectionStrategy(mm.Strategy)
	if cfg.Strategy == 0 {
		cfg.Strategy = msg.StrategyClassic
	}
	cfg.Disallowed = nil
	for _, name := range mm.DisallowedLeaders {
		if r := mm.Rank(name); r >= 0 {
			cfg.Disallowed = append(cfg.Disallowed, r)
		}
	}
}

// electionRulesChanged reports whether a monmap with the same monitors
// changes how they elect.
func electionRulesChanged(a, b *monmap.MonMap) bool {
	return a.Strategy != b.Strategy || !slices.Equal(a.DisallowedLeaders, b.DisallowedLeaders)
}

// ErrRemovedFromMonmap stops a monitor that a committed monmap no longer
// lists (`ceph mon rm`): as ceph-mon, it exits.
var ErrRemovedFromMonmap = errors.New("mon: removed from the monmap")

// removedGrace is how long a removed monitor keeps its connections open
// before it exits, for the replies it already sent to be written.
const removedGrace = time.Second

// adopt switches the quorum layer to a monmap with other monitors (one
// added or removed) or other election rules: the ranks, the peers dialed, and the cores sized by
// them start over from the store, and the monitor probes again
// (Monitor::bootstrap after a monmap change). It reports false when the
// map no longer has this monitor, which then stops; a monitor that never
// joined a quorum keeps its own map instead.
func (q *quorumState) adopt(nm *monmap.MonMap) bool {
	m := q.m
	rank := nm.Rank(m.name)
	if rank < 0 && !q.el.HasEverJoined() {
		// A new monitor probing a quorum that has not committed (or not
		// yet spread) the map that adds it: keep ours and probe again.
		m.log.Info("a peer's monmap does not list this monitor yet; keeping ours", "epoch", nm.Epoch)
		return true
	}
	if rank < 0 {
		m.log.Warn("this monitor was removed from the monmap; stopping", "epoch", nm.Epoch)
		q.leaveQuorum()
		q.setState(stateProbing)
		// The reply to the `mon rm` that removed us (when we led) is
		// still on its way out: stop once it had time to leave.
		time.AfterFunc(removedGrace, func() { m.events <- func() { m.fatal(ErrRemovedFromMonmap) } })
		return false
	}
	m.log.Info("adopting a new monmap", "epoch", nm.Epoch, "mons", nm.Ranks, "rank", rank,
		"strategy", nm.Strategy, "disallowed_leaders", nm.DisallowedLeaders)
	q.leaveQuorum()
	px, err := paxos.New(q.pxCfg, m.store, rank)
	if err != nil {
		m.fatal(err)
		return false
	}
	q.setMonmap(nm, nm.Encode(encoding.FeaturesPacific), rank)
	q.conns = make([]*msgr2.Conn, len(nm.Ranks))
	q.drv = q.newDriver(px)
	q.elCfg.Rank, q.elCfg.Size = rank, len(nm.Ranks)
	setElectionRules(&q.elCfg, nm)
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
