package elector

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// Config is what the election needs of the monmap and the configuration.
type Config struct {
	Rank int // this monitor's rank
	Size int // monitors in the monmap (paxos_size)
	// Timeout is mon_election_timeout (Pacific: 5s).
	Timeout  time.Duration
	Strategy msg.ElectionStrategy // classic or disallow
	// Disallowed ranks may never lead (the monmap's disallowed_leaders
	// under the disallow strategy).
	Disallowed []int
	// Features and MonFeatures are this monitor's connection and monitor
	// features, sent with acks and intersected into the quorum's.
	Features, MonFeatures uint64
	// RequiredFeatures and RequiredMonFeatures are the connection and
	// monitor features a peer must have, MinMonRelease the monmap's
	// min_mon_release: a proposer without them is sent a nak and an ack
	// without them is ignored (Elector::handle_propose, handle_ack).
	RequiredFeatures, RequiredMonFeatures uint64
	MinMonRelease                         uint8
	// MonRelease is this monitor's release (16: pacific).
	MonRelease uint8
	// HasEverJoined is the monitor's "joined" flag: a monitor that never
	// was in a quorum goes back to probing when an election stalls.
	HasEverJoined bool

	// Connectivity: Scores is the persisted ConnectionTracker
	// ("monitor"/"connectivity_scores", nil for none); HalfLife is
	// mon_con_tracker_score_halflife in seconds; IgnoreProposeMargin is
	// mon_elector_ignore_propose_margin.
	Scores              []byte
	HalfLife            float64
	IgnoreProposeMargin float64
	// Pinging: the quorum's monitor features include elector pinging,
	// so peers are pinged to keep connection scores
	// (Elector::begin_peer_ping). PingTimeout and PingDivisor are
	// mon_elector_ping_timeout and mon_elector_ping_divisor.
	Pinging     bool
	PingTimeout time.Duration
	PingDivisor int
}

// DefaultTimeout is Pacific's mon_election_timeout.
const DefaultTimeout = 5 * time.Second

// Msg is the part of MMonElection the election logic reads and writes.
type Msg struct {
	Op     msg.ElectionOp
	Epoch  uint32
	Quorum []int // victory: the quorum
	// Features and MonFeatures are the sender's (acks, proposals); on a
	// nak they are the features the sender requires.
	Features, MonFeatures uint64
	// MonRelease is the sender's release (proposals, acks), the
	// quorum's lowest (victory) or the monmap's min_mon_release (nak).
	MonRelease uint8
	// Strategy is the sender's election strategy (0: unknown, accepted).
	Strategy msg.ElectionStrategy
	// Tracker is the sender's ConnectionTracker (scoring_bl, every
	// message); Stable the tracker a connectivity proposal is judged by
	// (sharing_bl of a propose). Either may be nil.
	Tracker, Stable *ConnectionTracker
	// Metadata is the sender's monitor metadata (acks), which the
	// leader collects for `mon metadata`.
	Metadata map[string]string
}

func (m Msg) String() string { return fmt.Sprintf("election(%s e%d)", m.Op, m.Epoch) }

// FromMessage extracts what the core needs from a received MMonElection;
// connFeatures are the features of the connection it came on.
func FromMessage(m *msg.MonElection, connFeatures uint64) Msg {
	out := Msg{Op: m.Op, Epoch: m.Epoch, Features: connFeatures, MonFeatures: m.MonFeatures,
		MonRelease: m.MonRelease, Strategy: m.Strategy}
	if m.Op == msg.ElectionOpAck {
		out.Metadata = m.Metadata
	}
	if m.Op == msg.ElectionOpNak {
		out.Features = m.QuorumFeatures
	}
	if len(m.ScoringBL) > 0 {
		out.Tracker, _ = UnmarshalConnectionTracker(m.ScoringBL)
	}
	if m.Op == msg.ElectionOpPropose && len(m.SharingBL) > 0 {
		out.Stable, _ = UnmarshalConnectionTracker(m.SharingBL)
	}
	for _, r := range m.Quorum {
		out.Quorum = append(out.Quorum, int(r))
	}
	return out
}

// ToMessage fills the op, epoch, quorum and features of an MMonElection;
// the caller adds fsid, monmap, metadata, release and sharing data.
func (m Msg) ToMessage() *msg.MonElection {
	out := &msg.MonElection{Op: m.Op, Epoch: m.Epoch, MonFeatures: m.MonFeatures, MonRelease: m.MonRelease,
		Strategy: m.Strategy}
	if m.Tracker != nil {
		out.ScoringBL = m.Tracker.Marshal()
	}
	if m.Stable != nil && m.Op == msg.ElectionOpPropose {
		out.SharingBL = m.Stable.Marshal()
	}
	if m.Op == msg.ElectionOpVictory || m.Op == msg.ElectionOpNak {
		out.QuorumFeatures = m.Features
	}
	for _, r := range m.Quorum {
		out.Quorum = append(out.Quorum, int32(r))
	}
	return out
}

// Envelope is a message for the monitor of rank To.
type Envelope struct {
	To  int
	Msg Msg
}

// Victory says: this monitor leads Quorum from election epoch Epoch.
type Victory struct {
	Epoch       uint32
	Quorum      []int
	Features    uint64 // intersection of the quorum's connection features
	MonFeatures uint64 // intersection of the quorum's monitor features
	MonRelease  uint8  // the quorum's lowest release
	// Metadata is each peon's monitor metadata from its ack.
	Metadata map[int]map[string]string
}

// Lost says: Leader leads Quorum (this monitor included) from Epoch.
type Lost struct {
	Epoch       uint32
	Leader      int
	Quorum      []int
	Features    uint64
	MonFeatures uint64
	MonRelease  uint8
}

// Ready is what one call produced; see the package documentation for
// the order in which the monitor acts on it.
type Ready struct {
	PersistEpoch bool   // Epoch changed: persist it before sending
	Epoch        uint32 // the election epoch after this call
	Electing     bool   // an election is under way: leave the quorum
	Messages     []Envelope
	Victory      *Victory
	Lost         *Lost
	Bootstrap    bool // stalled without ever joining: probe again
	Nakked       bool // a peer said we lack required features
	// Pings are MMonPing messages to send (connection scoring).
	Pings []PingEnvelope
	// Scores, when not nil, is the encoded ConnectionTracker to persist
	// under "monitor"/"connectivity_scores".
	Scores []byte
}

type ack struct {
	features, monFeatures uint64
	release               uint8
	metadata              map[string]string
}

// Elector is one monitor's election state. Not safe for concurrent use.
type Elector struct {
	cfg Config

	epoch         uint32
	persisted     uint32 // the epoch the store holds (0: never written)
	participating bool
	electingMe    bool
	leaderAcked   int // the rank we deferred to, or -1
	ackedMe       map[int]ack
	expire        time.Time // election period end, zero when idle

	// outcome of the last election
	leader int // -1 while electing
	quorum []int

	// connectivity
	tracker       *ConnectionTracker // peer_tracker
	stable        *ConnectionTracker // scores frozen for this election
	leaderTracker *ConnectionTracker // the acked leader's stable scores
	lastWinner    int
	lastVotedFor  int
	ping          pinger

	out Ready
}

// New returns an Elector for a monitor whose store holds persistedEpoch
// (0 on first boot), as ElectionLogic::init: a first boot starts at epoch
// 1, an odd epoch (a crash mid-election) is bumped to the next even one.
func New(cfg Config, persistedEpoch uint32) *Elector {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Strategy == 0 {
		cfg.Strategy = msg.StrategyClassic
	}
	if cfg.HalfLife <= 0 {
		cfg.HalfLife = DefaultHalfLife
	}
	if cfg.PingTimeout <= 0 {
		cfg.PingTimeout = 2 * time.Second
	}
	if cfg.PingDivisor <= 0 {
		cfg.PingDivisor = 2
	}
	e := &Elector{cfg: cfg, epoch: persistedEpoch, participating: true, leaderAcked: -1, leader: -1,
		lastWinner: -1, lastVotedFor: -1}
	e.tracker = NewConnectionTracker(cfg.Rank, cfg.HalfLife)
	if len(cfg.Scores) > 0 {
		if t, err := UnmarshalConnectionTracker(cfg.Scores); err == nil && t.rank == cfg.Rank {
			t.halfLife = cfg.HalfLife
			e.tracker = t
		}
	}
	e.ping.init()
	switch {
	case e.epoch == 0:
		e.epoch = 1
	case e.epoch%2 == 1:
		e.epoch++
		e.out.PersistEpoch = true
	}
	e.persisted = persistedEpoch
	if e.out.PersistEpoch {
		e.persisted = e.epoch
	}
	return e
}

// Init returns what New decided that needs persisting (the bumped epoch).
func (e *Elector) Init() Ready { return e.leave() }

// Accessors.
func (e *Elector) Epoch() uint32       { return e.epoch }
func (e *Elector) Rank() int           { return e.cfg.Rank }
func (e *Elector) Leader() int         { return e.leader }
func (e *Elector) Quorum() []int       { return slices.Clone(e.quorum) }
func (e *Elector) Electing() bool      { return e.epoch%2 == 1 }
func (e *Elector) ElectingMe() bool    { return e.electingMe }
func (e *Elector) LeaderAcked() int    { return e.leaderAcked }
func (e *Elector) HasEverJoined() bool { return e.cfg.HasEverJoined }

// NextDeadline is when Tick must be called next (zero: no timer): the
// end of the election period or the next ping check.
func (e *Elector) NextDeadline() time.Time {
	next := e.expire
	if p := e.nextPing(); !p.IsZero() && (next.IsZero() || p.Before(next)) {
		next = p
	}
	return next
}

// SetParticipating turns participation on or off (ceph daemon mon.X
// connection scores ... / "quorum enter|exit"): a non-participating
// monitor never proposes.
func (e *Elector) SetParticipating(p bool) { e.participating = p }

// SetMonmap updates the monmap-derived configuration after the monmap
// changed (size, this monitor's rank, disallowed leaders, strategy).
func (e *Elector) SetMonmap(rank, size int, strategy msg.ElectionStrategy, disallowed []int) {
	e.cfg.Rank, e.cfg.Size, e.cfg.Disallowed = rank, size, slices.Clone(disallowed)
	if strategy != 0 {
		e.cfg.Strategy = strategy
	}
}

func (e *Elector) leave() Ready {
	out := e.out
	out.Epoch = e.epoch
	e.out = Ready{}
	return out
}

func (e *Elector) send(to int, m Msg) {
	m.Strategy = e.cfg.Strategy
	m.Tracker = e.tracker.Clone()
	e.out.Messages = append(e.out.Messages, Envelope{To: to, Msg: m})
}

func (e *Elector) disallowed(rank int) bool {
	return e.cfg.Strategy == msg.StrategyDisallow && slices.Contains(e.cfg.Disallowed, rank)
}

func (e *Elector) isCurrentMember(rank int) bool {
	return e.epoch%2 == 0 && slices.Contains(e.quorum, rank)
}

// bumpEpoch is ElectionLogic::bump_epoch: persist, forget the current
// round, and (Elector::notify_bump_epoch) make the monitor join the
// election.
func (e *Elector) bumpEpoch(epoch uint32) {
	e.epoch = epoch
	e.persisted = epoch
	e.out.PersistEpoch = true
	e.tracker.IncreaseEpoch(epoch)
	e.out.Scores = e.tracker.Marshal()
	e.electingMe = false
	e.ackedMe = nil
	e.out.Electing = true
	e.leader, e.quorum = -1, nil
}

func (e *Elector) resetTimer(now time.Time) { e.expire = now.Add(e.cfg.Timeout) }
func (e *Elector) cancelTimer()             { e.expire = time.Time{} }

// Start calls an election (Elector::call_election, ElectionLogic::start).
func (e *Elector) Start(now time.Time) Ready {
	e.start(now)
	return e.leave()
}

func (e *Elector) start(now time.Time) {
	if !e.participating {
		return
	}
	// ElectionLogic::start calls init first, which moves a persisted odd
	// epoch (an election under way) to the next even one; the bump that
	// follows makes it odd again. Restarting an election therefore
	// always moves on to a new odd epoch, two past the old one.
	// A monitor that never persisted an epoch (first boot) stays at 1.
	switch {
	case e.persisted == 0:
		e.epoch = 1
	case e.epoch%2 == 1:
		e.epoch++
		e.bumpEpoch(e.epoch + 1)
	default:
		e.bumpEpoch(e.epoch + 1)
	}
	e.out.Electing = true
	e.leader, e.quorum = -1, nil
	e.ackedMe = map[int]ack{e.cfg.Rank: {e.cfg.Features, e.cfg.MonFeatures, e.cfg.MonRelease, nil}}
	e.clearLiveElectionState()
	e.electingMe = true
	var stable *ConnectionTracker
	if e.cfg.Strategy == msg.StrategyConnectivity {
		stable = e.stable.Clone()
	}
	for r := 0; r < e.cfg.Size; r++ {
		if r != e.cfg.Rank {
			e.send(r, Msg{Op: msg.ElectionOpPropose, Epoch: e.epoch, Features: e.cfg.Features,
				MonFeatures: e.cfg.MonFeatures, MonRelease: e.cfg.MonRelease, Stable: stable})
		}
	}
	e.resetTimer(now)
}

// defer acks who (ElectionLogic::defer, Elector::_defer_to).
func (e *Elector) deferTo(now time.Time, who int) {
	if e.electingMe {
		e.ackedMe = nil
		e.electingMe = false
	}
	e.leaderAcked = who
	e.send(who, Msg{Op: msg.ElectionOpAck, Epoch: e.epoch, Features: e.cfg.Features,
		MonFeatures: e.cfg.MonFeatures, MonRelease: e.cfg.MonRelease})
	// Elector::_defer_to gives the leader a second more to declare
	// victory before this monitor starts over.
	e.expire = now.Add(e.cfg.Timeout + DeferGrace)
}

// DeferGrace is the extra time a deferring monitor waits for the victory
// (Elector::_defer_to: reset_timer(1.0)).
const DeferGrace = time.Second

// LeaveQuorum forgets the last election's outcome, as Monitor::bootstrap
// does when the monitor goes back to probing: the old quorum's members
// no longer count as current members, so their proposals are answered
// by a new election. The epoch is unchanged.
func (e *Elector) LeaveQuorum() {
	e.leader, e.quorum = -1, nil
	e.cancelTimer()
}

// Tick ends the election period if it is due
// (ElectionLogic::end_election_period).
func (e *Elector) Tick(now time.Time) Ready {
	e.tickPings(now)
	if e.expire.IsZero() || now.Before(e.expire) {
		return e.leave()
	}
	e.expire = time.Time{}
	switch {
	case e.electingMe && len(e.ackedMe) > e.cfg.Size/2:
		e.declareVictory()
	case e.cfg.HasEverJoined:
		e.start(now)
	default:
		e.out.Bootstrap = true
	}
	return e.leave()
}

// declareVictory is ElectionLogic::declare_victory and
// Elector::message_victory.
func (e *Elector) declareVictory() {
	e.lastWinner, e.lastVotedFor = e.cfg.Rank, e.cfg.Rank
	e.clearLiveElectionState()
	quorum := make([]int, 0, len(e.ackedMe))
	features, monFeatures, release := ^uint64(0), ^uint64(0), uint8(255)
	metadata := map[int]map[string]string{}
	for r, a := range e.ackedMe {
		quorum = append(quorum, r)
		features &= a.features
		monFeatures &= a.monFeatures
		release = min(release, a.release)
		if r != e.cfg.Rank && a.metadata != nil {
			metadata[r] = a.metadata
		}
	}
	slices.Sort(quorum)
	e.bumpEpoch(e.epoch + 1)
	e.cancelTimer()
	e.leader, e.quorum = e.cfg.Rank, quorum
	e.cfg.HasEverJoined = true
	for _, r := range quorum {
		if r != e.cfg.Rank {
			e.send(r, Msg{Op: msg.ElectionOpVictory, Epoch: e.epoch, Quorum: slices.Clone(quorum),
				Features: features, MonFeatures: monFeatures, MonRelease: release})
		}
	}
	e.out.Victory = &Victory{Epoch: e.epoch, Quorum: slices.Clone(quorum), Features: features,
		MonFeatures: monFeatures, MonRelease: release, Metadata: metadata}
}

// maxPeerEpoch is the highest election epoch a peer's message may carry:
// room is left for the elections that follow it.
const maxPeerEpoch = math.MaxUint32 - 1024

// Step handles an election message from the monitor of rank from.
func (e *Elector) Step(now time.Time, from int, m Msg) Ready {
	if from < 0 || from >= e.cfg.Size || from == e.cfg.Rank || !e.participating {
		return e.leave()
	}
	if m.Strategy != 0 && m.Strategy != e.cfg.Strategy {
		return e.leave() // Elector::dispatch lets the strategy race resolve
	}
	if m.Epoch > maxPeerEpoch {
		// Two billion elections are not real: bumping to this epoch
		// would make the next one wrap around to the start.
		return e.leave()
	}
	if m.Tracker != nil {
		e.tracker.ReceivePeerReport(m.Tracker)
	}
	e.beginPeerPing(now, from)
	if m.Op != msg.ElectionOpPropose && m.Epoch < e.epoch {
		return e.leave() // old epoch
	}
	switch m.Op {
	case msg.ElectionOpPropose:
		e.handlePropose(now, from, m)
	case msg.ElectionOpAck:
		e.handleAck(now, from, m)
	case msg.ElectionOpVictory:
		e.handleVictory(now, from, m)
	case msg.ElectionOpNak:
		e.handleNak(m)
	}
	return e.leave()
}

// handlePropose is Elector::handle_propose and
// ElectionLogic::receive_propose with the classic or disallow handler.
func (e *Elector) handlePropose(now time.Time, from int, m Msg) {
	if m.Epoch%2 == 0 {
		return // Ceph asserts a propose is sent in an election epoch
	}
	nak := Msg{Op: msg.ElectionOpNak, Epoch: m.Epoch, Features: e.cfg.RequiredFeatures,
		MonFeatures: e.cfg.RequiredMonFeatures, MonRelease: e.cfg.MinMonRelease}
	switch {
	case m.Features&e.cfg.RequiredFeatures != e.cfg.RequiredFeatures, m.MonRelease < e.cfg.MinMonRelease:
		e.send(from, nak)
		return
	case m.MonFeatures&e.cfg.RequiredMonFeatures != e.cfg.RequiredMonFeatures:
		// Ceph naks a peer missing monitor features but, unlike the
		// cases above, still goes on to consider its proposal.
		e.send(from, nak)
	}
	if e.cfg.Strategy == msg.StrategyConnectivity {
		e.proposeConnectivity(now, from, m)
		return
	}
	switch {
	case m.Epoch > e.epoch:
		e.bumpEpoch(m.Epoch)
	case m.Epoch < e.epoch:
		// An old propose: a monitor outside a stable quorum has just
		// started up; call an election so it can join.
		if e.epoch%2 == 0 && !e.isCurrentMember(from) {
			e.start(now)
		}
		return
	}
	me := e.cfg.Rank
	meDisallowed, fromDisallowed := e.disallowed(me), e.disallowed(from)
	myWin := !meDisallowed && (me < from || fromDisallowed)
	theirWin := !fromDisallowed && (me > from || meDisallowed) &&
		(e.leaderAcked < 0 || e.leaderAcked >= from)
	switch {
	case myWin:
		if e.leaderAcked < 0 && !e.electingMe {
			e.start(now)
		}
	case theirWin:
		e.deferTo(now, from)
	}
}

// handleAck is ElectionLogic::receive_ack.
func (e *Elector) handleAck(now time.Time, from int, m Msg) {
	if m.Epoch%2 == 0 {
		return
	}
	if m.Epoch > e.epoch {
		// We must have restarted: catch up and start over.
		e.bumpEpoch(m.Epoch)
		e.start(now)
		return
	}
	if m.Features&e.cfg.RequiredFeatures != e.cfg.RequiredFeatures ||
		m.MonFeatures&e.cfg.RequiredMonFeatures != e.cfg.RequiredMonFeatures {
		return
	}
	if m.Epoch < e.epoch || !e.electingMe {
		return
	}
	e.ackedMe[from] = ack{m.Features, m.MonFeatures, m.MonRelease, m.Metadata}
	if len(e.ackedMe) == e.cfg.Size {
		e.declareVictory()
	}
}

// handleVictory is ElectionLogic::receive_victory and
// Elector::handle_victory.
func (e *Elector) handleVictory(now time.Time, from int, m Msg) {
	if m.Epoch%2 == 1 {
		return
	}
	if m.Epoch == e.epoch && from == e.leader && slices.Equal(sortedCopy(m.Quorum), e.quorum) {
		return // the victory we took, again
	}
	ok := e.victoryMakesSense(from)
	e.lastWinner, e.lastVotedFor = from, e.leaderAcked
	e.clearLiveElectionState()
	if !ok {
		// Ceph asserts this only happens under connectivity, where it
		// means we should have won: start over.
		if e.cfg.Strategy == msg.StrategyConnectivity {
			e.startOver(now, m.Epoch)
		}
		return
	}
	if m.Epoch != e.epoch+1 {
		// A funny epoch: we missed part of the election, or this is a
		// second victory for the epoch whose victory we already took
		// (two proposers each counted our ack: we acked one, then
		// deferred to the other, and neither heard of the other). Catch
		// up and start over, so that the two leaders last no longer
		// than one round trip.
		e.startOver(now, m.Epoch)
		return
	}
	if !slices.Contains(m.Quorum, e.cfg.Rank) {
		return
	}
	e.bumpEpoch(m.Epoch)
	e.cancelTimer()
	e.leader, e.quorum = from, sortedCopy(m.Quorum)
	e.cfg.HasEverJoined = true
	e.out.Lost = &Lost{Epoch: m.Epoch, Leader: from, Quorum: slices.Clone(e.quorum), Features: m.Features,
		MonFeatures: m.MonFeatures, MonRelease: m.MonRelease}
}

// startOver moves to epoch (no older than ours: Step drops older
// messages) and calls a new election.
func (e *Elector) startOver(now time.Time, epoch uint32) {
	if epoch > e.epoch {
		e.bumpEpoch(epoch)
	}
	e.start(now)
}

func sortedCopy(s []int) []int {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// handleNak is Elector::handle_nak: the proposer lacks features the
// peer requires; Ceph exits.
func (e *Elector) handleNak(m Msg) {
	e.out.Nakked = true
}
