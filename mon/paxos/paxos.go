package paxos

import (
	"errors"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
)

// State is a Paxos state (Paxos::STATE_*).
type State int

const (
	StateRecovering       State = iota // collect/last in progress, or no quorum
	StateActive                        // idle; peons may hold a lease
	StateUpdating                      // a new value is being accepted
	StateUpdatingPrevious              // the leader re-proposes a recovered value
	StateWriting                       // committing a new value
	StateWritingPrevious               // committing a recovered value
	StateRefresh                       // leader: services reload after a commit
	StateShutdown
)

// String returns Ceph's state name (Paxos::get_statename).
func (s State) String() string {
	switch s {
	case StateRecovering:
		return "recovering"
	case StateActive:
		return "active"
	case StateUpdating:
		return "updating"
	case StateUpdatingPrevious:
		return "updating-previous"
	case StateWriting:
		return "writing"
	case StateWritingPrevious:
		return "writing-previous"
	case StateRefresh:
		return "refresh"
	case StateShutdown:
		return "shutdown"
	}
	return "UNKNOWN"
}

// Role is this monitor's part in the current quorum.
type Role int

const (
	RoleNone Role = iota // electing, probing or out of quorum: Paxos drops messages
	RoleLeader
	RolePeon
)

func (r Role) String() string {
	switch r {
	case RoleLeader:
		return "leader"
	case RolePeon:
		return "peon"
	}
	return "none"
}

// Config holds the tunables Paxos reads from Ceph's configuration.
type Config struct {
	Lease                 time.Duration // mon_lease
	LeaseRenewFactor      float64       // mon_lease_renew_interval_factor
	LeaseAckTimeoutFactor float64       // mon_lease_ack_timeout_factor
	AcceptTimeoutFactor   float64       // mon_accept_timeout_factor
	Min                   uint64        // paxos_min: versions always kept
	TrimMin               uint64        // paxos_trim_min
	TrimMax               uint64        // paxos_trim_max
	CompactOnTrim         bool          // mon_compact_on_trim
	// FeatureMap is sent in lease acks (the monitor's encoded session
	// FeatureMap); Paxos does not read it.
	FeatureMap []byte
}

// DefaultConfig returns Ceph Pacific's defaults.
func DefaultConfig() Config {
	return Config{
		Lease: 5 * time.Second, LeaseRenewFactor: 0.6, LeaseAckTimeoutFactor: 2, AcceptTimeoutFactor: 2,
		Min: 500, TrimMin: 250, TrimMax: 500, CompactOnTrim: true,
	}
}

// ConfigFrom reads the Paxos tunables from a monitor's configuration.
func ConfigFrom(c *conf.Config) Config {
	return Config{
		Lease:                 time.Duration(c.Float("mon_lease") * float64(time.Second)),
		LeaseRenewFactor:      c.Float("mon_lease_renew_interval_factor"),
		LeaseAckTimeoutFactor: c.Float("mon_lease_ack_timeout_factor"),
		AcceptTimeoutFactor:   c.Float("mon_accept_timeout_factor"),
		Min:                   uint64(max(c.Int("paxos_min"), 0)),
		TrimMin:               uint64(max(c.Int("paxos_trim_min"), 0)),
		TrimMax:               uint64(max(c.Int("paxos_trim_max"), 0)),
		CompactOnTrim:         c.Bool("mon_compact_on_trim"),
	}
}

func (c *Config) scaled(f float64) time.Duration { return time.Duration(f * float64(c.Lease)) }

// Envelope is a message to send to the monitor of rank To.
type Envelope struct {
	To  int
	Msg *MMonPaxos
}

// Ready is what one call into Paxos produced. The driver sends Messages
// (in order), reloads its services when Refresh is set, completes the
// Finished proposals' waiters, fails the Aborted ones with EAGAIN, and
// starts a new election when Bootstrap is set.
type Ready struct {
	Messages  []Envelope
	Bootstrap bool
	Refresh   bool
	Finished  []any
	Aborted   []any
}

// Paxos is one monitor's Paxos instance. It is not safe for concurrent
// use: the monitor drives it from one goroutine.
type Paxos struct {
	cfg  Config
	st   Storage
	rank int

	role   Role
	epoch  uint32
	leader int
	quorum []int // sorted ranks

	state State

	firstCommitted, lastCommitted uint64
	lastPN, acceptedPN            uint64
	acceptedPNFrom                uint64
	lastCommitTime                time.Time

	// leader recovery
	peerFirstCommitted, peerLastCommitted map[int]uint64
	lastFrom                              map[int]bool // peers whose LAST accepted our pn
	uncommittedV, uncommittedPN           uint64
	uncommittedValue                      []byte

	// proposal in flight
	accepted map[int]bool
	newValue []byte

	// leases
	leaseExpire     time.Time
	ackedLease      map[int]bool
	quorumFeatures  map[int][]byte
	collectTimeout  time.Time
	acceptTimeout   time.Time
	leaseAckTimeout time.Time
	leaseTimeout    time.Time
	leaseRenew      time.Time

	// service interface
	pending             *store.Transaction
	pendingFinishers    []any
	committingFinishers []any
	plugged, trimming   bool

	now time.Time
	out Ready
	err error
}

// trimmed is the finisher that marks the end of a trim (C_Trimmed).
type trimmed struct{}

// New loads Paxos's state from st (Paxos::init) for the monitor of the
// given rank. Ranks must be below 100: proposal numbers carry the rank in
// their last two decimal digits.
func New(cfg Config, st Storage, rank int) (*Paxos, error) {
	if rank < 0 || rank >= 100 {
		return nil, errors.New("paxos: rank must be in 0..99")
	}
	p := &Paxos{cfg: cfg, st: st, rank: rank, quorumFeatures: map[int][]byte{}}
	p.lastPN = p.getU64(KeyLastPN)
	p.acceptedPN = p.getU64(KeyAcceptedPN)
	p.lastCommitted = p.getU64(KeyLastCommitted)
	p.firstCommitted = p.getU64(KeyFirstCommitted)
	if p.err != nil {
		return nil, p.err
	}
	if p.firstCommitted > p.lastCommitted {
		return nil, errors.New("paxos: store is inconsistent: first_committed > last_committed")
	}
	return p, nil
}

// Accessors.
func (p *Paxos) State() State              { return p.state }
func (p *Paxos) Role() Role                { return p.role }
func (p *Paxos) Epoch() uint32             { return p.epoch }
func (p *Paxos) Rank() int                 { return p.rank }
func (p *Paxos) Quorum() []int             { return slices.Clone(p.quorum) }
func (p *Paxos) FirstCommitted() uint64    { return p.firstCommitted }
func (p *Paxos) LastCommitted() uint64     { return p.lastCommitted }
func (p *Paxos) AcceptedPN() uint64        { return p.acceptedPN }
func (p *Paxos) LastCommitTime() time.Time { return p.lastCommitTime }

// PeerFeatureMap returns the feature map a peon sent with its last lease ack.
func (p *Paxos) PeerFeatureMap(rank int) []byte { return p.quorumFeatures[rank] }

// begin prepares the output of one entry point.
func (p *Paxos) enter(now time.Time) {
	p.now = now
	p.out = Ready{}
}

func (p *Paxos) leave() (Ready, error) {
	out := p.out
	p.out = Ready{}
	return out, p.err
}

func (p *Paxos) inQuorum(rank int) bool { return slices.Contains(p.quorum, rank) }

func (p *Paxos) send(to int, m *MMonPaxos) {
	m.Epoch = p.epoch
	m.SentTimestamp = encoding.UTimeOf(p.now)
	p.out.Messages = append(p.out.Messages, Envelope{To: to, Msg: m})
}

// bootstrap asks for a new election and leaves the quorum until it comes
// (Monitor::bootstrap, which also restarts Paxos).
func (p *Paxos) bootstrap() {
	p.out.Bootstrap = true
	p.restart()
}

func (p *Paxos) cancelEvents() {
	p.collectTimeout = time.Time{}
	p.acceptTimeout = time.Time{}
	p.leaseRenew = time.Time{}
	p.leaseAckTimeout = time.Time{}
	p.leaseTimeout = time.Time{}
}

// resetPendingCommittingFinishers fails every queued proposal waiter.
func (p *Paxos) resetPendingCommittingFinishers() {
	p.committingFinishers = append(p.committingFinishers, p.pendingFinishers...)
	p.pendingFinishers = nil
	for _, f := range p.committingFinishers {
		if _, ok := f.(trimmed); ok {
			p.trimming = false
			continue
		}
		p.out.Aborted = append(p.out.Aborted, f)
	}
	p.committingFinishers = nil
}

func (p *Paxos) restart() {
	p.cancelEvents()
	p.newValue = nil
	p.state = StateRecovering
	p.role = RoleNone
	p.pending = nil
	p.resetPendingCommittingFinishers()
}

// LeaderInit starts this monitor's term as leader of quorum (ranks, this
// one included) in the given election epoch (Paxos::leader_init). A
// quorum of one is active at once; otherwise recovery starts.
func (p *Paxos) LeaderInit(now time.Time, epoch uint32, quorum []int) (Ready, error) {
	p.enter(now)
	p.cancelEvents()
	p.newValue = nil
	p.pending = nil
	p.resetPendingCommittingFinishers()
	p.role, p.epoch, p.leader = RoleLeader, epoch, p.rank
	p.quorum = slices.Sorted(slices.Values(quorum))
	if len(p.quorum) == 1 {
		p.state = StateActive
		return p.leave()
	}
	p.state = StateRecovering
	p.leaseExpire = time.Time{}
	p.collect(0)
	return p.leave()
}

// PeonInit starts this monitor's term as a peon of leader
// (Paxos::peon_init).
func (p *Paxos) PeonInit(now time.Time, epoch uint32, leader int, quorum []int) (Ready, error) {
	p.enter(now)
	p.cancelEvents()
	p.newValue = nil
	p.role, p.epoch, p.leader = RolePeon, epoch, leader
	p.quorum = slices.Sorted(slices.Values(quorum))
	p.state = StateRecovering
	p.leaseExpire = time.Time{}
	p.resetLeaseTimeout()
	p.pending = nil
	p.resetPendingCommittingFinishers()
	return p.leave()
}

// Restart takes this monitor out of the quorum, as an election starting
// does (Paxos::restart): timers stop, pending proposals are aborted and
// messages are dropped until LeaderInit or PeonInit.
func (p *Paxos) Restart(now time.Time) (Ready, error) {
	p.enter(now)
	p.restart()
	return p.leave()
}

// Shutdown stops Paxos for good (Paxos::shutdown).
func (p *Paxos) Shutdown(now time.Time) (Ready, error) {
	p.enter(now)
	p.restart()
	p.state = StateShutdown
	return p.leave()
}

// Step handles a message from the monitor of rank from
// (Monitor::dispatch_op's epoch filter, then Paxos::dispatch).
func (p *Paxos) Step(now time.Time, from int, m *MMonPaxos) (Ready, error) {
	p.enter(now)
	switch {
	case p.state == StateShutdown:
	case m.Epoch > p.epoch:
		// A newer election happened without us.
		p.bootstrap()
	case m.Epoch != p.epoch:
	case p.role == RoleNone:
		// Election in progress: drop.
	case p.role == RolePeon && from != p.leader:
	case !p.inQuorum(from) || from == p.rank:
	default:
		p.dispatch(from, m)
	}
	return p.leave()
}

func (p *Paxos) dispatch(from int, m *MMonPaxos) {
	switch m.Op {
	case OpCollect:
		p.handleCollect(from, m)
	case OpLast:
		p.handleLast(from, m)
	case OpBegin:
		p.handleBegin(from, m)
	case OpAccept:
		p.handleAccept(from, m)
	case OpCommit:
		p.handleCommit(m)
	case OpLease:
		p.handleLease(from, m)
	case OpLeaseAck:
		p.handleLeaseAck(from, m)
	}
}

// Tick fires the timers that are due at now: collect, accept, lease-ack
// and lease timeouts call for an election; the lease renewal extends the
// lease.
func (p *Paxos) Tick(now time.Time) (Ready, error) {
	p.enter(now)
	due := func(t time.Time) bool { return !t.IsZero() && !now.Before(t) }
	// Fire every due timer; each firing either calls an election (which
	// clears the timers) or re-arms the renewal in the future.
	for range 5 {
		switch {
		case p.role == RoleLeader && due(p.collectTimeout):
			p.collectTimeout = time.Time{}
			p.bootstrap()
		case p.role == RoleLeader && due(p.acceptTimeout):
			p.acceptTimeout = time.Time{}
			p.bootstrap()
		case p.role == RoleLeader && due(p.leaseAckTimeout):
			p.leaseAckTimeout = time.Time{}
			p.bootstrap()
		case p.role == RolePeon && due(p.leaseTimeout):
			p.leaseTimeout = time.Time{}
			p.bootstrap()
		case p.role == RoleLeader && due(p.leaseRenew):
			p.leaseRenew = time.Time{}
			p.extendLease()
		default:
			return p.leave()
		}
	}
	return p.leave()
}

// NextDeadline returns the earliest armed timer, or the zero time.
func (p *Paxos) NextDeadline() time.Time {
	var next time.Time
	for _, t := range []time.Time{p.collectTimeout, p.acceptTimeout, p.leaseAckTimeout, p.leaseTimeout, p.leaseRenew} {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// IsLeaseValid reports whether reads may be served: always in a quorum of
// one, else until the lease expires.
func (p *Paxos) IsLeaseValid(now time.Time) bool {
	return len(p.quorum) == 1 || now.Before(p.leaseExpire)
}

// IsReadable reports whether version v (0: any) may be read now
// (Paxos::is_readable).
func (p *Paxos) IsReadable(now time.Time, v uint64) bool {
	if v > p.lastCommitted {
		return false
	}
	return (p.role == RoleLeader || p.role == RolePeon) &&
		(p.state == StateActive || p.state == StateUpdating || p.state == StateWriting) &&
		p.lastCommitted > 0 && p.IsLeaseValid(now)
}

// IsWriteable reports whether a proposal may start now.
func (p *Paxos) IsWriteable(now time.Time) bool {
	return p.role == RoleLeader && p.state == StateActive && p.IsLeaseValid(now)
}

// Read returns the value of a committed version still kept.
func (p *Paxos) Read(v uint64) ([]byte, error) {
	return p.st.Get(Prefix, store.VersionKey(v))
}

// ErrNotLeader is returned when a proposal is made on a monitor that is
// not the leader.
var ErrNotLeader = errors.New("paxos: not the leader")

// PendingTransaction returns the transaction being gathered for the next
// proposal (get_pending_transaction); services add their changes to it.
func (p *Paxos) PendingTransaction() (*store.Transaction, error) {
	if p.role != RoleLeader {
		return nil, ErrNotLeader
	}
	if p.pending == nil {
		p.pending = store.NewTransaction()
	}
	return p.pending, nil
}

// QueuePendingFinisher registers f to be returned in Ready.Finished when
// the pending proposal commits (or in Ready.Aborted if it never does).
func (p *Paxos) QueuePendingFinisher(f any) { p.pendingFinishers = append(p.pendingFinishers, f) }

// Propose adds tx to the pending proposal and queues f (if not nil) for
// its commit; TriggerPropose sends it.
func (p *Paxos) Propose(tx *store.Transaction, f any) error {
	t, err := p.PendingTransaction()
	if err != nil {
		return err
	}
	t.Append(tx)
	if f != nil {
		p.QueuePendingFinisher(f)
	}
	return nil
}

// Plug holds proposals back until Unplug (batching, paxos_propose_interval
// is the service layer's).
func (p *Paxos) Plug()   { p.plugged = true }
func (p *Paxos) Unplug() { p.plugged = false }

// TriggerPropose proposes the pending transaction now if Paxos is active
// and not plugged (Paxos::trigger_propose); otherwise the proposal waits
// for the current round to finish. ok reports whether it was proposed.
func (p *Paxos) TriggerPropose(now time.Time) (r Ready, ok bool, err error) {
	p.enter(now)
	if !p.plugged && p.role == RoleLeader && p.state == StateActive && p.pending != nil {
		p.proposePending()
		ok = true
	}
	r, err = p.leave()
	return r, ok, err
}
