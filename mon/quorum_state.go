package mon

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/elector"
	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/quorum"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// monState is where a monitor of a multi-monitor cluster stands
// (Monitor::STATE_*).
type monState int

const (
	stateProbing monState = iota
	stateSynchronizing
	stateElecting
	stateLeader
	statePeon
)

func (s monState) String() string {
	switch s {
	case stateProbing:
		return "probing"
	case stateSynchronizing:
		return "synchronizing"
	case stateElecting:
		return "electing"
	case stateLeader:
		return "leader"
	case statePeon:
		return "peon"
	}
	return "unknown"
}

// keyElectionEpoch is where ceph-mon keeps the election epoch (prefix
// "monitor").
const (
	keyElectionEpoch      = "election_epoch"
	keyConnectivityScores = "connectivity_scores" // the elector's ConnectionTracker
)

// quorumState drives the I/O-free cores of mon/quorum and mon/elector
// under the monitor's lock when the monmap has more than one
// monitor: probing, store sync, elections and Paxos through
// quorum.Driver (see mon/quorum's integration contract).
type quorumState struct {
	// heldReads wait for this monitor to become readable.
	heldReads []heldRead

	m     *Monitor
	state monState
	// inQuorum mirrors state for the global id allocator, which runs on
	// connection goroutines.
	inQuorum atomic.Bool

	mm      *monmap.MonMap // the monmap peers are dialed from
	mmBytes []byte
	rank    int

	pxCfg    paxos.Config
	drv      *quorum.Driver
	el       *elector.Elector
	probeCfg quorum.ProbeConfig
	prober   *quorum.Prober
	syncCfg  quorum.SyncConfig
	provider *quorum.SyncProvider
	syncer   *quorum.SyncRequester
	tcCfg    quorum.TimeCheckConfig
	tc       *quorum.TimeCheck
	elCfg    elector.Config
	// nextMonmap is a committed or probed monmap with other monitors,
	// adopted at the next bootstrap (quorum_monmap.go).
	nextMonmap *monmap.MonMap
	// dialCtx is the monitor's life; dialStop ends the dial loops of the
	// current monmap, dialGen tells their late events apart.
	dialCtx  context.Context
	dialStop context.CancelFunc
	dialGen  int
	// forceSync: the store holds an interrupted full sync; sync fully
	// from the first monitor that answers a probe.
	forceSync bool

	// conns are the connections to each rank: the last one a message
	// from that rank arrived on, else the one we dialed.
	conns []*msgr2.Conn
	// needBootstrap defers a bootstrap asked for inside a core's call.
	needBootstrap bool
	// needReserve: the new leader reserves global ids once writeable.
	needReserve bool
	// needInitial: the new leader writes a brand-new cluster's initial
	// state once writeable, if Paxos recovery found nothing committed.
	needInitial bool
	// gidReset: an election happened; global ids resume above the bound
	// in force before the next reservation commits.
	gidReset bool

	fwd forwarding

	timer *time.Timer
}

// newQuorumState prepares the cores for mm (which has this monitor at
// rank) over the monitor's store.
func newQuorumState(m *Monitor, mm *monmap.MonMap, rank int) (*quorumState, error) {
	q := &quorumState{m: m, mm: mm, mmBytes: mm.Encode(encoding.FeaturesPacific), rank: rank,
		pxCfg: paxos.DefaultConfig(), probeCfg: quorum.DefaultProbeConfig(m.name), syncCfg: quorum.DefaultSyncConfig(),
		conns: make([]*msgr2.Conn, len(mm.Ranks)), timer: time.NewTimer(time.Hour)}
	q.fwd.init()
	timeout := elector.DefaultTimeout
	tcCfg := quorum.DefaultTimeCheckConfig()
	if c := m.opts.Conf; c != nil {
		secs := func(name string) time.Duration { return time.Duration(c.Float(name) * float64(time.Second)) }
		tcCfg.Interval, tcCfg.SkewInterval = secs("mon_timecheck_interval"), secs("mon_timecheck_skew_interval")
		tcCfg.DriftAllowed = c.Float("mon_clock_drift_allowed")
		q.pxCfg = paxos.ConfigFrom(c)
		timeout = time.Duration(c.Float("mon_election_timeout") * float64(time.Second))
		q.probeCfg.Timeout = time.Duration(c.Float("mon_probe_timeout") * float64(time.Second))
		q.probeCfg.MaxJoinDrift = uint64(max(c.Int("paxos_max_join_drift"), 1))
		q.syncCfg.Timeout = time.Duration(c.Float("mon_sync_timeout") * float64(time.Second))
	}
	px, err := paxos.New(q.pxCfg, m.store, rank)
	if err != nil {
		return nil, err
	}
	q.drv = q.newDriver(px)
	epoch, err := store.GetU64(m.store, monitorPrefix, keyElectionEpoch)
	if err != nil {
		return nil, err
	}
	scores, err := m.store.Get(monitorPrefix, keyConnectivityScores)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	q.elCfg = elector.Config{Rank: rank, Size: len(mm.Ranks), Timeout: timeout,
		Features: encoding.FeaturesPacific, MonFeatures: uint64(monmap.MonFeaturesPacific),
		HasEverJoined: px.LastCommitted() > 0, Pinging: true, Scores: scores}
	if c := m.opts.Conf; c != nil {
		q.elCfg.HalfLife = float64(c.Uint("mon_con_tracker_score_halflife"))
		q.elCfg.IgnoreProposeMargin = c.Float("mon_elector_ignore_propose_margin")
		q.elCfg.PingTimeout = time.Duration(c.Float("mon_elector_ping_timeout") * float64(time.Second))
		q.elCfg.PingDivisor = int(c.Uint("mon_elector_ping_divisor"))
	}
	setElectionRules(&q.elCfg, mm)
	q.el = elector.New(q.elCfg, uint32(epoch))
	q.handleElector(q.el.Init())
	q.prober = quorum.NewProber(q.probeCfg)
	q.tcCfg = tcCfg
	q.tc = quorum.NewTimeCheck(tcCfg, rank)
	q.provider = quorum.NewSyncProvider(m.store, q.syncTargets(), q.syncCfg)
	if q.forceSync, err = quorum.SyncInProgress(m.store); err != nil {
		return nil, err
	}
	return q, nil
}

func (q *quorumState) newDriver(px *paxos.Paxos) *quorum.Driver {
	return quorum.NewDriver(px, func(to int, pm *paxos.MMonPaxos) {
		q.sendTo(to, &quorum.PaxosMessage{MMonPaxos: pm})
	}, quorum.Callbacks{
		Refresh:   q.refresh,
		Commit:    q.commit,
		Bootstrap: func() { q.needBootstrap = true },
		Fatal:     func(err error) { q.m.log.Error("paxos store failure; stopping", "err", err); q.m.fatal(err) },
	}, time.Now)
}

// syncTargets are the store prefixes a full sync copies: Paxos and every
// service's, never the monitor's own keys (magic, election epoch).
func (q *quorumState) syncTargets() []string {
	var t []string
	for _, s := range q.m.services {
		if n := s.name(); n != monitorPrefix {
			t = append(t, n)
		}
	}
	return append(t, paxos.Prefix)
}

// rankOf maps a peer monitor's connection to its rank by address.
func (q *quorumState) rankOf(c *msgr2.Conn) int {
	if c.PeerType() != encoding.EntityMon {
		return -1
	}
	for _, pa := range c.PeerAddrs() {
		for r, name := range q.mm.Ranks {
			mi := q.mm.Mons[name]
			if mi == nil || r == q.rank {
				continue
			}
			for _, a := range mi.PublicAddrs {
				if a.Addr == pa.Addr {
					return r
				}
			}
		}
	}
	return -1
}

// sendTo sends a message to the monitor of rank to, dropping it when
// there is no connection yet (every protocol here retries on timeouts).
func (q *quorumState) sendTo(to int, mg msgr2.Message) {
	if to < 0 || to >= len(q.conns) || to == q.rank {
		return
	}
	if c := q.conns[to]; c != nil {
		if c.Send(mg) == nil {
			return
		}
		q.conns[to] = nil
	}
	q.m.log.Debug("no connection to peer; dropping", "rank", to, "type", mg.Type())
}

// probeState is what probes report of this monitor.
func (q *quorumState) probeState() quorum.ProbeState {
	px := q.drv.Paxos()
	st := quorum.ProbeState{MonMap: q.mm, MonMapBytes: q.mmBytes, PaxosFirst: px.FirstCommitted(),
		PaxosLast: px.LastCommitted(), HasEverJoined: q.el.HasEverJoined(), Leader: max(q.m.leader, 0)}
	if q.state == stateLeader || q.state == statePeon {
		st.Quorum = q.m.quorumRanks()
	}
	return st
}

func (q *quorumState) setState(s monState) {
	if q.state != s {
		q.m.log.Info("monitor state", "from", q.state.String(), "to", s.String())
	}
	q.state = s
	q.inQuorum.Store(s == stateLeader || s == statePeon)
}

// leaveQuorum ends this monitor's part in the quorum when it probes,
// syncs or elects: Paxos aborts what is in flight, and the services drop
// the changes they had not committed.
func (q *quorumState) leaveQuorum() {
	q.drv.Restart()
	q.m.discardPending()
	q.tc.Reset()
}

// sendTimeChecks sends the clock check's messages.
func (q *quorumState) sendTimeChecks(out []quorum.TimeCheckEnvelope) {
	for _, env := range out {
		q.sendTo(env.To, env.Msg)
	}
}

// bootstrap goes back to probing (Monitor::bootstrap).
func (q *quorumState) bootstrap() {
	q.needBootstrap = false
	if nm := q.nextMonmap; nm != nil {
		q.nextMonmap = nil
		if !q.adopt(nm) {
			return
		}
	}
	q.syncer = nil
	q.setState(stateProbing)
	q.leaveQuorum()
	q.el.LeaveQuorum()
	q.m.quorum, q.m.leader = nil, -1
	q.handleProbe(q.prober.Start(time.Now(), q.probeState()))
}

func (q *quorumState) handleProbe(out quorum.ProbeOutcome) {
	for _, env := range out.Messages {
		q.sendTo(env.To, env.Msg)
	}
	switch {
	case out.Elect:
		q.setState(stateElecting)
		q.handleElector(q.el.Start(time.Now()))
	case out.Sync != nil:
		q.startSync(out.Sync.Rank, out.Sync.Full)
	case out.Join != nil:
		q.m.log.Warn("a quorum exists without this monitor in its monmap; not joining", "via", *out.Join)
	case out.NewMonMap != nil:
		// Adopt the map of a monitor that has been in a quorum and probe
		// again (Monitor::handle_probe_reply).
		nm, err := monmap.Decode(out.NewMonMap)
		if err != nil {
			q.m.log.Warn("a peer's monmap does not decode", "err", err)
		} else if slices.Equal(nm.Ranks, q.mm.Ranks) {
			q.setMonmap(nm, out.NewMonMap, q.rank)
		} else {
			q.nextMonmap = nm
		}
		q.needBootstrap = true
	case out.Restart:
		q.needBootstrap = true
	}
}

// handleElector acts on an elector Ready in the contract's order.
func (q *quorumState) handleElector(rd elector.Ready) {
	if rd.PersistEpoch {
		tx := store.NewTransaction()
		tx.PutU64(monitorPrefix, keyElectionEpoch, uint64(rd.Epoch))
		if err := q.m.store.Apply(tx); err != nil {
			q.m.fatal(err)
			return
		}
	}
	q.m.electionEpoch = rd.Epoch
	if rd.Electing {
		q.prober.Stop()
		q.syncer = nil
		q.setState(stateElecting)
		q.m.quorum, q.m.leader = nil, -1
		q.leaveQuorum()
	}
	if rd.Scores != nil {
		// The connection scores outlive a restart, as Ceph persists them.
		tx := store.NewTransaction()
		tx.Put(monitorPrefix, keyConnectivityScores, rd.Scores)
		if err := q.m.store.Apply(tx); err != nil {
			q.m.fatal(err)
			return
		}
	}
	for _, env := range rd.Pings {
		q.sendTo(env.To, env.Msg)
	}
	for _, env := range rd.Messages {
		em := env.Msg.ToMessage()
		em.FSID, em.MonMap, em.MonRelease, em.Strategy = q.mm.FSID, q.mmBytes, 16, q.elCfg.Strategy
		if em.Op == msg.ElectionOpAck {
			// The leader keeps its peons' metadata (`mon metadata`).
			em.Metadata = q.m.metadata()
		} else {
			em.Metadata = map[string]string{"ceph_release": "pacific", "ceph_version_short": "16.2.15"}
		}
		q.sendTo(env.To, em)
	}
	if v := rd.Victory; v != nil {
		q.won(v.Epoch, v.Quorum, v.Metadata)
	}
	if l := rd.Lost; l != nil {
		q.lost(l.Epoch, l.Leader, l.Quorum)
	}
	if rd.Bootstrap {
		q.needBootstrap = true
	}
	if rd.Nakked {
		q.m.log.Error("a peer says this monitor lacks required features; stopping")
		q.m.fatal(errNakked)
	}
}

// won is Monitor::win_election: lead Paxos; on a brand-new cluster the
// services write their initial state as the first proposal.
func (q *quorumState) won(epoch uint32, members []int, peers map[int]map[string]string) {
	m := q.m
	q.setState(stateLeader)
	m.leader, m.quorum, m.electionEpoch, m.quorumSince = q.rank, members, epoch, time.Now()
	m.log.Info("won election", "epoch", epoch, "quorum", members)
	q.resetGlobalIDs()
	q.drv.LeaderInit(epoch, members)
	// Whether the cluster is brand new is known only once Paxos has
	// recovered what the quorum committed (a new monitor may lead with an
	// empty store): maybePropose decides when this leader is writeable,
	// as PaxosService::_active creates the initial state once active.
	q.needInitial = true
	q.needReserve = true
	q.resend()
	q.sendTimeChecks(q.tc.Lead(time.Now(), uint64(epoch), members))
	m.cmds.recordMetadata(q.rank, peers)
}

// lost is Monitor::lose_election: follow the leader.
func (q *quorumState) lost(epoch uint32, leader int, members []int) {
	m := q.m
	q.setState(statePeon)
	m.leader, m.quorum, m.electionEpoch, m.quorumSince = leader, members, epoch, time.Now()
	m.log.Info("lost election", "epoch", epoch, "leader", leader, "quorum", members)
	q.resetGlobalIDs()
	q.drv.PeonInit(epoch, leader, members)
	q.resend()
	q.tc.Peon(uint64(epoch))
}

// writeable reports whether this monitor may propose now.
func (q *quorumState) writeable() bool {
	return q.state == stateLeader && q.drv.IsWriteable()
}

// refresh is Paxos's Refresh callback: committed values are in the
// store; every service reloads (leader and peons).
func (q *quorumState) refresh() {
	before := q.gidBound()
	if err := q.m.refreshAll(); err != nil {
		q.m.log.Error("refresh after commit", "err", err)
	}
	// Probes and elections carry the committed monmap from now on; a
	// map with other monitors makes every monitor bootstrap with it
	// (MonmapMonitor::update_from_paxos), outside this Paxos callback.
	if cur := q.m.monmap.current; cur != nil && cur.Epoch >= q.mm.Epoch {
		if !slices.Equal(cur.Ranks, q.mm.Ranks) || electionRulesChanged(cur, q.mm) {
			if cur.Epoch > q.mm.Epoch {
				q.nextMonmap, q.needBootstrap = cur, true
			}
		} else if b := cur.Encode(encoding.FeaturesPacific); !bytes.Equal(b, q.mmBytes) {
			q.setMonmap(cur, b, q.rank)
		}
	}
	q.afterGIDRefresh(before)
}

// commit is Paxos's Commit callback for this leader's proposal.
func (q *quorumState) commit(v uint64, err error) {
	if err != nil {
		q.m.abortInflight()
		return
	}
	q.m.finishCommit()
}

// propose is the consensus interface over the Driver.
func (q *quorumState) propose(tx *store.Transaction) error { return q.drv.Propose(tx) }

// startSync starts copying the store from a monitor that is ahead
// (Monitor::sync_start).
func (q *quorumState) startSync(from int, full bool) {
	q.setState(stateSynchronizing)
	q.leaveQuorum()
	r, res, err := quorum.StartSync(time.Now(), q.m.store, q.syncTargets(), from, full, q.mmBytes, q.syncCfg)
	if err != nil {
		q.m.log.Error("starting sync", "err", err)
		q.needBootstrap = true
		return
	}
	q.m.log.Info("synchronizing store", "from", from, "full", full)
	q.syncer = r
	q.handleSync(res)
}

func (q *quorumState) handleSync(res quorum.SyncResult) {
	for _, env := range res.Messages {
		q.sendTo(env.To, env.Msg)
	}
	switch {
	case res.Done:
		q.m.log.Info("store synchronized", "last_committed", res.LastCommitted)
		q.syncer, q.forceSync = nil, false
		px, err := paxos.New(q.pxCfg, q.m.store, q.rank)
		if err != nil {
			q.m.fatal(err)
			return
		}
		q.drv = q.newDriver(px)
		q.refresh()
		q.needBootstrap = true
	case res.Failed:
		q.syncer = nil
		q.needBootstrap = true
	}
}

// tick fires the cores' due timers.
func (q *quorumState) tick() {
	now := time.Now()
	if d := q.el.NextDeadline(); !d.IsZero() && !now.Before(d) {
		q.handleElector(q.el.Tick(now))
	}
	if d := q.drv.NextDeadline(); !d.IsZero() && !now.Before(d) {
		q.drv.Tick()
	}
	if q.state == stateProbing {
		q.handleProbe(q.prober.Tick(now))
	}
	if d := q.tc.NextDeadline(); !d.IsZero() && !now.Before(d) {
		q.sendTimeChecks(q.tc.Tick(now))
	}
	if q.syncer != nil {
		q.handleSync(q.syncer.Tick(now))
	}
	q.provider.Tick(now)
}

// maxHeldReads bounds the reads waiting for readability; beyond it the
// oldest are dropped and their clients retry.
const maxHeldReads = 4096

// heldRead is a command waiting until the monitor is readable, with
// where its reply goes: the session, or the peon that forwarded it.
type heldRead struct {
	s    *Session
	mg   *msg.MonCommand
	send func(msgr2.Message)
}

// readable reports whether this monitor may serve reads now: in quorum
// with Paxos readable (a peon's lease is valid).
func (q *quorumState) readable() bool {
	return (q.state == stateLeader || q.state == statePeon) && q.drv.IsReadable(0)
}

// holdRead keeps a command until the monitor is readable
// (PaxosService::dispatch waiting for is_readable). Its reply must still
// reach whoever asked: a forwarded request's goes back in MRoute, or the
// peon would send it again to a later leader, which would apply it twice.
func (q *quorumState) holdRead(s *Session, mg *msg.MonCommand, send func(msgr2.Message)) {
	if len(q.heldReads) >= maxHeldReads {
		q.heldReads = q.heldReads[1:]
	}
	q.heldReads = append(q.heldReads, heldRead{s, mg, send})
}

// releaseReads serves the held reads once the monitor is readable.
func (q *quorumState) releaseReads() {
	if len(q.heldReads) == 0 || !q.readable() {
		return
	}
	held := q.heldReads
	q.heldReads = nil
	for _, h := range held {
		q.m.handleCommandVia(h.s, h.mg, h.send)
	}
}

// afterEvent runs a deferred bootstrap, serves reads that waited for a
// lease, and re-arms the timer for the earliest deadline of the cores.
func (q *quorumState) afterEvent() {
	q.releaseReads()
	if q.needBootstrap && q.m.fatalErr == nil {
		q.bootstrap()
	}
	var next time.Time
	ds := []time.Time{q.el.NextDeadline(), q.drv.NextDeadline(), q.tc.NextDeadline()}
	if q.state == stateProbing {
		ds = append(ds, q.prober.NextDeadline())
	}
	if q.syncer != nil {
		ds = append(ds, q.syncer.NextDeadline())
	}
	for _, d := range ds {
		if !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	wait := time.Second // a floor for housekeeping (sync cookies, leases)
	if !next.IsZero() {
		wait = min(max(time.Until(next), 0), wait)
	}
	if !q.timer.Stop() {
		select {
		case <-q.timer.C:
		default:
		}
	}
	q.timer.Reset(wait)
}
