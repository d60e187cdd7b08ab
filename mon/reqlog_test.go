package mon

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// sendCommand hands the monitor one MMonCommand from s under tid, as a
// connection would, and returns the replies it got after proposing.
func sendCommand(t *testing.T, m *Monitor, s *Session, tid uint64, args map[string]any) []*msg.MonCommandAck {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	mg := &msg.MonCommand{Cmd: []string{string(b)}}
	mg.Hdr.Tid = tid
	var acks []*msg.MonCommandAck
	m.handleCommandVia(s, mg, func(r msgr2.Message) { acks = append(acks, r.(*msg.MonCommandAck)) })
	m.maybePropose()
	return acks
}

func client(gid uint64) *Session {
	return &Session{Entity: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, GlobalID: gid}
}

// TestRepeatedWriteAppliedOnce: a config-key set sent again under the
// same client, global id and tid, after a newer set of the key, is
// answered as the first copy was and does not undo the newer set; also
// after the monitor restarts on the same store, and when the repeat
// comes while the first copy waits for its commit.
func TestRepeatedWriteAppliedOnce(t *testing.T) {
	st := store.NewMem()
	m := newMonitor("a", st, nil)
	m.cons = &applyNow{m}
	if err := m.refreshAll(); err != nil {
		t.Fatal(err)
	}
	a, b := client(4100), client(4101)
	set := func(v string) map[string]any { return cmd("config-key set", "key", "k", "val", v) }
	get := func(m *Monitor) string {
		t.Helper()
		return run(t, m, cmd("config-key get", "key", "k")).out
	}

	first := sendCommand(t, m, a, 7, set("old"))
	if len(first) != 1 || first[0].R != 0 {
		t.Fatalf("first set: %+v", first)
	}
	if acks := sendCommand(t, m, b, 7, set("new")); len(acks) != 1 || acks[0].R != 0 {
		t.Fatalf("other client's set under the same tid: %+v", acks)
	}
	again := sendCommand(t, m, a, 7, set("old"))
	if len(again) != 1 || again[0].R != first[0].R || again[0].RS != first[0].RS {
		t.Fatalf("repeat answered %+v, first copy %+v", again, first)
	}
	if got := get(m); got != "new" {
		t.Fatalf("repeat was applied again: k = %q", got)
	}

	// Another monitor process on the same store knows the id too.
	m2 := newMonitor("a", st, nil)
	m2.cons = &applyNow{m2}
	if err := m2.refreshAll(); err != nil {
		t.Fatal(err)
	}
	if acks := sendCommand(t, m2, a, 7, set("old")); len(acks) != 1 || acks[0].RS != first[0].RS {
		t.Fatalf("repeat after restart: %+v", acks)
	}
	if got := get(m2); got != "new" {
		t.Fatalf("repeat after restart was applied again: k = %q", got)
	}

	// A different command under a reused id is not a repeat.
	if acks := sendCommand(t, m2, a, 7, cmd("config-key set", "key", "j", "val", "x")); len(acks) != 1 || acks[0].R != 0 {
		t.Fatalf("other command under a reused id: %+v", acks)
	}
	if got := run(t, m2, cmd("config-key get", "key", "j")).out; got != "x" {
		t.Fatalf("other command under a reused id was not applied: j = %q", got)
	}

	// The repeat arrives while the first copy waits to be proposed: one
	// change, two answers after the commit.
	held := &heldCons{}
	m2.cons = held
	c := client(4102)
	if acks := sendCommand(t, m2, c, 1, set("held")); len(acks) != 0 {
		t.Fatalf("answered before the commit: %+v", acks)
	}
	if acks := sendCommand(t, m2, c, 1, set("held")); len(acks) != 0 {
		t.Fatalf("repeat answered before the commit: %+v", acks)
	}
	if len(held.txs) != 1 {
		t.Fatalf("%d proposals in flight, want 1", len(held.txs))
	}
}

// heldCons takes proposals and never commits them.
type heldCons struct{ txs []*store.Transaction }

func (h *heldCons) propose(tx *store.Transaction) error { h.txs = append(h.txs, tx); return nil }

// TestRequestLogTrim: the oldest entries go once there are too many or
// they are too old, a bounded number per proposal.
func TestRequestLogTrim(t *testing.T) {
	m := testMonitor(t)
	clock := time.Unix(1_700_000_000, 0)
	m.reqs.now = func() time.Time { return clock }
	s := client(4200)
	for tid := uint64(1); tid <= 3; tid++ {
		sendCommand(t, m, s, tid, cmd("config-key set", "key", fmt.Sprint(tid), "val", "v"))
	}
	count := func() int {
		n := 0
		_ = m.store.Iterate(reqLogPrefix, "id/", func(k string, _ []byte) bool {
			if !strings.HasPrefix(k, "id/") {
				return false
			}
			n++
			return true
		})
		return n
	}
	if got := count(); got != 3 {
		t.Fatalf("%d entries, want 3", got)
	}
	clock = clock.Add(reqLogMaxAge + time.Second)
	sendCommand(t, m, s, 4, cmd("config-key set", "key", "4", "val", "v"))
	if got := count(); got != 1 {
		t.Fatalf("%d entries after the others expired, want 1", got)
	}
	if acks := sendCommand(t, m, s, 4, cmd("config-key set", "key", "4", "val", "v")); len(acks) != 1 || acks[0].R != 0 {
		t.Fatalf("repeat of the kept entry: %+v", acks)
	}

	// At most maxEntries are kept; each proposal erases as many as it
	// adds, and more while it can.
	m.reqs.maxEntries = 2
	for tid := uint64(5); tid <= 9; tid++ {
		sendCommand(t, m, s, tid, cmd("config-key set", "key", "k", "val", fmt.Sprint(tid)))
		if got := count(); got > 2 {
			t.Fatalf("%d entries after tid %d, want at most 2", got, tid)
		}
	}
	if got := run(t, m, cmd("config-key get", "key", "k")).out; got != "9" {
		t.Fatalf("k = %q after the writes, want 9", got)
	}
	// An entry trimmed away no longer answers: the write is applied again.
	sendCommand(t, m, s, 5, cmd("config-key set", "key", "k", "val", "5"))
	if got := run(t, m, cmd("config-key get", "key", "k")).out; got != "5" {
		t.Fatalf("k = %q after a write under a trimmed id, want 5", got)
	}
}

// FuzzDecodeLoggedReply: a request log entry read from the store never
// panics, and a decoded one encodes back to what was read.
func FuzzDecodeLoggedReply(f *testing.F) {
	f.Add(encodeLoggedReply(loggedReply{cmdHash: 1, r: -2, rs: "set k", out: []byte("x")}))
	f.Add([]byte{1, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := decodeLoggedReply(b)
		if err != nil {
			return
		}
		rep2, err := decodeLoggedReply(encodeLoggedReply(rep))
		if err != nil || rep2.rs != rep.rs || rep2.r != rep.r || rep2.cmdHash != rep.cmdHash ||
			string(rep2.out) != string(rep.out) {
			t.Fatalf("round trip: %+v %v, want %+v", rep2, err, rep)
		}
	})
}

// TestMayRepeat: the store is searched for a repeat only for sessions
// that may carry one: a reclaimed global id, a forwarded request, or a
// session whose id's origin is unknown; not a direct session whose id
// this monitor has just assigned.
func TestMayRepeat(t *testing.T) {
	for _, c := range []struct {
		s    *Session
		want bool
	}{
		{&Session{authInfo: &cephx.PeerInfo{GlobalIDStatus: cephx.GlobalIDNewPending}}, false},
		{&Session{authInfo: &cephx.PeerInfo{GlobalIDStatus: cephx.GlobalIDNewOK}}, false},
		{&Session{authInfo: &cephx.PeerInfo{GlobalIDStatus: cephx.GlobalIDReclaimPending}}, true},
		{&Session{authInfo: &cephx.PeerInfo{GlobalIDStatus: cephx.GlobalIDReclaimOK}}, true},
		{&Session{proxied: true}, true},
		{&Session{}, true},
	} {
		if got := mayRepeat(c.s); got != c.want {
			t.Errorf("mayRepeat(%+v) = %v, want %v", c.s.authInfo, got, c.want)
		}
	}
}
