package quorum

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/elector"
	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// A deterministic cluster of monitors as the integration contract wires
// them: an elector.Elector and a Driver per monitor, over an in-memory
// network that carries every message encoded (MMonElection through
// msg.MonElection, MMonPaxos through PaxosMessage), a fake clock and
// stores that survive crashes.

type testMon struct {
	rank    int
	st      *store.Mem
	el      *elector.Elector
	drv     *Driver
	alive   bool
	epoch   uint32 // persisted election epoch
	commits []uint64
	aborts  int
	refresh int
}

type netMsg struct {
	from, to int
	typ      uint16
	payload  []byte
}

type cluster struct {
	t    testing.TB
	mons []*testMon
	net  []netMsg
	now  time.Time
	cut  map[int]bool // isolated ranks
	// drop, when set, decides which messages are lost.
	drop func(m netMsg) bool
}

func newCluster(t testing.TB, n int) *cluster {
	c := &cluster{t: t, now: time.Unix(1700000000, 0), cut: map[int]bool{}}
	for r := range n {
		c.mons = append(c.mons, &testMon{rank: r, st: store.NewMem()})
	}
	for r := range n {
		c.boot(r)
	}
	return c
}

func (c *cluster) boot(r int) {
	m := c.mons[r]
	px, err := paxos.New(paxos.DefaultConfig(), m.st, r)
	if err != nil {
		c.t.Fatal(err)
	}
	m.drv = NewDriver(px, func(to int, pm *paxos.MMonPaxos) {
		w := &PaxosMessage{MMonPaxos: pm}
		front, _, _ := w.EncodePayload(encoding.FeaturesPacific)
		c.net = append(c.net, netMsg{from: r, to: to, typ: paxos.MsgMonPaxos, payload: front})
	}, Callbacks{
		Refresh: func() { m.refresh++ },
		Commit: func(v uint64, err error) {
			if err != nil {
				m.aborts++
				return
			}
			m.commits = append(m.commits, v)
		},
		Bootstrap: func() { c.elect(r) },
		Fatal:     func(err error) { c.t.Fatalf("mon.%d: %v", r, err) },
	}, func() time.Time { return c.now })
	m.el = elector.New(elector.Config{Rank: r, Size: len(c.mons), HasEverJoined: m.epoch > 1,
		Features: encoding.FeaturesPacific}, m.epoch)
	m.alive = true
	c.electorReady(r, m.el.Init())
}

func (c *cluster) crash(r int) {
	m := c.mons[r]
	m.alive, m.el, m.drv = false, nil, nil
}

func (c *cluster) linked(a, b int) bool {
	return c.mons[a].alive && c.mons[b].alive && !c.cut[a] && !c.cut[b]
}

// elect is what Monitor::bootstrap leads to once probing is done.
func (c *cluster) elect(r int) {
	c.mons[r].el.LeaveQuorum()
	c.electorReady(r, c.mons[r].el.Start(c.now))
}

// electorReady follows the elector package's contract.
func (c *cluster) electorReady(r int, rd elector.Ready) {
	m := c.mons[r]
	if rd.PersistEpoch {
		m.epoch = rd.Epoch
	}
	if rd.Electing {
		m.drv.Restart()
	}
	for _, env := range rd.Messages {
		em := env.Msg.ToMessage()
		front, _, _ := em.EncodePayload(encoding.FeaturesPacific)
		c.net = append(c.net, netMsg{from: r, to: env.To, typ: msg.TypeMonElection, payload: front})
	}
	if v := rd.Victory; v != nil {
		m.drv.LeaderInit(v.Epoch, v.Quorum)
	}
	if l := rd.Lost; l != nil {
		m.drv.PeonInit(l.Epoch, l.Leader, l.Quorum)
	}
	if rd.Bootstrap {
		c.elect(r)
	}
}

func (c *cluster) deliverOne(i int) {
	nm := c.net[i]
	c.net = slices.Delete(c.net, i, i+1)
	if !c.linked(nm.from, nm.to) || (c.drop != nil && c.drop(nm)) {
		return
	}
	m := c.mons[nm.to]
	switch nm.typ {
	case msg.TypeMonElection:
		var em msg.MonElection
		em.Hdr.Version = 9
		if err := em.DecodePayload(encoding.FeaturesPacific, nm.payload, nil, nil); err != nil {
			c.t.Fatal(err)
		}
		c.electorReady(nm.to, m.el.Step(c.now, nm.from, elector.FromMessage(&em, encoding.FeaturesPacific)))
	case paxos.MsgMonPaxos:
		var pm PaxosMessage
		pm.Hdr.Version = paxos.MMonPaxosHeadVersion
		if err := pm.DecodePayload(encoding.FeaturesPacific, nm.payload, nil, nil); err != nil {
			c.t.Fatal(err)
		}
		m.drv.Step(nm.from, pm.MMonPaxos)
	}
}

// deliver empties the network in order.
func (c *cluster) deliver() {
	for n := 0; len(c.net) > 0; n++ {
		if n > 1000000 {
			c.t.Fatal("network does not drain")
		}
		c.deliverOne(0)
	}
}

// advance moves the clock by d in steps of at most a second, firing
// every timer on the way.
func (c *cluster) advance(d time.Duration) {
	end := c.now.Add(d)
	for c.now.Before(end) {
		c.deliver()
		next := c.now.Add(time.Second)
		if end.Before(next) {
			next = end
		}
		for _, m := range c.mons {
			if !m.alive {
				continue
			}
			for _, dl := range []time.Time{m.el.NextDeadline(), m.drv.NextDeadline()} {
				if !dl.IsZero() && dl.After(c.now) && dl.Before(next) {
					next = dl
				}
			}
		}
		c.now = next
		for r, m := range c.mons {
			if m.alive {
				c.electorReady(r, m.el.Tick(c.now))
				if m.alive {
					m.drv.Tick()
				}
			}
		}
	}
	c.deliver()
}

func (c *cluster) leader() *testMon {
	for _, m := range c.mons {
		if m.alive && m.drv.Paxos().Role() == paxos.RoleLeader && m.drv.IsWriteable() {
			return m
		}
	}
	return nil
}

func (c *cluster) startAll() {
	for r, m := range c.mons {
		if m.alive {
			c.elect(r)
		}
	}
	c.advance(20 * time.Second)
}

func putTx(key, val string) *store.Transaction {
	t := store.NewTransaction()
	t.Put("test", key, []byte(val))
	return t
}

// sameStores checks that the live monitors hold the same keys and values
// in prefixes test and paxos' last_committed.
func (c *cluster) sameStores(ranks ...int) {
	c.t.Helper()
	var ref string
	for _, r := range ranks {
		var b bytes.Buffer
		c.mons[r].st.Iterate("test", "", func(k string, v []byte) bool {
			fmt.Fprintf(&b, "%s=%s\n", k, v)
			return true
		})
		lc, _ := store.GetU64(c.mons[r].st, paxos.Prefix, paxos.KeyLastCommitted)
		fmt.Fprintf(&b, "lc=%d\n", lc)
		if r == ranks[0] {
			ref = b.String()
		} else if b.String() != ref {
			c.t.Fatalf("mon.%d store differs from mon.%d:\n%s\nvs\n%s", r, ranks[0], b.String(), ref)
		}
	}
}

func TestDriverCommitsOnAll(t *testing.T) {
	c := newCluster(t, 3)
	c.startAll()
	l := c.leader()
	if l == nil || l.rank != 0 {
		t.Fatal("no leader 0")
	}
	for i := range 50 {
		if err := l.drv.Propose(putTx(fmt.Sprintf("k%03d", i), "v")); err != nil {
			t.Fatal(err)
		}
		c.deliver()
	}
	c.advance(time.Second)
	if len(l.commits) != 50 || !slices.IsSorted(l.commits) {
		t.Fatalf("leader saw commits %v", l.commits)
	}
	c.sameStores(0, 1, 2)
	if c.mons[1].refresh == 0 || c.mons[2].refresh == 0 {
		t.Error("peons never refreshed")
	}
	if err := c.mons[1].drv.Propose(putTx("x", "y")); err != paxos.ErrNotLeader {
		t.Errorf("peon proposal: %v", err)
	}
}

// TestDriverBatchesWhileBusy: proposals made while a round is in flight
// are gathered into the next one and all get their commit.
func TestDriverBatchesWhileBusy(t *testing.T) {
	c := newCluster(t, 3)
	c.startAll()
	l := c.leader()
	for i := range 10 {
		if err := l.drv.Propose(putTx(fmt.Sprintf("k%d", i), "v")); err != nil {
			t.Fatal(err)
		}
	}
	c.advance(time.Second)
	if len(l.commits) != 10 {
		t.Fatalf("commits %v", l.commits)
	}
	lc := l.drv.Paxos().LastCommitted()
	if lc >= 10 {
		t.Errorf("10 proposals took %d versions: no batching", lc)
	}
	c.sameStores(0, 1, 2)
}

// TestLeaderChangeRecoversUncommitted: the leader's begin reaches one
// peon, which accepts, and then the leader dies. The next leader finds
// the accepted value in its recovery and commits it; the old leader
// learns it when it comes back.
func TestLeaderChangeRecoversUncommitted(t *testing.T) {
	c := newCluster(t, 3)
	c.startAll()
	l := c.leader()
	if err := l.drv.Propose(putTx("committed", "1")); err != nil {
		t.Fatal(err)
	}
	c.deliver()
	if err := l.drv.Propose(putTx("in-flight", "2")); err != nil {
		t.Fatal(err)
	}
	// Deliver the begin to mon.1 only; drop its accept.
	for i := 0; i < len(c.net); {
		nm := c.net[i]
		if nm.typ == paxos.MsgMonPaxos && nm.from == 0 && nm.to == 1 {
			c.deliverOne(i)
			continue
		}
		if nm.from == 0 {
			c.net = slices.Delete(c.net, i, i+1)
			continue
		}
		i++
	}
	c.net = nil
	if pv, _ := c.mons[1].st.Get(paxos.Prefix, paxos.KeyPendingV); pv == nil {
		t.Fatal("mon.1 did not accept the value")
	}
	c.crash(0)
	c.advance(time.Minute)
	nl := c.leader()
	if nl == nil || nl.rank != 1 {
		t.Fatal("mon.1 did not take over")
	}
	if v, err := c.mons[2].st.Get("test", "in-flight"); err != nil || string(v) != "2" {
		t.Fatalf("recovered value not committed on mon.2: %q %v", v, err)
	}
	c.sameStores(1, 2)
	c.boot(0)
	c.elect(0)
	c.advance(time.Minute)
	if l := c.leader(); l == nil || l.rank != 0 {
		t.Fatal("mon.0 did not lead again")
	}
	c.sameStores(0, 1, 2)
	if err := c.leader().drv.Propose(putTx("after", "3")); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Second)
	c.sameStores(0, 1, 2)
}

// TestElectionAbortsProposals: a proposal pending when an election
// starts is reported aborted.
func TestElectionAbortsProposals(t *testing.T) {
	c := newCluster(t, 3)
	c.startAll()
	l := c.leader()
	c.cut[1], c.cut[2] = true, true
	if err := l.drv.Propose(putTx("lost", "x")); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Minute)
	if l.aborts != 1 {
		t.Fatalf("aborts %d, commits %v", l.aborts, l.commits)
	}
	c.cut = map[int]bool{}
	c.advance(time.Minute)
	if c.leader() == nil {
		t.Fatal("no leader after healing")
	}
	c.sameStores(0, 1, 2)
}

// BenchmarkPaxosCommit3 measures commits per second of three monitors
// over the in-memory network (messages encoded and decoded, stores in
// memory): one op is one proposal committed on the leader.
func BenchmarkPaxosCommit3(b *testing.B) {
	c := newCluster(b, 3)
	c.startAll()
	l := c.leader()
	tx := putTx("k", "v")
	b.ReportAllocs()
	for b.Loop() {
		if err := l.drv.Propose(tx); err != nil {
			b.Fatal(err)
		}
		c.deliver()
	}
	if len(l.commits) < b.N {
		b.Fatalf("%d commits for %d proposals", len(l.commits), b.N)
	}
}
