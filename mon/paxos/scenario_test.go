package paxos

import (
	"bytes"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/mon/store"
)

// Scripted scenarios on the simulated network: each decides exactly which
// messages arrive, to pin down one piece of the protocol.

func (s *sim) opOf(m simMsg) Op {
	d, err := DecodeMMonPaxos(m.payload, MMonPaxosHeadVersion)
	if err != nil {
		s.t.Fatal(err)
	}
	return d.Op
}

// flush delivers queued messages that match keep, drops the others, until
// the network is empty.
func (s *sim) flush(keep func(m simMsg, op Op) bool) {
	for range 1000 {
		if len(s.net) == 0 {
			return
		}
		m := s.net[0]
		if keep(m, s.opOf(m)) {
			s.deliver(0, false)
		} else {
			s.net = s.net[1:]
		}
	}
	s.t.Fatal("network did not drain")
}

func all(simMsg, Op) bool { return true }

// deliverNow delivers the queued messages that match, in order, leaving
// the others (and whatever the deliveries send) queued.
func (s *sim) deliverNow(match func(m simMsg, op Op) bool) {
	queued := s.net
	s.net = nil
	var rest []simMsg
	for _, m := range queued {
		if match(m, s.opOf(m)) {
			s.net = append(s.net, m)
			s.deliver(len(s.net)-1, false)
		} else {
			rest = append(rest, m)
		}
	}
	s.net = append(rest, s.net...)
}

// elect runs an election with a chosen quorum (lowest rank leads).
func (s *sim) elect(quorum ...int) {
	s.epoch += 2
	s.leader = quorum[0]
	for _, nd := range s.nodes {
		if nd.px == nil || nd.rank == s.leader {
			continue
		}
		var r Ready
		var err error
		if contains(quorum, nd.rank) {
			r, err = nd.px.PeonInit(s.now, s.epoch, s.leader, quorum)
		} else {
			r, err = nd.px.Restart(s.now)
		}
		s.handle(nd, r, err)
	}
	ld := s.nodes[s.leader]
	r, err := ld.px.LeaderInit(s.now, s.epoch, quorum)
	s.handle(ld, r, err)
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (s *sim) proposeKey(key string) {
	ld := s.nodes[s.leader]
	tx := store.NewTransaction()
	tx.Put("test", key, []byte(key))
	if err := ld.px.Propose(tx, key); err != nil {
		s.t.Fatal(err)
	}
	r, ok, err := ld.px.TriggerPropose(s.now)
	if !ok {
		s.t.Fatalf("mon.%d did not propose (state %v)", s.leader, ld.px.State())
	}
	s.handle(ld, r, err)
}

func (s *sim) value(rank int, v uint64) []byte {
	b, _ := store.GetVersion(s.nodes[rank].st, Prefix, v)
	return b
}

func hasKey(b []byte, key string) bool {
	tx, err := store.UnmarshalTransaction(b)
	if err != nil {
		return false
	}
	for _, o := range tx.Ops {
		if o.Prefix == "test" && o.Key == key {
			return true
		}
	}
	return false
}

// TestRecoveryPicksHighestPN: a value accepted under a lower pn (A) and
// a different one committed under a higher pn (B) at the same version;
// the next leader sees both and must re-propose B.
func TestRecoveryPicksHighestPN(t *testing.T) {
	s := newSim(t, 1, 5, simConfig())
	s.elect(0, 1, 2, 3, 4)
	s.flush(all)
	v := s.nodes[0].px.LastCommitted() + 1

	// mon.0 proposes A; only mon.4 accepts it (the other begins are lost).
	s.proposeKey("A")
	s.flush(func(m simMsg, op Op) bool { return op == OpBegin && m.to == 4 })
	// mon.1 leads {1,2,3}: B is accepted by all and committed on mon.1,
	// whose commit messages are lost.
	s.elect(1, 2, 3)
	s.flush(all)
	s.proposeKey("B")
	s.flush(func(m simMsg, op Op) bool { return op != OpCommit && op != OpLease })
	if !hasKey(s.value(1, v), "B") || s.nodes[1].px.LastCommitted() != v {
		t.Fatalf("B not committed on mon.1")
	}
	// mon.0 leads {0,2,4}: it holds A (its own), mon.4 A, mon.2 B. The
	// LAST from mon.4 is delivered after mon.2's.
	s.elect(0, 2, 4)
	s.deliverNow(func(m simMsg, op Op) bool { return op == OpCollect })
	// Deliver mon.2's LAST first, then mon.4's, then everything.
	s.deliverNow(func(m simMsg, op Op) bool { return op == OpLast && m.from == 2 })
	s.deliverNow(func(m simMsg, op Op) bool { return op == OpLast && m.from == 4 })
	s.flush(all)
	if s.nodes[0].px.LastCommitted() != v {
		t.Fatalf("mon.0 did not commit version %d", v)
	}
	for _, r := range []int{0, 2, 4} {
		if !hasKey(s.value(r, v), "B") {
			t.Fatalf("mon.%d committed %q at %d, want B", r, s.value(r, v), v)
		}
	}
}

// TestLeaderCommitsThenCrashes: the leader commits and dies before its
// commit messages go out; the next leader recovers the value from the
// peons' uncommitted copies and commits the same bytes.
func TestLeaderCommitsThenCrashes(t *testing.T) {
	s := newSim(t, 2, 3, simConfig())
	s.elect(0, 1, 2)
	s.flush(all)
	v := s.nodes[0].px.LastCommitted() + 1
	s.proposeKey("X")
	s.flush(func(m simMsg, op Op) bool { return op == OpBegin || op == OpAccept })
	if s.nodes[0].px.LastCommitted() != v {
		t.Fatal("leader did not commit")
	}
	s.net = nil // commits lost
	s.nodes[0].px = nil
	s.elect(1, 2)
	s.flush(all)
	if !bytes.Equal(s.value(1, v), s.value(0, v)) || s.nodes[1].px.LastCommitted() != v {
		t.Fatalf("mon.1 has %q at %d (lc %d), leader had %q", s.value(1, v), v, s.nodes[1].px.LastCommitted(), s.value(0, v))
	}
	s.start(s.nodes[0])
	s.elect(0, 1, 2)
	s.flush(all)
	s.proposeKey("Y")
	s.flush(all)
	if !s.acks("Y") {
		t.Fatal("no progress after the old leader returned")
	}
}

func (s *sim) acks(key string) bool { return contains2(s.acked, key) }

func contains2(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestLeases: peons read under the leader's lease, the lease renews,
// lapses when leases stop, and missing acks or leases call elections.
func TestLeases(t *testing.T) {
	s := newSim(t, 3, 3, simConfig())
	s.elect(0, 1, 2)
	s.flush(all)
	s.proposeKey("k")
	s.flush(all)
	peon := s.nodes[1].px
	if !peon.IsReadable(s.now, 0) || !s.nodes[0].px.IsWriteable(s.now) {
		t.Fatal("not readable/writeable under a fresh lease")
	}
	// The renewal fires at 0.6 * lease.
	s.advance(3 * time.Second)
	if len(s.net) == 0 {
		t.Fatal("no lease renewal")
	}
	s.flush(all)
	s.advance(4 * time.Second)
	if !peon.IsReadable(s.now, 0) {
		t.Fatal("renewed lease not honoured")
	}
	// Leases stop arriving: reads stop after the lease, and the peon
	// calls an election after mon_lease_ack_timeout_factor * mon_lease.
	s.net = nil
	s.advance(6 * time.Second)
	s.net = nil
	if peon.IsReadable(s.now, 0) {
		t.Fatal("readable after the lease expired")
	}
	s.needElection = false
	s.advance(5 * time.Second)
	if !s.needElection {
		t.Fatal("no election after the lease timeout")
	}
	// A quorum of one needs no lease.
	one := newSim(t, 4, 1, simConfig())
	one.elect(0)
	one.proposeKey("solo")
	if !one.nodes[0].px.IsReadable(one.now.Add(time.Hour), 0) {
		t.Fatal("single monitor not readable")
	}
}

// TestStoreLayout: the keys Paxos leaves are ceph-mon's.
func TestStoreLayout(t *testing.T) {
	s := newSim(t, 5, 3, DefaultConfig())
	s.elect(0, 1, 2)
	s.flush(all)
	s.proposeKey("a")
	s.flush(all)
	s.proposeKey("b")
	s.flush(all)
	for _, r := range []int{0, 1} {
		st := s.nodes[r].st
		for _, k := range []string{KeyFirstCommitted, KeyLastCommitted, KeyPendingV, KeyPendingPN, "1", "2"} {
			if ok, _ := st.Exists(Prefix, k); !ok {
				t.Errorf("mon.%d: paxos/%s missing", r, k)
			}
		}
		if fc, _ := store.GetU64(st, Prefix, KeyFirstCommitted); fc != 1 {
			t.Errorf("mon.%d first_committed %d", r, fc)
		}
		if lc, _ := store.GetU64(st, Prefix, KeyLastCommitted); lc != 2 {
			t.Errorf("mon.%d last_committed %d", r, lc)
		}
	}
	if pn, _ := store.GetU64(s.nodes[0].st, Prefix, KeyLastPN); pn != 100 {
		t.Errorf("leader last_pn %d, want 100 (rank 0's first)", pn)
	}
	if pn, _ := store.GetU64(s.nodes[1].st, Prefix, KeyAcceptedPN); pn != 100 {
		t.Errorf("peon accepted_pn %d", pn)
	}
	// Version 1 also sets first_committed, as Ceph's begin does.
	tx, err := store.UnmarshalTransaction(s.value(0, 1))
	if err != nil || tx.Ops[0].Key != KeyFirstCommitted {
		t.Errorf("version 1 = %+v, %v", tx, err)
	}
	if ok, _ := s.nodes[2].st.Exists("test", "b"); !ok {
		t.Error("value not applied on a peon")
	}
}

// TestTrim: old versions are trimmed by a proposal of their own, keeping
// paxos_min, and a monitor left behind is told to sync (bootstrap).
func TestTrim(t *testing.T) {
	cfg := simConfig() // min 5, trim_min 3, trim_max 4
	s := newSim(t, 6, 3, cfg)
	s.elect(0, 1)
	s.flush(all)
	for i := range 30 {
		s.proposeKey("t" + string(rune('a'+i)))
		s.flush(all)
	}
	fc, lc := s.storeRange(s.nodes[0])
	if lc-fc > cfg.Min+cfg.TrimMin+cfg.TrimMax || fc < 2 {
		t.Fatalf("kept %d..%d", fc, lc)
	}
	if ok, _ := s.nodes[0].st.Exists(Prefix, "1"); ok {
		t.Fatal("version 1 not trimmed")
	}
	// mon.2 missed everything: when it joins, the leader asks for a sync.
	s.needElection = false
	s.elect(0, 1, 2)
	s.flush(all)
	if !s.needElection {
		t.Fatal("no bootstrap for a peon behind first_committed")
	}
	s.sync([]int{0, 1, 2})
	s.elect(0, 1, 2)
	s.flush(all)
	s.proposeKey("after-sync")
	s.flush(all)
	if !s.acks("after-sync") {
		t.Fatal("no progress after sync")
	}
}

// TestPlugAndBatch: proposals made while plugged or while a round runs
// are batched into the next value.
func TestPlugAndBatch(t *testing.T) {
	s := newSim(t, 7, 3, simConfig())
	s.elect(0, 1, 2)
	s.flush(all)
	ld := s.nodes[0].px
	ld.Plug()
	for _, k := range []string{"p1", "p2"} {
		tx := store.NewTransaction()
		tx.Put("test", k, nil)
		ld.Propose(tx, k)
	}
	if _, ok, _ := ld.TriggerPropose(s.now); ok {
		t.Fatal("proposed while plugged")
	}
	ld.Unplug()
	before := ld.LastCommitted()
	r, ok, err := ld.TriggerPropose(s.now)
	s.handle(s.nodes[0], r, err)
	if !ok {
		t.Fatal("not proposed after unplug")
	}
	s.flush(all)
	if ld.LastCommitted() != before+1 || !s.acks("p1") || !s.acks("p2") {
		t.Fatalf("batch: lc %d->%d acked %v", before, ld.LastCommitted(), s.acked)
	}
	// A leader change aborts pending waiters.
	tx := store.NewTransaction()
	tx.Put("test", "lost", nil)
	ld.Propose(tx, "lost")
	r, err = ld.Restart(s.now)
	if err != nil || len(r.Aborted) != 1 || r.Aborted[0] != "lost" {
		t.Fatalf("aborted = %v", r.Aborted)
	}
	if _, err := ld.PendingTransaction(); err != ErrNotLeader {
		t.Fatal("proposals accepted while not leader")
	}
}

// TestEpochFilter: messages from older epochs are dropped, newer ones
// call an election.
func TestEpochFilter(t *testing.T) {
	s := newSim(t, 8, 3, simConfig())
	s.elect(0, 1, 2)
	s.flush(all)
	p := s.nodes[1].px
	r, _ := p.Step(s.now, 0, &MMonPaxos{Epoch: s.epoch - 2, Op: OpLease, LastCommitted: p.LastCommitted()})
	if len(r.Messages) != 0 || r.Bootstrap {
		t.Fatal("old epoch not dropped")
	}
	r, _ = p.Step(s.now, 0, &MMonPaxos{Epoch: s.epoch + 2, Op: OpLease})
	if !r.Bootstrap || p.Role() != RoleNone {
		t.Fatal("newer epoch did not bootstrap")
	}
	// A peon ignores paxos messages that are not from its leader.
	q := s.nodes[2].px
	r, _ = q.Step(s.now, 1, &MMonPaxos{Epoch: s.epoch, Op: OpLease, LastCommitted: q.LastCommitted()})
	if len(r.Messages) != 0 {
		t.Fatal("peon answered a non-leader")
	}
}

func TestStateNames(t *testing.T) {
	want := []string{"recovering", "active", "updating", "updating-previous", "writing", "writing-previous", "refresh", "shutdown"}
	for i, w := range want {
		if State(i).String() != w {
			t.Errorf("state %d = %s", i, State(i))
		}
	}
	if OpLeaseAck.String() != "lease_ack" || RoleLeader.String() != "leader" {
		t.Error("names")
	}
}
