package elector

import (
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/msgr2/msg"
)

func TestInitEpoch(t *testing.T) {
	for _, c := range []struct {
		persisted, want uint32
		persist         bool
	}{{0, 1, false}, {2, 2, false}, {7, 8, true}} {
		e := New(Config{Size: 3}, c.persisted)
		rd := e.Init()
		if e.Epoch() != c.want || rd.PersistEpoch != c.persist || rd.Epoch != c.want {
			t.Errorf("persisted %d: epoch %d persist %v, want %d %v", c.persisted, e.Epoch(), rd.PersistEpoch, c.want, c.persist)
		}
	}
}

// TestCephExchange follows the exchange captured from a real three
// monitor cluster (msgr2/msg/testdata/monpeer): mon.a proposes in epoch
// 1, mon.b acks in epoch 1, mon.a wins in epoch 2.
func TestCephExchange(t *testing.T) {
	now := time.Unix(1, 0)
	a := New(Config{Rank: 0, Size: 3}, 0)
	b := New(Config{Rank: 1, Size: 3}, 0)
	ra := a.Start(now)
	if len(ra.Messages) != 2 || ra.Messages[0].Msg.Op != msg.ElectionOpPropose || ra.Messages[0].Msg.Epoch != 1 || !ra.Electing {
		t.Fatalf("start: %+v", ra)
	}
	rb := b.Step(now, 0, ra.Messages[0].Msg)
	if len(rb.Messages) != 1 || rb.Messages[0].To != 0 || rb.Messages[0].Msg.Op != msg.ElectionOpAck || rb.Messages[0].Msg.Epoch != 1 {
		t.Fatalf("b: %+v", rb)
	}
	if r := a.Step(now, 1, rb.Messages[0].Msg); r.Victory != nil {
		t.Fatal("won with 2 of 3 before the timeout")
	}
	ra = a.Tick(now.Add(DefaultTimeout))
	if ra.Victory == nil || ra.Victory.Epoch != 2 || len(ra.Victory.Quorum) != 2 || !ra.PersistEpoch {
		t.Fatalf("timeout: %+v", ra)
	}
	rb = b.Step(now, 0, ra.Messages[0].Msg)
	if rb.Lost == nil || rb.Lost.Leader != 0 || rb.Lost.Epoch != 2 {
		t.Fatalf("victory: %+v", rb)
	}
}

func TestNak(t *testing.T) {
	now := time.Unix(1, 0)
	a := New(Config{Rank: 0, Size: 2, RequiredMonFeatures: 0x4}, 0)
	b := New(Config{Rank: 1, Size: 2, MonFeatures: 0x3}, 0)
	rb := b.Start(now)
	ra := a.Step(now, 1, rb.Messages[0].Msg)
	// Missing monitor features: Ceph naks and still handles the
	// proposal (here: a outranks b and calls its own election).
	if len(ra.Messages) != 2 || ra.Messages[0].Msg.Op != msg.ElectionOpNak || ra.Messages[1].Msg.Op != msg.ElectionOpPropose {
		t.Fatalf("a: %+v", ra)
	}
	if !b.Step(now, 0, ra.Messages[0].Msg).Nakked {
		t.Fatal("nak not reported")
	}
	// An old release gets only the nak.
	c := New(Config{Rank: 0, Size: 2, MinMonRelease: 16}, 0)
	rc := c.Step(now, 1, Msg{Op: msg.ElectionOpPropose, Epoch: 1, MonRelease: 15})
	if len(rc.Messages) != 1 || rc.Messages[0].Msg.Op != msg.ElectionOpNak || rc.Messages[0].Msg.MonRelease != 16 {
		t.Fatalf("c: %+v", rc)
	}
}

// BenchmarkElection3 measures complete elections of three monitors over
// the in-memory network with the MMonElection codec: one op is one
// election from Start to every monitor agreeing.
func BenchmarkElection3(b *testing.B) {
	s := newSim(b, 1, 3, nil)
	s.run(settle)
	b.ReportAllocs()
	for b.Loop() {
		s.apply(2, s.nodes[2].e.Start(s.now))
		s.deliver()
		s.now = s.now.Add(s.cfg.Timeout)
		for r, nd := range s.nodes {
			s.apply(r, nd.e.Tick(s.now))
		}
		s.deliver()
		if s.nodes[2].e.Leader() != 0 || s.nodes[2].e.Electing() {
			b.Fatal("no quorum")
		}
	}
}

// TestSecondVictoryStartsOver: a monitor that acked one proposer and then
// deferred to a lower rank may see both declare victory in the same
// epoch, each counting its ack. As ElectionLogic::receive_victory_claim
// (a victory whose epoch is not the next one), it calls a new election at
// once instead of leaving two leaders; a repeat of the victory it took
// changes nothing.
func TestSecondVictoryStartsOver(t *testing.T) {
	now := time.Unix(1, 0)
	c := New(Config{Rank: 2, Size: 3}, 2)
	c.Init()
	for _, from := range []int{1, 0} { // b proposes first, then a
		r := c.Step(now, from, Msg{Op: msg.ElectionOpPropose, Epoch: 3})
		if len(r.Messages) != 1 || r.Messages[0].To != from || r.Messages[0].Msg.Op != msg.ElectionOpAck {
			t.Fatalf("propose from %d: %+v", from, r)
		}
	}
	r := c.Step(now, 1, Msg{Op: msg.ElectionOpVictory, Epoch: 4, Quorum: []int{2, 1}})
	if r.Lost == nil || r.Lost.Leader != 1 || c.Electing() {
		t.Fatalf("first victory: %+v", r)
	}
	if r := c.Step(now, 1, Msg{Op: msg.ElectionOpVictory, Epoch: 4, Quorum: []int{1, 2}}); r.Electing || len(r.Messages) != 0 || c.Leader() != 1 {
		t.Fatalf("the same victory again: %+v", r)
	}
	r = c.Step(now, 0, Msg{Op: msg.ElectionOpVictory, Epoch: 4, Quorum: []int{0, 2}})
	if !r.Electing || c.Epoch() != 5 || !c.ElectingMe() || len(r.Messages) != 2 {
		t.Fatalf("second victory: epoch %d, %+v", c.Epoch(), r)
	}
	for _, m := range r.Messages {
		if m.Msg.Op != msg.ElectionOpPropose || m.Msg.Epoch != 5 {
			t.Fatalf("second victory sent %+v, want proposals in epoch 5", m)
		}
	}
}
