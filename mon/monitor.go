package mon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2"
)

// consensus orders the monitor's proposals and makes them durable: Paxos
// over the quorum (paxos.go). propose hands it a transaction; once the
// value is committed and applied to the store, it calls the commit
// function it was given, on the monitor's loop.
type consensus interface {
	propose(tx *store.Transaction) error
}

// Monitor is one monitor daemon's state. All of it belongs to whoever
// holds mu: the monitor's loop (Run), which handles timers, commits and
// other events, or a connection's reader handling a message (Dispatch).
type Monitor struct {
	mu sync.Mutex
	// serving says Run's loop is up: messages are handled only then.
	serving bool

	name  string
	opts  Options
	store store.Store
	log   *slog.Logger
	cons  consensus
	// q drives probing, elections and Paxos when the monmap has other
	// monitors; nil for a monitor alone in its monmap (soloPaxos).
	q    *quorumState
	msgr *msgr2.Messenger
	// events carries work to the monitor's loop from other goroutines:
	// commits from Paxos, admin socket requests, timers.
	events   chan func()
	sessions map[*msgr2.Conn]*Session
	fatalErr error
	asok     net.Listener
	perf     perfCounters
	// proposedAt is when the proposal in flight started, for latency.
	proposedAt time.Time

	services []service
	byName   map[string]service
	kv       *kvMon
	reqs     *reqLog
	// qShared is q for connection goroutines (global ids).
	qShared atomic.Pointer[quorumState]
	// joining: not in the monmap, asking to be added (quorum_join.go);
	// joiningNow mirrors it for connection goroutines.
	joining    *joiner
	joiningNow atomic.Bool
	runCtx     context.Context
	cmds       *monCmds
	monmap     *monmapMon
	auth       *authMon
	osd        *osdMon
	mgr        *mgrMon
	mds        *mdsMon
	health     *healthMon
	config     *configMon
	logm       *logMon

	// Election outcome: the epoch, the leader's rank and the ranks in
	// quorum (sorted). A single monitor leads a quorum of itself.
	electionEpoch uint32
	leader        int
	quorum        []int
	quorumSince   time.Time

	// wantPropose is set when a service has pending changes; next holds
	// what to run once they commit. inflight is the set of callbacks of
	// the proposal under way (nil when none is): one proposal at a time,
	// as Ceph's PaxosService does.
	wantPropose bool
	next        []func()
	inflight    []func()
}

// newMonitor builds a monitor over an open store.
func newMonitor(name string, st store.Store, log *slog.Logger) *Monitor {
	if log == nil {
		log = slog.Default()
	}
	m := &Monitor{name: name, store: st, log: log, sessions: map[*msgr2.Conn]*Session{},
		byName: map[string]service{}}
	m.kv = newKVMon(m)
	m.monmap = newMonmapMon(m)
	m.auth = newAuthMon(m)
	m.health = newHealthMon(m)
	m.config = newConfigMon(m)
	m.logm = newLogMon(m)
	m.cmds = &monCmds{m: m}
	m.reqs = newReqLog(m)
	m.services = []service{m.monmap, m.auth, m.kv, m.config, m.logm, m.health, m.cmds, m.reqs}
	m.osd, m.mgr, m.mds = newOSDMon(m), newMgrMon(m), newMDSMon(m)
	m.services = append(m.services, m.osd, m.mgr, m.mds)
	for _, s := range m.services {
		m.byName[s.name()] = s
	}
	return m
}

// refreshAll reloads every service from the store.
func (m *Monitor) refreshAll() error {
	for _, s := range m.services {
		if err := s.refresh(); err != nil {
			return fmt.Errorf("mon: refreshing %s: %w", s.name(), err)
		}
	}
	return nil
}

// proposeAndThen asks for the services' pending changes to be proposed
// and runs fn once they commit (wait_for_commit in Ceph).
func (m *Monitor) proposeAndThen(fn func()) {
	m.wantPropose = true
	if fn != nil {
		m.next = append(m.next, fn)
	}
}

// createInitial has every service make a brand-new cluster's state
// its pending change, and asks for it to be proposed.
func (m *Monitor) createInitial() error {
	for _, s := range m.services {
		if err := s.createInitial(); err != nil {
			return fmt.Errorf("mon: initial %s: %w", s.name(), err)
		}
	}
	m.proposeAndThen(nil)
	return nil
}

// maybePropose starts a proposal when changes wait and none is under way.
// The loop calls it after every event.
func (m *Monitor) maybePropose() {
	if m.q != nil {
		// Only a writeable leader proposes; what waits meanwhile is
		// proposed once it is.
		if !m.q.writeable() {
			return
		}
		if m.q.needInitial {
			m.q.needInitial = false
			if m.monmap.current == nil && m.q.drv.Paxos().LastCommitted() == 0 {
				if err := m.createInitial(); err != nil {
					m.fatal(err)
					return
				}
			}
		}
		if m.q.needReserve {
			m.q.needReserve = false
			m.q.reserveGlobalIDs()
		}
	}
	if !m.wantPropose || m.inflight != nil {
		return
	}
	tx := store.NewTransaction()
	var changed []string
	for _, s := range m.services {
		if ok, err := s.encodePending(tx); err != nil {
			// The services before this one have handed over their
			// pending changes: there is no consistent proposal to make,
			// and retrying would wedge every later write. Stop, as
			// ceph-mon asserts; nothing unacknowledged is promised, and a
			// restart resumes from what committed.
			m.log.Error("encoding pending state failed; stopping", "service", s.name(), "err", err)
			m.fatal(fmt.Errorf("mon: encoding %s: %w", s.name(), err))
			return
		} else if ok {
			changed = append(changed, s.name())
		}
	}
	m.log.Debug("proposing", "services", changed, "waiting", len(m.next))
	m.wantPropose = false
	m.proposedAt = time.Now()
	m.inflight, m.next = m.next, nil
	if m.inflight == nil {
		m.inflight = []func(){}
	}
	if err := m.cons.propose(tx); err != nil {
		// Paxos would not take it (this monitor stopped leading): the
		// clients resend to the new quorum, as after an aborted proposal.
		m.log.Warn("proposal refused", "err", err)
		m.abortInflight()
	}
}

// committed runs when a proposal has been committed and applied: the
// services reload and the callbacks waiting for it run.
func (m *Monitor) committed() {
	if err := m.refreshAll(); err != nil {
		m.log.Error("refresh after commit", "err", err)
	}
	m.finishCommit()
}

// finishCommit runs the callbacks waiting for the proposal in flight,
// which has committed and been applied.
func (m *Monitor) finishCommit() {
	m.log.Debug("committed", "waiting", len(m.inflight))
	m.perf.commits++
	m.perf.commitSum += time.Since(m.proposedAt)
	waiters := m.inflight
	m.inflight = nil
	for _, fn := range waiters {
		fn()
	}
	m.maybePropose()
}

// abortInflight drops the proposal in flight, which an election
// aborted: nothing it did is acknowledged. Its clients' sessions are
// closed so that they resend to the monitors of the new quorum, as a
// client of a monitor that left the quorum does.
func (m *Monitor) abortInflight() {
	m.inflight = nil
	m.next = nil
	for c, s := range m.sessions {
		if s.Entity.Type != encoding.EntityMon {
			c.Close()
			m.removeSession(c, s)
		}
	}
}

// quorumRanks returns the ranks in quorum.
func (m *Monitor) quorumRanks() []int { return append([]int{}, m.quorum...) }

// quorumNames returns the names of the monitors in quorum, by rank.
func (m *Monitor) quorumNames() []string {
	mm := m.monmap.current
	names := []string{}
	for _, r := range m.quorum {
		if mm != nil && r < len(mm.Ranks) {
			names = append(names, mm.Ranks[r])
		}
	}
	return names
}

// leaderName returns the leader's name, or "" without a quorum.
func (m *Monitor) leaderName() string {
	if mm := m.monmap.current; mm != nil && m.leader >= 0 && m.leader < len(mm.Ranks) {
		return mm.Ranks[m.leader]
	}
	return ""
}
