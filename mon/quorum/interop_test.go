//go:build interop

package quorum

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/elector"
	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

type received struct {
	c *msgr2.Conn
	m msgr2.Message
}

// TestInteropProbeAndJoin talks to a real Pacific ceph-mon as a new
// monitor "x" would: kelp's probe gets a real probe reply, the Prober
// decides to join, the real leader accepts kelp's MMonJoin and commits
// a monmap with x, and then probes x at the address it joined with.
func TestInteropProbeAndJoin(t *testing.T) {
	c := harness.StartMon(t, harness.Options{Auth: "none", Conf: map[string]string{"debug ms": "1", "debug mon": "10"}})
	in := make(chan received, 64)
	reg := msg.NewRegistry()
	RegisterMessages(reg)
	m := msgr2.NewMessenger(msgr2.Config{
		Name:     encoding.EntityName{Type: encoding.EntityMon, ID: "x"},
		Num:      1,
		Registry: reg,
		// A monitor presents an authorizer to its peers
		// (Monitor::get_auth_request), not the client-style monitor
		// request: with the latter a real monitor never marks the peer
		// session authenticated and drops its messages.
		NewAuthClient: func(encoding.EntityType) msgr2.AuthClient {
			return &msgr2.AuthNoneClient{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "x"}}
		},
		Dispatcher: msgr2.DispatcherFunc(func(c *msgr2.Conn, m msgr2.Message) {
			in <- received{c, m}
		}),
	})
	defer m.Close()
	any, _ := encoding.ParseAddrVec("v2:127.0.0.1:0/0")
	bound, err := m.Listen(any)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := m.Dial(ctx, c.MonAddrs, encoding.EntityMon)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProber(DefaultProbeConfig("x"))
	// Our monmap: the cluster's, which does not have us.
	start := p.Start(time.Now(), ProbeState{MonMap: &monmap.MonMap{FSID: c.FSID, Ranks: []string{"a", "x"}}, Leader: -1})
	if len(start.Messages) != 1 {
		t.Fatalf("probes %+v", start.Messages)
	}
	if err := conn.Send(start.Messages[0].Msg); err != nil {
		t.Fatal(err)
	}
	wait := func(what string, ok func(received) bool) received {
		t.Helper()
		for {
			select {
			case r := <-in:
				if ok(r) {
					return r
				}
			case <-ctx.Done():
				t.Fatalf("no %s from the real monitor\n%s", what, c.LogTail("mon.a"))
			}
		}
	}
	r := wait("probe reply", func(r received) bool {
		pm, ok := r.m.(*msg.MonProbe)
		return ok && pm.Op == msg.ProbeOpReply
	})
	reply := r.m.(*msg.MonProbe)
	real, err := monmap.Decode(reply.MonMap)
	if err != nil {
		t.Fatalf("real monmap: %v", err)
	}
	if reply.Name != "a" || !slices.Equal(reply.Quorum, []int32{0}) || reply.PaxosLastVersion == 0 ||
		real.FSID != c.FSID || real.Rank("a") != 0 || reply.MonRelease != 16 {
		t.Fatalf("reply %v quorum %v lc %d", reply, reply.Quorum, reply.PaxosLastVersion)
	}
	// With the real monmap (x absent), the prober asks to join.
	p = NewProber(DefaultProbeConfig("x"))
	p.Start(time.Now(), ProbeState{MonMap: real, MonMapBytes: reply.MonMap, Leader: -1})
	out := p.HandleReply(time.Now(), 0, reply)
	if out.Join == nil || *out.Join != 0 {
		t.Fatalf("outcome %+v", out)
	}
	join := &msg.MonJoin{Paxos: msg.NewPaxosHeader(0), FSID: c.FSID, Name: "x", Addrs: bound}
	if err := conn.Send(join); err != nil {
		t.Fatal(err)
	}
	// mon.a adds x (monmap e2) and, two monitors now, probes x. From
	// here kelp plays a full monitor: it answers probes, takes part in
	// the election through the elector and serves as a peon through the
	// Paxos driver, until the real cluster reports a quorum of a and x.
	st := store.NewMem()
	px, err := paxos.New(paxos.DefaultConfig(), st, 1)
	if err != nil {
		t.Fatal(err)
	}
	var cur *msgr2.Conn // the connection mon.a's Paxos messages come on
	drv := NewDriver(px, func(to int, m *paxos.MMonPaxos) {
		if to == 0 && cur != nil {
			cur.Send(&PaxosMessage{MMonPaxos: m})
		}
	}, Callbacks{Fatal: func(err error) { t.Errorf("paxos: %v", err) }}, time.Now)
	el := elector.New(elector.Config{Rank: 1, Size: 2, Features: encoding.FeaturesPacific, MonRelease: 16,
		MonFeatures: uint64(monmap.MonFeaturesPacific), Pinging: true}, 0)
	el.Init()
	leader := -1
	electorOut := func(conn *msgr2.Conn, rd elector.Ready) {
		if rd.Electing {
			drv.Restart()
		}
		for _, p := range rd.Pings {
			conn.Send(p.Msg)
		}
		for _, env := range rd.Messages {
			em := env.Msg.ToMessage()
			em.FSID, em.MonMap, em.MonRelease, em.Strategy = c.FSID, reply.MonMap, 16, msg.StrategyClassic
			em.Metadata = map[string]string{"ceph_release": "pacific", "ceph_version_short": "16.2.15"}
			conn.Send(em)
		}
		if l := rd.Lost; l != nil {
			leader = l.Leader
			drv.PeonInit(l.Epoch, l.Leader, l.Quorum)
		}
	}
	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	quorumCheck := time.Now()
	pings := 0
	for {
		select {
		case r := <-in:
			switch m := r.m.(type) {
			case *msg.MonProbe:
				if m.Op == msg.ProbeOpProbe {
					r.c.Send(Reply(DefaultProbeConfig("x"), ProbeState{MonMap: real, MonMapBytes: reply.MonMap,
						PaxosFirst: px.FirstCommitted(), PaxosLast: px.LastCommitted(), Leader: leader}, m, r.c.Features()))
				}
			case *msg.MonElection:
				cur = r.c
				electorOut(r.c, el.Step(time.Now(), 0, elector.FromMessage(m, r.c.Features())))
			case *PaxosMessage:
				cur = r.c
				drv.Step(0, m.MMonPaxos)
			case *msg.MonPing:
				pings++
				electorOut(r.c, el.StepPing(time.Now(), 0, m))
			}
		case <-ticker.C:
			if cur != nil {
				electorOut(cur, el.Tick(time.Now()))
			}
			drv.Tick()
		case <-ctx.Done():
			t.Fatalf("no quorum with kelp as a peon\n%s", c.LogTail("mon.a"))
		}
		if drv.Paxos().Role() != paxos.RolePeon || time.Since(quorumCheck) < time.Second {
			continue
		}
		quorumCheck = time.Now()
		done := make(chan string, 1)
		go func() {
			qctx, qcancel := context.WithTimeout(ctx, 5*time.Second)
			defer qcancel()
			out, _ := c.Ceph(qctx, "quorum_status", "--format", "json")
			done <- out
		}()
		// Keep serving Paxos while the CLI asks.
		var out string
	serve:
		for {
			select {
			case out = <-done:
				break serve
			case r := <-in:
				switch m := r.m.(type) {
				case *PaxosMessage:
					drv.Step(0, m.MMonPaxos)
				case *msg.MonPing:
					pings++
					electorOut(r.c, el.StepPing(time.Now(), 0, m))
				}
			case <-ticker.C:
				drv.Tick()
			}
		}
		var qs struct {
			Quorum      []int    `json:"quorum"`
			QuorumNames []string `json:"quorum_names"`
			Leader      string   `json:"quorum_leader_name"`
		}
		if json.Unmarshal([]byte(out), &qs) == nil && slices.Equal(qs.QuorumNames, []string{"a", "x"}) {
			if qs.Leader != "a" || px.LastCommitted() == 0 {
				t.Fatalf("quorum %+v, kelp at version %d", qs, px.LastCommitted())
			}
			t.Logf("real quorum %v with kelp's mon.x as peon at paxos version %d", qs.QuorumNames, px.LastCommitted())
			// The real monitor pings x and scores the link from kelp's
			// replies (Elector::handle_ping).
			if pings == 0 {
				t.Fatal("the real monitor never pinged x")
			}
			if score, live := el.Tracker().TotalScore(1); live != 1 || score <= 0 {
				t.Errorf("mon.a's report, as kelp learned it, scores x %v (live %d)", score, live)
			}
			return
		}
	}
}
