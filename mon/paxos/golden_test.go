package paxos

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/mon/store"
)

type goldenMsg struct {
	summary string // as the sender's log printed it
	payload []byte
}

// readHexdumps parses testdata/mmonpaxos_dump.txt: for each message the
// summary line a real ceph-mon logged, then the payload as Ceph's
// bufferlist::hexdump prints it ("*" stands for repeats of the line
// above; the last line is the total length).
func readHexdumps(t *testing.T) []goldenMsg {
	t.Helper()
	f, err := os.Open("testdata/mmonpaxos_dump.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var msgs []goldenMsg
	var cur *goldenMsg
	var prev []byte
	repeat := false
	fill := func(upto int) {
		for repeat && len(cur.payload) < upto {
			cur.payload = append(cur.payload, prev...)
		}
		repeat = false
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
		case strings.HasPrefix(line, "mon."):
			msgs = append(msgs, goldenMsg{summary: line[strings.Index(line, " ")+1:]})
			cur, prev, repeat = &msgs[len(msgs)-1], nil, false
		case line == "*":
			repeat = true
		default:
			off, err := strconv.ParseUint(line[:8], 16, 64)
			if err != nil {
				t.Fatalf("bad line %q", line)
			}
			fill(int(off))
			if len(cur.payload) != int(off) {
				t.Fatalf("%s: offset %x after %d bytes", cur.summary, off, len(cur.payload))
			}
			rest := line[8:]
			if i := strings.IndexByte(rest, '|'); i >= 0 {
				rest = rest[:i]
			}
			b, err := hex.DecodeString(strings.Join(strings.Fields(rest), ""))
			if err != nil {
				t.Fatalf("bad hex in %q", line)
			}
			cur.payload = append(cur.payload, b...)
			prev = b
		}
	}
	if len(msgs) < 8 {
		t.Fatalf("only %d golden messages", len(msgs))
	}
	return msgs
}

// TestGoldenMMonPaxos decodes MMonPaxos payloads a real Pacific ceph-mon
// sent to its peer, prints them as Ceph printed them, re-encodes them
// byte for byte, and decodes the values they carry as transactions.
func TestGoldenMMonPaxos(t *testing.T) {
	ops := map[Op]int{}
	for _, g := range readHexdumps(t) {
		m, err := DecodeMMonPaxos(g.payload, MMonPaxosHeadVersion)
		if err != nil {
			t.Fatalf("%s: %v", g.summary, err)
		}
		if m.String() != g.summary {
			t.Errorf("decoded %s, Ceph printed %s", m, g.summary)
		}
		if !bytes.Equal(m.MarshalPayload(), g.payload) {
			t.Errorf("%s: re-encoding differs", g.summary)
		}
		for v, val := range m.Values {
			if _, err := store.UnmarshalTransaction(val); err != nil {
				t.Errorf("%s: value %d is not a transaction: %v", g.summary, v, err)
			}
		}
		if m.Op == OpLease {
			// mon_lease is 5s: the lease ends 5s after it is sent.
			if d := m.LeaseTimestamp.Time().Sub(m.SentTimestamp.Time()); d < 4990*time.Millisecond || d > 5010*time.Millisecond {
				t.Errorf("%s: lease ends %v after it was sent", g.summary, d)
			}
		}
		ops[m.Op]++
	}
	for _, op := range []Op{OpCollect, OpBegin, OpCommit, OpLease} {
		if ops[op] == 0 {
			t.Errorf("no golden %s", op)
		}
	}
}

// TestGoldenPeonReplay feeds a real leader's messages to a kelp peon and
// checks it answers as the real peon did, message for message, and ends
// with the same committed values.
func TestGoldenPeonReplay(t *testing.T) {
	want, err := os.ReadFile("testdata/peon_replies.txt")
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMem()
	px, err := New(DefaultConfig(), st, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	values := map[uint64][]byte{}
	for _, g := range readHexdumps(t) {
		m, err := DecodeMMonPaxos(g.payload, MMonPaxosHeadVersion)
		if err != nil {
			t.Fatal(err)
		}
		now := m.SentTimestamp.Time()
		if m.Epoch != px.Epoch() {
			// A new election: mon.a leads, both are in the quorum.
			if _, err := px.PeonInit(now, m.Epoch, 0, []int{0, 1}); err != nil {
				t.Fatal(err)
			}
		}
		for v, val := range m.Values {
			values[v] = val
		}
		r, err := px.Step(now, 0, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range r.Messages {
			got = append(got, e.Msg.String())
		}
		if len(got) >= 7 {
			break
		}
	}
	if strings.Join(got, "\n")+"\n" != string(want) {
		t.Fatalf("kelp peon replied\n%s\nreal peon replied\n%s", strings.Join(got, "\n"), want)
	}
	if px.LastCommitted() != 2 || px.FirstCommitted() != 1 {
		t.Fatalf("peon at %d..%d, want 1..2", px.FirstCommitted(), px.LastCommitted())
	}
	for v := uint64(1); v <= 2; v++ {
		b, _ := store.GetVersion(st, Prefix, v)
		if !bytes.Equal(b, values[v]) {
			t.Errorf("version %d differs from the leader's value", v)
		}
	}
	// The committed transactions were applied: the monmap is there.
	if ok, _ := st.Exists("monmap", "1"); !ok {
		t.Error("monmap/1 not applied")
	}
}
