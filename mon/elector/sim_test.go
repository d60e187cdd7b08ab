package elector

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// The simulation runs N electors deterministically from a seed over an
// in-memory network that drops messages and cuts links, with a fake
// clock, crashes and restarts (the persisted epoch survives). Every
// message goes through the MMonElection codec. The monitor around each
// elector is modelled as much as elections depend on it: a monitor
// probes before electing (it starts an election once it reaches a
// majority), and Paxos's lease timeouts call a new election when the
// quorum it was given is not the one its peers are in.

type simNode struct {
	e         *Elector
	alive     bool
	persisted uint32
	probing   bool // waiting to reach a majority before electing
}

type simMsg struct {
	from, to int
	payload  []byte
	ping     bool // an MMonPing rather than an MMonElection
}

type sim struct {
	t     testing.TB
	rng   *rand.Rand
	n     int
	cfg   Config
	nodes []*simNode
	net   []simMsg
	now   time.Time
	cut   map[[2]int]bool
	dropP float64

	// history: the leader of every even epoch anyone won or lost in
	leaderOf map[uint32]int
	quorumOf map[uint32][]int
	steps    int
	// strict: the network only ever splits into cliques and delivers
	// what it does not cut, as Ceph's classic elections assume; then no
	// epoch can have two leaders. Drops and one-link cuts can give one
	// epoch two leaders in Ceph too (each with a majority of acks, a
	// monitor acking a better proposer after a worse one); then only
	// each monitor's own view is checked, and Paxos's lease timeouts
	// call the next election.
	strict bool
	seen   map[[2]int]int // (rank, epoch) -> leader it accepted
}

func newSim(t testing.TB, seed uint64, n int, mod func(*Config)) *sim {
	s := &sim{
		t: t, rng: rand.New(rand.NewPCG(seed, seed*7+1)), n: n,
		now: time.Unix(1700000000, 0), cut: map[[2]int]bool{},
		leaderOf: map[uint32]int{}, quorumOf: map[uint32][]int{},
		strict: true, seen: map[[2]int]int{},
	}
	s.cfg = Config{Size: n, Timeout: 5 * time.Second, Features: encoding.FeaturesPacific, MonFeatures: 0x3ff}
	if mod != nil {
		mod(&s.cfg)
	}
	for r := range n {
		s.nodes = append(s.nodes, &simNode{})
		s.boot(r)
	}
	return s
}

func (s *sim) boot(r int) {
	nd := s.nodes[r]
	cfg := s.cfg
	cfg.Rank = r
	cfg.HasEverJoined = nd.persisted != 0 && nd.persisted > 1
	nd.e = New(cfg, nd.persisted)
	nd.alive = true
	nd.probing = true
	s.apply(r, nd.e.Init())
}

func (s *sim) crash(r int) {
	s.nodes[r].alive = false
	s.nodes[r].e = nil
}

func (s *sim) linked(a, b int) bool {
	return s.nodes[a].alive && s.nodes[b].alive && !s.cut[[2]int{min(a, b), max(a, b)}]
}

func (s *sim) setCut(a, b int, c bool) { s.cut[[2]int{min(a, b), max(a, b)}] = c }

// isolate cuts r from everyone (or heals it).
func (s *sim) isolate(r int, c bool) {
	for o := range s.n {
		if o != r {
			s.setCut(r, o, c)
		}
	}
}

// apply acts on a Ready the way the package documentation asks.
func (s *sim) apply(r int, rd Ready) {
	nd := s.nodes[r]
	if rd.Epoch < nd.persisted {
		s.t.Fatalf("mon.%d: epoch went back from %d to %d", r, nd.persisted, rd.Epoch)
	}
	if rd.PersistEpoch {
		nd.persisted = rd.Epoch
	}
	for _, env := range rd.Messages {
		m := env.Msg.ToMessage()
		m.FSID = encoding.UUID{1}
		front, _, _ := m.EncodePayload(encoding.FeaturesPacific)
		s.net = append(s.net, simMsg{from: r, to: env.To, payload: front})
	}
	for _, env := range rd.Pings {
		front, _, _ := env.Msg.EncodePayload(encoding.FeaturesPacific)
		s.net = append(s.net, simMsg{from: r, to: env.To, payload: front, ping: true})
	}
	if v := rd.Victory; v != nil {
		s.record(r, v.Epoch, r, v.Quorum)
		if len(v.Quorum) <= s.n/2 {
			s.t.Fatalf("mon.%d won e%d with quorum %v of %d", r, v.Epoch, v.Quorum, s.n)
		}
		if !slices.Contains(v.Quorum, r) {
			s.t.Fatalf("mon.%d won e%d outside its quorum %v", r, v.Epoch, v.Quorum)
		}
	}
	if l := rd.Lost; l != nil {
		s.record(r, l.Epoch, l.Leader, l.Quorum)
		if !slices.Contains(l.Quorum, r) {
			s.t.Fatalf("mon.%d lost e%d but is not in quorum %v", r, l.Epoch, l.Quorum)
		}
	}
	if rd.Bootstrap {
		nd.probing = true
		nd.e.LeaveQuorum()
	}
	if rd.Nakked {
		s.t.Fatalf("mon.%d nakked", r)
	}
}

func (s *sim) record(rank int, epoch uint32, leader int, quorum []int) {
	if epoch%2 != 0 {
		s.t.Fatalf("election won in odd epoch %d", epoch)
	}
	k := [2]int{rank, int(epoch)}
	if l, ok := s.seen[k]; ok && l != leader {
		s.t.Fatalf("mon.%d saw two leaders in epoch %d: %d and %d", rank, epoch, l, leader)
	}
	s.seen[k] = leader
	if !s.strict {
		return
	}
	if l, ok := s.leaderOf[epoch]; ok && l != leader {
		s.t.Fatalf("epoch %d has two leaders: %d and %d", epoch, l, leader)
	}
	if q, ok := s.quorumOf[epoch]; ok && !slices.Equal(q, quorum) {
		s.t.Fatalf("epoch %d has two quorums: %v and %v", epoch, q, quorum)
	}
	s.leaderOf[epoch], s.quorumOf[epoch] = leader, slices.Clone(quorum)
}

// deliver hands every message in flight to its destination, in random
// order, dropping some and all that cross a cut.
func (s *sim) deliver() {
	for len(s.net) > 0 {
		s.steps++
		if s.steps > 200000 {
			s.t.Fatal("too many steps")
		}
		i := s.rng.IntN(len(s.net))
		m := s.net[i]
		s.net = slices.Delete(s.net, i, i+1)
		if !s.linked(m.from, m.to) || s.rng.Float64() < s.dropP {
			continue
		}
		if m.ping {
			var pm msg.MonPing
			pm.Hdr.Version = 1
			if err := pm.DecodePayload(encoding.FeaturesPacific, m.payload, nil, nil); err != nil {
				s.t.Fatal(err)
			}
			s.apply(m.to, s.nodes[m.to].e.StepPing(s.now, m.from, &pm))
			continue
		}
		var em msg.MonElection
		em.Hdr.Version = 9
		if err := em.DecodePayload(encoding.FeaturesPacific, m.payload, nil, nil); err != nil {
			s.t.Fatal(err)
		}
		s.apply(m.to, s.nodes[m.to].e.Step(s.now, m.from, FromMessage(&em, encoding.FeaturesPacific)))
	}
}

// reachable counts the monitors r can talk to, itself included.
func (s *sim) reachable(r int) int {
	n := 0
	for o := range s.n {
		if o == r || s.linked(r, o) {
			n++
		}
	}
	return n
}

// monitorRules is what the rest of the monitor does: probing monitors
// that reach a majority elect; Paxos notices (through lease and lease
// ack timeouts) a quorum member that is not in its leader's quorum and
// calls an election.
func (s *sim) monitorRules() {
	for r, nd := range s.nodes {
		if !nd.alive {
			continue
		}
		e := nd.e
		if nd.probing {
			if s.reachable(r) > s.n/2 {
				nd.probing = false
				s.apply(r, e.Start(s.now))
			}
			continue
		}
		if e.Electing() || e.Leader() < 0 {
			continue
		}
		consistent := true
		if e.Leader() == r {
			for _, m := range e.Quorum() {
				if m == r {
					continue
				}
				if !s.linked(r, m) || s.nodes[m].e.Leader() != r || s.nodes[m].e.Epoch() != e.Epoch() {
					consistent = false
				}
			}
		} else {
			l := e.Leader()
			if !s.linked(r, l) || s.nodes[l].e.Leader() != l || s.nodes[l].e.Epoch() != e.Epoch() ||
				!slices.Contains(s.nodes[l].e.Quorum(), r) {
				consistent = false
			}
		}
		if !consistent {
			// Monitor::bootstrap: probe, then elect.
			nd.probing = true
			e.LeaveQuorum()
		}
	}
}

// run delivers, lets the monitors react and advances the clock to the
// next timer, for the given simulated duration.
func (s *sim) run(d time.Duration) {
	end := s.now.Add(d)
	for !s.now.After(end) {
		s.deliver()
		s.monitorRules()
		s.deliver()
		next := s.now.Add(time.Second)
		for _, nd := range s.nodes {
			if nd.alive {
				if dl := nd.e.NextDeadline(); !dl.IsZero() && dl.Before(next) {
					next = dl
				}
			}
		}
		s.now = next
		for r, nd := range s.nodes {
			if nd.alive {
				s.apply(r, nd.e.Tick(s.now))
			}
		}
	}
	s.deliver()
}

// component returns the monitors connected to r (fully connected groups
// only: the tests cut links to form cliques).
func (s *sim) component(r int) []int {
	var c []int
	for o := range s.n {
		if o == r || s.linked(r, o) {
			c = append(c, o)
		}
	}
	return c
}

// checkStable: the majority clique has one leader, its lowest allowed
// rank, every member agrees on it, on the quorum (the clique) and on the
// even epoch; monitors outside it lead nobody.
func (s *sim) checkStable(wantLeader int) {
	s.t.Helper()
	var clique []int
	for r, nd := range s.nodes {
		if nd.alive && len(s.component(r)) > s.n/2 {
			clique = s.component(r)
			break
		}
	}
	if clique == nil {
		for r, nd := range s.nodes {
			if nd.alive && !nd.probing && !nd.e.Electing() && nd.e.Leader() == r {
				s.t.Fatalf("mon.%d leads without a majority", r)
			}
		}
		return
	}
	l := s.nodes[clique[0]].e
	epoch := l.Epoch()
	for _, r := range clique {
		e := s.nodes[r].e
		if e.Electing() || e.Leader() != wantLeader || e.Epoch() != epoch || !slices.Equal(e.Quorum(), clique) {
			s.t.Fatalf("mon.%d: electing %v leader %d epoch %d quorum %v; want leader %d epoch %d quorum %v\n%s",
				r, e.Electing(), e.Leader(), e.Epoch(), e.Quorum(), wantLeader, epoch, clique, s.dump())
		}
	}
	for r, nd := range s.nodes {
		if nd.alive && !nd.probing && !slices.Contains(clique, r) && nd.e.Leader() >= 0 && !nd.e.Electing() && nd.e.Epoch() == epoch {
			s.t.Fatalf("mon.%d outside the quorum thinks it is in epoch %d", r, epoch)
		}
	}
}

func (s *sim) dump() string {
	out := ""
	for r, nd := range s.nodes {
		if !nd.alive {
			out += fmt.Sprintf("mon.%d down\n", r)
			continue
		}
		e := nd.e
		out += fmt.Sprintf("mon.%d e%d leader %d quorum %v electing_me %v acked %d probing %v\n",
			r, e.Epoch(), e.Leader(), e.Quorum(), e.ElectingMe(), e.LeaderAcked(), nd.probing)
	}
	return out
}

const settle = 2 * time.Minute

func TestFirstElection(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 7} {
		s := newSim(t, 1, n, nil)
		s.run(settle)
		s.checkStable(0)
		if e := s.nodes[0].e.Epoch(); e != 2 {
			t.Errorf("%d monitors: first quorum in epoch %d, Ceph forms it in 2", n, e)
		}
	}
}

func TestPartitionsAndHealing(t *testing.T) {
	s := newSim(t, 2, 5, nil)
	s.run(settle)
	s.checkStable(0)
	s.isolate(0, true)
	s.run(settle)
	s.checkStable(1)
	s.isolate(0, false)
	s.run(settle)
	s.checkStable(0)
	// Split 2 | 3: the three with the lowest rank among them lead.
	for _, a := range []int{0, 1} {
		for _, b := range []int{2, 3, 4} {
			s.setCut(a, b, true)
		}
	}
	s.run(settle)
	s.checkStable(2)
	// Nobody has a majority: no leader anywhere.
	s.setCut(2, 3, true)
	s.setCut(2, 4, true)
	s.run(settle)
	s.checkStable(-1)
	for a := range 5 {
		for b := range 5 {
			s.setCut(a, b, false)
		}
	}
	s.run(settle)
	s.checkStable(0)
}

func TestCrashRestart(t *testing.T) {
	s := newSim(t, 3, 3, nil)
	s.run(settle)
	s.checkStable(0)
	s.crash(0)
	s.run(settle)
	s.checkStable(1)
	s.boot(0)
	s.run(settle)
	s.checkStable(0)
	// Crash in the middle of an election: the odd epoch it persisted is
	// bumped when it comes back.
	s.nodes[1].e.Start(s.now)
	s.crash(1)
	s.boot(1)
	if s.nodes[1].e.Epoch()%2 != 0 {
		t.Fatalf("restarted in odd epoch %d", s.nodes[1].e.Epoch())
	}
	s.run(settle)
	s.checkStable(0)
	s.crash(1)
	s.crash(2)
	s.run(settle)
	s.checkStable(-1)
	s.boot(2)
	s.run(settle)
	s.checkStable(0)
}

func TestDisallowedLeader(t *testing.T) {
	s := newSim(t, 4, 3, func(c *Config) {
		c.Strategy = msg.StrategyDisallow
		c.Disallowed = []int{0}
	})
	s.run(settle)
	s.checkStable(1)
	s.isolate(1, true)
	s.run(settle)
	s.checkStable(2)
}

// TestRandomFaults drives many seeds through drops, cuts, heals, crashes
// and restarts; once the faults stop and the network heals, every run
// must end with rank 0 leading everyone, and no epoch may ever have had
// two leaders (checked on every victory and defeat).
func TestRandomFaults(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for seed := range uint64(seeds) {
		n := 3 + int(seed%3)*2
		s := newSim(t, 100+seed, n, nil)
		s.dropP = 0.1
		s.strict = false
		for range 12 {
			switch s.rng.IntN(4) {
			case 0:
				s.setCut(s.rng.IntN(n), s.rng.IntN(n), true)
			case 1:
				s.setCut(s.rng.IntN(n), s.rng.IntN(n), false)
			case 2:
				if r := s.rng.IntN(n); s.nodes[r].alive {
					s.crash(r)
				}
			case 3:
				if r := s.rng.IntN(n); !s.nodes[r].alive {
					s.boot(r)
				}
			}
			s.run(time.Duration(1+s.rng.IntN(30)) * time.Second)
		}
		s.dropP = 0
		s.cut = map[[2]int]bool{}
		for r, nd := range s.nodes {
			if !nd.alive {
				s.boot(r)
			}
		}
		s.run(settle)
		s.checkStable(0)
	}
}

// TestRandomCliques: the network splits into random groups (cliques),
// monitors crash and restart, nothing is dropped; no epoch ever has two
// leaders, and whenever a group holds a majority it ends led by its
// lowest rank.
func TestRandomCliques(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for seed := range uint64(seeds) {
		n := 3 + int(seed%3)*2
		s := newSim(t, 500+seed, n, nil)
		for range 8 {
			group := make([]int, n)
			groups := 1 + s.rng.IntN(3)
			for r := range group {
				group[r] = s.rng.IntN(groups)
			}
			for a := range n {
				for b := range n {
					s.setCut(a, b, group[a] != group[b])
				}
			}
			if r := s.rng.IntN(n); s.rng.IntN(3) == 0 {
				if s.nodes[r].alive {
					s.crash(r)
				} else {
					s.boot(r)
				}
			}
			s.run(settle)
			want := -1
			for r, nd := range s.nodes {
				if nd.alive && len(s.component(r)) > n/2 {
					want = s.component(r)[0]
					break
				}
			}
			s.checkStable(want)
		}
	}
}

// TestConnectivityPartialPartition: mon.0 and mon.1 cannot talk, both
// talk to mon.2. Under classic elections mon.1, left out of mon.0's
// quorum, keeps calling elections (the flapping the connectivity
// strategy was made for); under connectivity mon.2 scores highest (both
// peers see it up), leads all three, and the epoch stays put.
func TestConnectivityPartialPartition(t *testing.T) {
	for _, strategy := range []msg.ElectionStrategy{msg.StrategyClassic, msg.StrategyConnectivity} {
		s := newSim(t, 9, 3, func(c *Config) {
			c.Strategy = strategy
			c.Pinging = true
		})
		s.strict = false // a one-link cut: see sim.strict
		s.setCut(0, 1, true)
		s.run(5 * time.Minute)
		before := s.nodes[2].e.Epoch()
		s.run(time.Minute)
		after := s.nodes[2].e.Epoch()
		if strategy == msg.StrategyClassic {
			if after-before < 4 {
				t.Fatalf("classic: epoch %d -> %d, expected flapping", before, after)
			}
			continue
		}
		if after != before {
			t.Fatalf("connectivity: epoch moved %d -> %d in a minute\n%s", before, after, s.dump())
		}
		for r := range 3 {
			e := s.nodes[r].e
			if e.Electing() || e.Leader() != 2 || !slices.Equal(e.Quorum(), []int{0, 1, 2}) {
				t.Fatalf("connectivity: mon.%d leader %d quorum %v\n%s", r, e.Leader(), e.Quorum(), s.dump())
			}
		}
		score, live := s.nodes[2].e.Tracker().TotalScore(2)
		if live != 2 || score < 1.9 {
			t.Fatalf("mon.2 scores %v from %d peers", score, live)
		}
	}
}

// TestRandomCliquesConnectivity is TestRandomCliques under the
// connectivity strategy with pinging: the leader is whoever the scores
// favour, but the majority clique must end up agreeing on one leader
// among its members, with the clique as quorum.
func TestRandomCliquesConnectivity(t *testing.T) {
	seeds := 10
	if testing.Short() {
		seeds = 3
	}
	for seed := range uint64(seeds) {
		n := 3 + int(seed%2)*2
		s := newSim(t, 900+seed, n, func(c *Config) {
			c.Strategy = msg.StrategyConnectivity
			c.Pinging = true
		})
		for range 6 {
			group := make([]int, n)
			groups := 1 + s.rng.IntN(3)
			for r := range group {
				group[r] = s.rng.IntN(groups)
			}
			for a := range n {
				for b := range n {
					s.setCut(a, b, group[a] != group[b])
				}
			}
			s.run(settle)
			var clique []int
			for r, nd := range s.nodes {
				if nd.alive && len(s.component(r)) > n/2 {
					clique = s.component(r)
					break
				}
			}
			if clique == nil {
				continue
			}
			l := s.nodes[clique[0]].e.Leader()
			if !slices.Contains(clique, l) {
				t.Fatalf("seed %d: leader %d outside clique %v\n%s", seed, l, clique, s.dump())
			}
			s.checkStable(l)
		}
	}
}
