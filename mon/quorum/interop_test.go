//go:build interop

package quorum

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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

// kelpMon is kelp's monitor "x" as these tests wire it against a real
// ceph-mon: prober, elector and Paxos driver, driven from the test's
// goroutine as the integration contract says.
type kelpMon struct {
	t      *testing.T
	c      *harness.Cluster
	in     chan received
	bound  encoding.EntityAddrVec
	st     *store.Mem
	px     *paxos.Paxos
	drv    *Driver
	el     *elector.Elector
	cur    *msgr2.Conn // the connection mon.a's messages come on
	monmap []byte      // the latest monmap we know, sent in elections
	real   *monmap.MonMap
	leader int
	pings  int
	// provider serves MMonSync requests from the real monitor.
	provider *SyncProvider
	chunks   int
}

// capturedCommands returns the command descriptions a real Pacific
// leader sent in a victory (sharing_bl), from the captured frames.
func capturedCommands(t *testing.T) []byte {
	f, err := os.Open("../../msgr2/msg/testdata/monpeer/frames.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if fs[2] != "65" {
			continue
		}
		front, _ := hex.DecodeString(fs[5])
		var m msg.MonElection
		m.Hdr.Version = 9
		if m.DecodePayload(encoding.FeaturesPacific, front, nil, nil) == nil && m.Op == msg.ElectionOpVictory {
			return m.SharingBL
		}
	}
	t.Fatal("no captured victory")
	return nil
}

// refreshMonmap reads the newest monmap Paxos committed into our store
// and hands its rank, size, strategy and disallowed leaders to the
// elector (what Monitor::notify_new_monmap does).
func (k *kelpMon) refreshMonmap() {
	lc, err := store.GetU64(k.st, "monmap", "last_committed")
	if err != nil || lc == 0 {
		return
	}
	b, err := store.GetVersion(k.st, "monmap", lc)
	if err != nil {
		return
	}
	mm, err := monmap.Decode(b)
	if err != nil {
		k.t.Errorf("committed monmap: %v", err)
		return
	}
	var disallowed []int
	for _, n := range mm.DisallowedLeaders {
		disallowed = append(disallowed, mm.Rank(n))
	}
	k.monmap = b
	k.el.SetMonmap(mm.Rank("x"), len(mm.Ranks), msg.ElectionStrategy(mm.Strategy), disallowed)
}

func (k *kelpMon) electorOut(rd elector.Ready) {
	if rd.Electing {
		k.drv.Restart()
	}
	for _, p := range rd.Pings {
		k.cur.Send(p.Msg)
	}
	for _, env := range rd.Messages {
		em := env.Msg.ToMessage()
		em.FSID, em.MonMap, em.MonRelease = k.c.FSID, k.monmap, 16
		em.Metadata = map[string]string{"ceph_release": "pacific", "ceph_version_short": "16.2.15"}
		if em.Op == msg.ElectionOpVictory {
			em.SharingBL = capturedCommands(k.t)
		}
		k.cur.Send(em)
	}
	if v := rd.Victory; v != nil {
		k.leader = 1
		k.drv.LeaderInit(v.Epoch, v.Quorum)
	}
	if l := rd.Lost; l != nil {
		k.leader = l.Leader
		k.drv.PeonInit(l.Epoch, l.Leader, l.Quorum)
	}
}

func (k *kelpMon) handle(r received) {
	switch m := r.m.(type) {
	case *msg.MonProbe:
		if m.Op == msg.ProbeOpProbe {
			r.c.Send(Reply(DefaultProbeConfig("x"), ProbeState{MonMap: k.real, MonMapBytes: k.monmap,
				PaxosFirst: k.px.FirstCommitted(), PaxosLast: k.px.LastCommitted(), Leader: k.leader}, m, r.c.Features()))
		}
	case *msg.MonElection:
		k.cur = r.c
		k.electorOut(k.el.Step(time.Now(), 0, elector.FromMessage(m, r.c.Features())))
	case *PaxosMessage:
		k.cur = r.c
		k.drv.Step(0, m.MMonPaxos)
	case *msg.MonPing:
		k.cur = r.c
		k.pings++
		k.electorOut(k.el.StepPing(time.Now(), 0, m))
	case *msg.MonSync:
		if k.provider == nil {
			return
		}
		reply, err := k.provider.Handle(time.Now(), 0, m, k.el.Epoch(), false)
		if err != nil {
			k.t.Errorf("sync provider: %v", err)
			return
		}
		if reply != nil {
			if reply.Op == msg.SyncOpChunk || reply.Op == msg.SyncOpLastChunk {
				k.chunks++
			}
			r.c.Send(reply)
		}
	}
}

// serve runs the monitor until check (called at most once a second)
// says done; check may run the ceph CLI: serving goes on meanwhile.
func (k *kelpMon) serve(ctx context.Context, what string, check func(context.Context) bool) {
	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	var done chan bool
	last := time.Time{}
	for {
		if done == nil && time.Since(last) > time.Second {
			last = time.Now()
			done = make(chan bool, 1)
			go func() {
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				done <- check(cctx)
			}()
		}
		select {
		case r := <-k.in:
			k.handle(r)
		case <-ticker.C:
			if k.cur != nil {
				k.electorOut(k.el.Tick(time.Now()))
			}
			k.drv.Tick()
		case ok := <-done:
			if ok {
				return
			}
			done = nil
		case <-ctx.Done():
			k.t.Fatalf("%s: timed out\n%s", what, k.c.LogTail("mon.a"))
		}
	}
}

// joinAsPeon starts a real ceph-mon, makes kelp's x probe it, join its
// monmap and serve as its peon until the real cluster reports a quorum
// of a and x.
func joinAsPeon(t *testing.T, ctx context.Context) *kelpMon {
	c := harness.StartMon(t, harness.Options{Auth: "none", Conf: map[string]string{"debug ms": "1", "debug mon": "10"}})
	k := &kelpMon{t: t, c: c, in: make(chan received, 256), leader: -1}
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
		Dispatcher: msgr2.DispatcherFunc(func(c *msgr2.Conn, m msgr2.Message) { k.in <- received{c, m} }),
	})
	t.Cleanup(func() { m.Close() })
	any, _ := encoding.ParseAddrVec("v2:127.0.0.1:0/0")
	var err error
	if k.bound, err = m.Listen(any); err != nil {
		t.Fatal(err)
	}
	conn, err := m.Dial(ctx, c.MonAddrs, encoding.EntityMon)
	if err != nil {
		t.Fatal(err)
	}
	k.cur = conn
	p := NewProber(DefaultProbeConfig("x"))
	start := p.Start(time.Now(), ProbeState{MonMap: &monmap.MonMap{FSID: c.FSID, Ranks: []string{"a", "x"}}, Leader: -1})
	if len(start.Messages) != 1 {
		t.Fatalf("probes %+v", start.Messages)
	}
	if err := conn.Send(start.Messages[0].Msg); err != nil {
		t.Fatal(err)
	}
	var reply *msg.MonProbe
	for reply == nil {
		select {
		case r := <-k.in:
			if pm, ok := r.m.(*msg.MonProbe); ok && pm.Op == msg.ProbeOpReply {
				reply = pm
			}
		case <-ctx.Done():
			t.Fatalf("no probe reply\n%s", c.LogTail("mon.a"))
		}
	}
	if k.real, err = monmap.Decode(reply.MonMap); err != nil {
		t.Fatalf("real monmap: %v", err)
	}
	k.monmap = reply.MonMap
	if reply.Name != "a" || !slices.Equal(reply.Quorum, []int32{0}) || reply.PaxosLastVersion == 0 ||
		k.real.FSID != c.FSID || k.real.Rank("a") != 0 || reply.MonRelease != 16 {
		t.Fatalf("reply %v quorum %v lc %d", reply, reply.Quorum, reply.PaxosLastVersion)
	}
	// With the real monmap (x absent), the prober asks to join.
	p = NewProber(DefaultProbeConfig("x"))
	p.Start(time.Now(), ProbeState{MonMap: k.real, MonMapBytes: reply.MonMap, Leader: -1})
	out := p.HandleReply(time.Now(), 0, reply)
	if out.Join == nil || *out.Join != 0 {
		t.Fatalf("outcome %+v", out)
	}
	if err := conn.Send(&msg.MonJoin{Paxos: msg.NewPaxosHeader(0), FSID: c.FSID, Name: "x", Addrs: k.bound}); err != nil {
		t.Fatal(err)
	}
	// mon.a adds x (monmap e2) and, two monitors now, probes x. From
	// here kelp plays a full monitor.
	k.st = store.NewMem()
	if k.px, err = paxos.New(paxos.DefaultConfig(), k.st, 1); err != nil {
		t.Fatal(err)
	}
	k.drv = NewDriver(k.px, func(to int, pm *paxos.MMonPaxos) {
		if to == 0 && k.cur != nil {
			k.cur.Send(&PaxosMessage{MMonPaxos: pm})
		}
	}, Callbacks{
		Refresh: k.refreshMonmap,
		Fatal:   func(err error) { t.Errorf("paxos: %v", err) },
		// Monitor::bootstrap: out of the quorum until the next election.
		Bootstrap: func() { k.el.LeaveQuorum() },
	}, time.Now)
	k.el = elector.New(elector.Config{Rank: 1, Size: 2, Features: encoding.FeaturesPacific, MonRelease: 16,
		MonFeatures: uint64(monmap.MonFeaturesPacific), Pinging: true}, 0)
	k.el.Init()
	k.serve(ctx, "quorum with kelp as a peon", func(cctx context.Context) bool {
		if k.px.Role() != paxos.RolePeon {
			return false
		}
		out, _ := c.Ceph(cctx, "quorum_status", "--format", "json")
		var qs struct {
			QuorumNames []string `json:"quorum_names"`
			Leader      string   `json:"quorum_leader_name"`
		}
		return json.Unmarshal([]byte(out), &qs) == nil && slices.Equal(qs.QuorumNames, []string{"a", "x"}) && qs.Leader == "a"
	})
	if k.px.LastCommitted() == 0 {
		t.Fatal("kelp's peon holds no version")
	}
	return k
}

// TestInteropProbeAndJoin talks to a real Pacific ceph-mon as a new
// monitor "x" would: kelp's probe gets a real probe reply, the Prober
// decides to join, the real leader accepts kelp's MMonJoin and commits
// a monmap with x, probes x, elects with it (kelp's elector acks) and
// runs Paxos with kelp's driver as its peon, pinging it meanwhile.
func TestInteropProbeAndJoin(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	k := joinAsPeon(t, ctx)
	t.Logf("real quorum [a x] with kelp's mon.x as peon at paxos version %d", k.px.LastCommitted())
	// The real monitor pings x (Elector::begin_peer_ping) and shares its
	// connection report; kelp's pinger answered.
	k.serve(ctx, "pings", func(context.Context) bool { return k.pings > 0 })
	if score, live := k.el.Tracker().TotalScore(1); live != 1 || score <= 0 {
		t.Errorf("mon.a's report, as kelp learned it, scores x %v (live %d)", score, live)
	}
}

// lead switches the cluster to the disallow strategy with mon.a
// disallowed from leading, and serves until kelp leads mon.a.
func (k *kelpMon) lead(ctx context.Context) {
	for _, cmd := range [][]string{{"mon", "set", "election_strategy", "disallow"}, {"mon", "add", "disallowed_leader", "a"}} {
		k.serve(ctx, strings.Join(cmd, " "), func(cctx context.Context) bool {
			_, err := k.c.Ceph(cctx, cmd...)
			return err == nil
		})
	}
	k.serve(ctx, "kelp leading mon.a", k.ledPeon)
}

// ledPeon reports whether kelp leads and mon.a says it is a peon of a
// quorum of both.
func (k *kelpMon) ledPeon(cctx context.Context) bool {
	if k.px.Role() != paxos.RoleLeader || !k.px.IsWriteable(time.Now()) {
		return false
	}
	asok := filepath.Join(k.c.Dir, "run", "mon.a.asok")
	out, err := exec.CommandContext(cctx, "ceph", "--admin-daemon", asok, "mon_status").Output()
	if err != nil {
		return false
	}
	var st struct {
		State  string `json:"state"`
		Quorum []int  `json:"quorum"`
	}
	return json.Unmarshal(out, &st) == nil && st.State == "peon" && slices.Equal(st.Quorum, []int{0, 1})
}

// TestInteropKelpLeads: once x is in the quorum, the cluster switches to
// the disallow strategy with mon.a disallowed from leading. kelp's
// elector wins the election and its Paxos driver leads the real mon.a:
// mon.a reports itself a peon of x, its Paxos (readable only under
// kelp's lease) answers a read, and values kelp proposes are committed
// on mon.a, which serves them.
func TestInteropKelpLeads(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	k := joinAsPeon(t, ctx)
	k.lead(ctx)
	k.serve(ctx, "a read served by the real peon", func(cctx context.Context) bool {
		out, err := k.c.Ceph(cctx, "mon", "dump", "--format", "json")
		return err == nil && strings.Contains(out, `"name":"x"`)
	})
	k.proposeKeys(ctx, 3)
	t.Logf("kelp's mon.x leads the real mon.a at paxos version %d", k.px.LastCommitted())
}

// proposeKeys has kelp's leader commit n config-keys, one proposal
// each, and checks that the real peon serves one of them.
func (k *kelpMon) proposeKeys(ctx context.Context, n int) {
	start := k.px.LastCommitted()
	commits := 0
	k.drv.cb.Commit = func(uint64, error) { commits++ }
	for i := range n {
		tx := store.NewTransaction()
		tx.Put("mon_config_key", fmt.Sprintf("kelp/k%02d", i), []byte(fmt.Sprintf("from kelp %d", i)))
		if err := k.drv.Propose(tx); err != nil {
			k.t.Fatal(err)
		}
	}
	k.serve(ctx, "commits of kelp's proposals", func(context.Context) bool { return commits == n })
	if k.px.LastCommitted() <= start {
		k.t.Fatal("no version committed")
	}
	k.serve(ctx, "the real peon serving a key kelp committed", func(cctx context.Context) bool {
		out, err := k.c.Ceph(cctx, "config-key", "get", "kelp/k00")
		return err == nil && strings.Contains(out, "from kelp 0")
	})
}

// TestInteropRealMonSyncsFromKelp: kelp leads mon.a and commits more
// versions than paxos_max_join_drift; mon.a is then destroyed and made
// again from scratch with the current monmap. The fresh real monitor
// probes x, finds it too far ahead, syncs its store from kelp's
// SyncProvider, rejoins the quorum under kelp, and its store holds the
// keys kelp committed.
func TestInteropRealMonSyncsFromKelp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	k := joinAsPeon(t, ctx)
	k.lead(ctx)
	k.proposeKeys(ctx, 15)
	lc := k.px.LastCommitted()

	// Destroy mon.a; kelp loses its quorum.
	k.c.KillMon()
	k.serve(ctx, "kelp leaving the quorum", func(context.Context) bool { return k.px.Role() == paxos.RoleNone })
	dir := filepath.Join(k.c.Dir, "mon.a")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	mmPath := filepath.Join(k.c.Dir, "monmap.kelp")
	if err := os.WriteFile(mmPath, k.monmap, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ceph-mon", "-c", k.c.ConfPath, "--mkfs", "-i", "a", "--monmap", mmPath,
		"--keyring", k.c.KeyringPath).CombinedOutput(); err != nil {
		t.Fatalf("mkfs: %v\n%s", err, out)
	}
	k.provider = NewSyncProvider(k.st, nil, SyncConfig{MaxPayloadBytes: 4096, MaxPayloadKeys: 50, Timeout: time.Minute})
	cmd := exec.Command("ceph-mon", "-c", k.c.ConfPath, "-f", "-i", "a")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	k.serve(ctx, "the fresh mon.a syncing from kelp and rejoining", k.ledPeon)
	if k.chunks == 0 {
		t.Fatalf("mon.a rejoined without syncing from kelp\n%s", k.c.LogTail("mon.a"))
	}
	// The fresh monitor's clients would need global ids from the leader
	// (MMonGlobalID, a leader service kelp's test monitor lacks), so read
	// its store instead: the keys kelp committed came by sync.
	cmd.Process.Kill()
	cmd.Wait()
	out := filepath.Join(t.TempDir(), "v")
	if b, err := exec.Command("ceph-kvstore-tool", "rocksdb", filepath.Join(dir, "store.db"), "get",
		"mon_config_key", "kelp/k14", "out", out).CombinedOutput(); err != nil {
		t.Fatalf("ceph-kvstore-tool: %v\n%s", err, b)
	}
	if v, _ := os.ReadFile(out); string(v) != "from kelp 14" {
		t.Fatalf("synced key holds %q", v)
	}
	t.Logf("fresh mon.a synced %d chunks from kelp (kelp at version %d, now %d)", k.chunks, lc, k.px.LastCommitted())
}
