package paxos

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/mon/store"
)

// The simulation drives N monitors deterministically from a seed: an
// in-memory network that drops, duplicates, reorders and partitions
// messages (each one encoded and decoded as MMonPaxos on the way), crashes
// and restarts monitors (keeping their stores), advances a fake clock and
// runs elections the way Ceph's elector settles them (the lowest rank that
// reaches a majority leads). No goroutines and no sleeps: the test steps
// until done, and the same seed replays the same run.

type simNode struct {
	rank    int
	st      *store.Mem
	px      *Paxos // nil while crashed
	checked uint64 // versions up to here were checked against the log
}

type simMsg struct {
	from, to int
	payload  []byte
}

type sim struct {
	t     *testing.T
	rng   *rand.Rand
	cfg   Config
	nodes []*simNode
	net   []simMsg
	now   time.Time
	epoch uint32
	cut   map[[2]int]bool
	// needElection is set when a monitor asked for one.
	needElection bool
	leader       int // -1: none

	// committed is every value ever seen committed, by version.
	committed map[uint64][]byte
	acked     []string // keys of proposals whose commit was reported
	nextKey   int
	commits   int

	// knobs
	dropP, dupP float64
	calm        bool // elections gather every reachable monitor
}

func newSim(t *testing.T, seed uint64, n int, cfg Config) *sim {
	s := &sim{
		t: t, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), cfg: cfg,
		now: time.Unix(1_700_000_000, 0), cut: map[[2]int]bool{}, leader: -1,
		committed: map[uint64][]byte{},
	}
	for i := range n {
		nd := &simNode{rank: i, st: store.NewMem()}
		s.nodes = append(s.nodes, nd)
		s.start(nd)
	}
	return s
}

func (s *sim) start(nd *simNode) {
	px, err := New(s.cfg, nd.st, nd.rank)
	if err != nil {
		s.t.Fatalf("mon.%d: %v", nd.rank, err)
	}
	nd.px = px
}

func (s *sim) connected(a, b int) bool {
	return a == b || (!s.cut[[2]int{a, b}] && !s.cut[[2]int{b, a}])
}

// handle processes one Ready from a monitor.
func (s *sim) handle(nd *simNode, r Ready, err error) {
	if err != nil {
		s.t.Fatalf("mon.%d: %v", nd.rank, err)
	}
	for _, e := range r.Messages {
		if e.To < 0 || e.To >= len(s.nodes) || e.To == nd.rank {
			s.t.Fatalf("mon.%d sends to %d", nd.rank, e.To)
		}
		s.net = append(s.net, simMsg{from: nd.rank, to: e.To, payload: e.Msg.MarshalPayload()})
	}
	for _, f := range r.Finished {
		s.acked = append(s.acked, f.(string))
	}
	if r.Bootstrap {
		s.needElection = true
	}
	s.check()
}

// deliver delivers message i (keeping a copy when duplicating).
func (s *sim) deliver(i int, keep bool) {
	m := s.net[i]
	if !keep {
		s.net = slices.Delete(s.net, i, i+1)
	}
	nd := s.nodes[m.to]
	if nd.px == nil || !s.connected(m.from, m.to) {
		return
	}
	msg, err := DecodeMMonPaxos(m.payload, MMonPaxosHeadVersion)
	if err != nil {
		s.t.Fatalf("undecodable message: %v", err)
	}
	r, err := nd.px.Step(s.now, m.from, msg)
	s.handle(nd, r, err)
}

// election elects the lowest rank that reaches a majority of the alive,
// connected monitors, syncs members that fell behind what the others
// keep (the monitor's store sync, not Paxos's job), and starts the term.
func (s *sim) election() {
	s.needElection = false
	s.epoch += 2
	n := len(s.nodes)
	var quorum []int
	for _, c := range s.nodes {
		if c.px == nil {
			continue
		}
		var q []int
		for _, o := range s.nodes {
			if o.px != nil && s.connected(c.rank, o.rank) {
				q = append(q, o.rank)
			}
		}
		if len(q) > n/2 {
			quorum = q
			break
		}
	}
	// Elections do not always gather every reachable monitor (timing,
	// flapping links): half the time take a random majority of them.
	if quorum != nil && !s.calm && s.rng.IntN(2) == 0 {
		s.rng.Shuffle(len(quorum), func(i, j int) { quorum[i], quorum[j] = quorum[j], quorum[i] })
		quorum = quorum[:n/2+1+s.rng.IntN(len(quorum)-n/2)]
		slices.Sort(quorum)
	}
	s.leader = -1
	if quorum == nil {
		for _, nd := range s.nodes {
			if nd.px != nil {
				r, err := nd.px.Restart(s.now)
				s.handle(nd, r, err)
			}
		}
		return
	}
	s.sync(quorum)
	s.leader = quorum[0]
	for _, nd := range s.nodes {
		if nd.px == nil {
			continue
		}
		var r Ready
		var err error
		switch {
		case nd.rank == s.leader:
			continue
		case slices.Contains(quorum, nd.rank):
			r, err = nd.px.PeonInit(s.now, s.epoch, s.leader, quorum)
		default:
			r, err = nd.px.Restart(s.now)
		}
		s.handle(nd, r, err)
	}
	ld := s.nodes[s.leader]
	r, err := ld.px.LeaderInit(s.now, s.epoch, quorum)
	s.handle(ld, r, err)
}

func (s *sim) storeRange(nd *simNode) (fc, lc uint64) {
	fc, _ = store.GetU64(nd.st, Prefix, KeyFirstCommitted)
	lc, _ = store.GetU64(nd.st, Prefix, KeyLastCommitted)
	return fc, lc
}

// sync copies the most advanced member's store to members whose
// last_committed is below what it still keeps, as a monitor's sync does
// before it joins.
func (s *sim) sync(quorum []int) {
	best := s.nodes[quorum[0]]
	_, bestLC := s.storeRange(best)
	for _, r := range quorum {
		if _, lc := s.storeRange(s.nodes[r]); lc > bestLC {
			best, bestLC = s.nodes[r], lc
		}
	}
	bestFC, _ := s.storeRange(best)
	for _, r := range quorum {
		nd := s.nodes[r]
		if _, lc := s.storeRange(nd); lc+1 >= bestFC || nd == best {
			continue
		}
		fresh := store.NewMem()
		tx := store.NewTransaction()
		for _, pk := range best.st.Keys() {
			prefix, key := splitKey(pk)
			v, _ := best.st.Get(prefix, key)
			tx.Put(prefix, key, v)
		}
		if err := fresh.Apply(tx); err != nil {
			s.t.Fatal(err)
		}
		nd.st = fresh
		nd.checked = 0
		s.start(nd)
	}
}

func splitKey(pk string) (string, string) {
	for i := 0; i < len(pk); i++ {
		if pk[i] == '/' {
			return pk[:i], pk[i+1:]
		}
	}
	return pk, ""
}

// check holds the safety invariant: every version a monitor has
// committed has the one value ever committed for that version.
func (s *sim) check() {
	for _, nd := range s.nodes {
		fc, lc := s.storeRange(nd)
		if fc > lc {
			s.t.Fatalf("mon.%d: first_committed %d > last_committed %d", nd.rank, fc, lc)
		}
		if nd.px != nil && nd.px.LastCommitted() != lc {
			s.t.Fatalf("mon.%d: in-memory last_committed %d, store %d", nd.rank, nd.px.LastCommitted(), lc)
		}
		for v := max(fc, nd.checked+1); v <= lc && v > 0; v++ {
			val, err := store.GetVersion(nd.st, Prefix, v)
			if err != nil {
				s.t.Fatalf("mon.%d: committed version %d missing: %v", nd.rank, v, err)
			}
			if prev, ok := s.committed[v]; !ok {
				s.committed[v] = val
				s.commits++
			} else if !bytes.Equal(prev, val) {
				s.t.Fatalf("SAFETY: version %d committed with two different values (mon.%d)", v, nd.rank)
			}
		}
		nd.checked = max(nd.checked, lc)
	}
}

func (s *sim) propose() {
	if s.leader < 0 {
		return
	}
	ld := s.nodes[s.leader]
	if ld.px == nil || ld.px.Role() != RoleLeader {
		return
	}
	key := fmt.Sprintf("k%06d", s.nextKey)
	s.nextKey++
	tx := store.NewTransaction()
	tx.Put("test", key, []byte(key))
	if err := ld.px.Propose(tx, key); err != nil {
		s.t.Fatal(err)
	}
	r, _, err := ld.px.TriggerPropose(s.now)
	s.handle(ld, r, err)
}

func (s *sim) advance(d time.Duration) {
	s.now = s.now.Add(d)
	for _, nd := range s.nodes {
		if nd.px != nil {
			r, err := nd.px.Tick(s.now)
			s.handle(nd, r, err)
		}
	}
}

// step takes one random action.
func (s *sim) step() {
	x := s.rng.Float64()
	switch {
	case s.needElection && x < 0.1:
		s.election()
	case x < 0.62 && len(s.net) > 0:
		i := s.rng.IntN(len(s.net))
		switch y := s.rng.Float64(); {
		case y < s.dropP:
			s.net = slices.Delete(s.net, i, i+1)
		case y < s.dropP+s.dupP:
			s.deliver(i, true)
		default:
			s.deliver(i, false)
		}
	case x < 0.77:
		s.propose()
	case x < 0.94:
		s.advance(time.Duration(s.rng.IntN(1500)) * time.Millisecond)
	case x < 0.945:
		// crash
		nd := s.nodes[s.rng.IntN(len(s.nodes))]
		nd.px = nil
		if nd.rank == s.leader {
			s.needElection = true
		}
	case x < 0.95:
		// restart a crashed monitor
		for _, nd := range s.nodes {
			if nd.px == nil {
				s.start(nd)
				s.needElection = true
				break
			}
		}
	case x < 0.985:
		// Cut a link (one direction), or heal every cut.
		if len(s.cut) > 0 && s.rng.IntN(2) == 0 {
			s.cut = map[[2]int]bool{}
		} else if a, b := s.rng.IntN(len(s.nodes)), s.rng.IntN(len(s.nodes)); a != b {
			s.cut[[2]int{a, b}] = true
		}
	case x < 0.995:
		s.election() // an election for no reason: leader changes mid-round
	default:
		s.advance(time.Duration(s.rng.IntN(20)) * time.Second)
	}
}

// settle heals everything and runs a calm period, which must end with
// every monitor in one quorum, agreeing, with every acknowledged proposal
// applied.
func (s *sim) settle() {
	s.cut = map[[2]int]bool{}
	s.calm = true
	for _, nd := range s.nodes {
		if nd.px == nil {
			s.start(nd)
		}
	}
	s.net = nil
	s.election()
	s.drain()
	final := fmt.Sprintf("final%06d", s.nextKey)
	s.nextKey++
	ld := s.nodes[s.leader]
	tx := store.NewTransaction()
	tx.Put("test", final, []byte(final))
	if err := ld.px.Propose(tx, final); err != nil {
		s.t.Fatal(err)
	}
	r, _, err := ld.px.TriggerPropose(s.now)
	s.handle(ld, r, err)
	s.drain()
	if !slices.Contains(s.acked, final) {
		s.t.Fatalf("calm period: the final proposal did not commit (leader mon.%d state %v)", s.leader, ld.px.State())
	}
	_, want := s.storeRange(ld)
	for _, nd := range s.nodes {
		if _, lc := s.storeRange(nd); lc != want {
			s.t.Fatalf("calm period: mon.%d at %d, leader at %d", nd.rank, lc, want)
		}
	}
	// Every acknowledged proposal is applied on every monitor, and the
	// applied state is the replay of the committed log.
	for _, nd := range s.nodes {
		for _, k := range s.acked {
			if ok, _ := nd.st.Exists("test", k); !ok {
				s.t.Fatalf("DURABILITY: acknowledged %s missing on mon.%d", k, nd.rank)
			}
		}
	}
	replay := store.NewMem()
	for v := uint64(1); v <= want; v++ {
		val, ok := s.committed[v]
		if !ok {
			s.t.Fatalf("version %d never observed committed", v)
		}
		tx, err := store.UnmarshalTransaction(val)
		if err != nil {
			s.t.Fatal(err)
		}
		if err := replay.Apply(tx); err != nil {
			s.t.Fatal(err)
		}
	}
	var got, exp []string
	s.nodes[0].st.Iterate("test", "", func(k string, _ []byte) bool { got = append(got, k); return true })
	replay.Iterate("test", "", func(k string, _ []byte) bool { exp = append(exp, k); return true })
	if !slices.Equal(got, exp) {
		s.t.Fatalf("applied state differs from the replayed log: %d vs %d keys", len(got), len(exp))
	}
}

// drain delivers everything in order, advancing time in small steps so
// leases renew without timing out, until the network is quiet and no
// election is pending.
func (s *sim) drain() {
	for range 10000 {
		if s.needElection {
			s.election()
			continue
		}
		if len(s.net) == 0 {
			if s.leader >= 0 && s.nodes[s.leader].px.State() == StateActive {
				return
			}
			s.advance(500 * time.Millisecond)
			continue
		}
		s.deliver(0, false)
	}
	s.t.Fatal("calm period did not settle")
}

func simConfig() Config {
	c := DefaultConfig()
	// Trim often, so that trimming and sync are exercised.
	c.Min, c.TrimMin, c.TrimMax = 5, 3, 4
	return c
}

func TestSimSingleMonitor(t *testing.T) {
	s := newSim(t, 1, 1, simConfig())
	s.election()
	for range 50 {
		s.propose()
	}
	if len(s.acked) != 50 {
		t.Fatalf("%d of 50 proposals committed", len(s.acked))
	}
	fc, lc := s.storeRange(s.nodes[0])
	if lc < 50 || fc <= 1 {
		t.Fatalf("range %d..%d: want >= 50 versions and trimming", fc, lc)
	}
	s.settle()
}

func TestSimThreeMonitorsCalm(t *testing.T) {
	s := newSim(t, 2, 3, simConfig())
	s.election()
	s.drain()
	for i := range 30 {
		s.propose()
		s.drain()
		if len(s.acked) != i+1 {
			t.Fatalf("proposal %d not committed in a calm network", i)
		}
	}
	s.settle()
}

// TestSimRandomized runs many seeded random schedules with drops,
// duplicates, reordering, partitions, crashes and leader changes,
// checking after every event that no version is ever committed with two
// values, and at the end that acknowledged proposals survived.
func TestSimRandomized(t *testing.T) {
	seeds, steps := 60, 3000
	if testing.Short() {
		seeds, steps = 10, 1000
	}
	total := 0
	for seed := range uint64(seeds) {
		n := []int{3, 5, 2, 4}[seed%4]
		s := newSim(t, seed+100, n, simConfig())
		t.Logf("seed %d: %d monitors", seed+100, n)
		s.dropP, s.dupP = 0.1, 0.05
		s.election()
		for range steps {
			s.step()
		}
		s.settle()
		total += s.commits
	}
	t.Logf("%d versions committed across %d schedules", total, seeds)
	if total < seeds*10 {
		t.Errorf("too little progress: %d commits", total)
	}
}
