package quorum

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

func testMonmap(t *testing.T, names ...string) (*monmap.MonMap, []byte) {
	t.Helper()
	m := monmap.New(encoding.UUID{7}, encoding.UTime{Sec: 1})
	for i, n := range names {
		a := encoding.NewAddr(encoding.AddrMsgr2, netip.MustParseAddrPort("127.0.0.1:"+string(rune('0'+i))+"000"))
		if err := m.Add(n, encoding.EntityAddrVec{a}); err != nil {
			t.Fatal(err)
		}
	}
	m.Epoch = 1
	return m, m.Encode(encoding.FeaturesPacific)
}

func TestProbeFreshCluster(t *testing.T) {
	now := time.Unix(1, 0)
	mm, bl := testMonmap(t, "a", "b", "c")
	p := NewProber(DefaultProbeConfig("a"))
	out := p.Start(now, ProbeState{MonMap: mm, MonMapBytes: bl, Leader: -1})
	if len(out.Messages) != 2 || out.Messages[0].To != 1 || out.Messages[1].To != 2 ||
		out.Messages[0].Msg.Op != msg.ProbeOpProbe || out.Messages[0].Msg.Name != "a" {
		t.Fatalf("probes %+v", out.Messages)
	}
	// mon.b answers from outside any quorum: a and b make a majority.
	st := ProbeState{MonMap: mm, MonMapBytes: bl, Leader: -1}
	reply := Reply(DefaultProbeConfig("b"), st, out.Messages[0].Msg, encoding.FeaturesPacific)
	if o := p.HandleReply(now, 1, reply); !o.Elect || p.Probing() {
		t.Fatalf("outcome %+v", o)
	}
}

// TestProbeTo: a probing monitor probes a peer again when its
// connection comes up; not itself, not when it is no longer probing.
func TestProbeTo(t *testing.T) {
	mm, bl := testMonmap(t, "a", "b", "c")
	p := NewProber(DefaultProbeConfig("b"))
	if m := p.ProbeTo(0); m != nil {
		t.Fatalf("probe before probing: %+v", m)
	}
	out := p.Start(time.Unix(1, 0), ProbeState{MonMap: mm, MonMapBytes: bl, Leader: -1})
	m := p.ProbeTo(2)
	if m == nil || !reflect.DeepEqual(m, out.Messages[1].Msg) || out.Messages[1].To != 2 {
		t.Fatalf("ProbeTo(2) = %+v, Start sent %+v", m, out.Messages)
	}
	if m := p.ProbeTo(1); m != nil {
		t.Fatalf("probe to itself: %+v", m)
	}
	if m := p.ProbeTo(3); m != nil {
		t.Fatalf("probe to a rank outside the monmap: %+v", m)
	}
	p.Stop()
	if m := p.ProbeTo(0); m != nil {
		t.Fatalf("probe after Stop: %+v", m)
	}
}

func TestProbeNeedsMajority(t *testing.T) {
	now := time.Unix(1, 0)
	mm, bl := testMonmap(t, "a", "b", "c", "d", "e")
	p := NewProber(DefaultProbeConfig("a"))
	st := ProbeState{MonMap: mm, MonMapBytes: bl, Leader: -1}
	p.Start(now, st)
	reply := func(name string) *msg.MonProbe {
		return Reply(DefaultProbeConfig(name), st, &msg.MonProbe{FSID: mm.FSID}, encoding.FeaturesPacific)
	}
	if o := p.HandleReply(now, 1, reply("b")); o.Elect {
		t.Fatal("elected with 2 of 5")
	}
	if o := p.HandleReply(now, 1, reply("b")); o.Elect {
		t.Fatal("a repeated reply counted twice")
	}
	if o := p.Tick(now.Add(time.Second)); o.Restart {
		t.Fatal("timed out early")
	}
	if o := p.HandleReply(now, 2, reply("c")); !o.Elect {
		t.Fatal("3 of 5 did not elect")
	}
	p.Start(now, st)
	if o := p.Tick(now.Add(2 * time.Second)); !o.Restart {
		t.Fatal("no probe timeout")
	}
}

func TestProbeDecisions(t *testing.T) {
	now := time.Unix(1, 0)
	mm, bl := testMonmap(t, "a", "b", "c")
	peer := func(st ProbeState) *msg.MonProbe {
		return Reply(DefaultProbeConfig("b"), st, &msg.MonProbe{FSID: mm.FSID}, encoding.FeaturesPacific)
	}
	mine := ProbeState{MonMap: mm, MonMapBytes: bl, PaxosFirst: 1, PaxosLast: 20, HasEverJoined: true, Leader: -1}
	inQuorum := ProbeState{MonMap: mm, MonMapBytes: bl, PaxosFirst: 1, PaxosLast: 25, HasEverJoined: true, Quorum: []int{1, 2}, Leader: 1}
	for _, c := range []struct {
		name   string
		self   string
		theirs ProbeState
		check  func(ProbeOutcome) bool
	}{
		{"quorum exists, within drift", "a", inQuorum, func(o ProbeOutcome) bool { return o.Elect }},
		{"too far ahead", "a", ProbeState{MonMap: mm, MonMapBytes: bl, PaxosFirst: 1, PaxosLast: 31, Quorum: []int{1, 2}, Leader: 1},
			func(o ProbeOutcome) bool { return o.Sync != nil && !o.Sync.Full && o.Sync.Rank == 1 }},
		{"trimmed past us", "a", ProbeState{MonMap: mm, MonMapBytes: bl, PaxosFirst: 21, PaxosLast: 25, Quorum: []int{1, 2}, Leader: 1},
			func(o ProbeOutcome) bool { return o.Sync != nil && o.Sync.Full }},
		{"not in the monmap", "z", inQuorum, func(o ProbeOutcome) bool { return o.Join != nil && *o.Join == 1 }},
	} {
		p := NewProber(DefaultProbeConfig(c.self))
		p.Start(now, mine)
		if o := p.HandleReply(now, 1, peer(c.theirs)); !c.check(o) {
			t.Errorf("%s: outcome %+v", c.name, o)
		}
	}
	// A newer monmap from a monitor that has joined.
	mm2, bl2 := testMonmap(t, "a", "b", "c", "d")
	mm2.Epoch = 2
	bl2 = mm2.Encode(encoding.FeaturesPacific)
	p := NewProber(DefaultProbeConfig("a"))
	p.Start(now, mine)
	o := p.HandleReply(now, 1, peer(ProbeState{MonMap: mm2, MonMapBytes: bl2, HasEverJoined: true, Leader: -1}))
	if !bytes.Equal(o.NewMonMap, bl2) {
		t.Fatalf("newer monmap not adopted: %+v", o)
	}
}

// TestProbeMatchesCeph: the probe kelp sends and the reply it gives are
// byte for byte what a real Pacific monitor sent in the same situation
// (msgr2/msg/testdata/monpeer/frames.txt).
func TestProbeMatchesCeph(t *testing.T) {
	f, err := os.Open("../../msgr2/msg/testdata/monpeer/frames.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	checked := 0
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if fs[2] != "67" {
			continue
		}
		want, _ := hex.DecodeString(fs[5])
		var real msg.MonProbe
		real.Hdr.Version = 8
		if err := real.DecodePayload(encoding.FeaturesPacific, want, nil, nil); err != nil {
			t.Fatal(err)
		}
		var got *msg.MonProbe
		cfg := DefaultProbeConfig(real.Name)
		switch real.Op {
		case msg.ProbeOpProbe:
			mm, _ := testMonmap(t, "a", "b", "c")
			mm.FSID = real.FSID
			p := NewProber(cfg)
			out := p.Start(time.Unix(1, 0), ProbeState{MonMap: mm, HasEverJoined: real.HasEverJoined, Leader: -1})
			got = out.Messages[0].Msg
		case msg.ProbeOpReply:
			mm, err := monmap.Decode(real.MonMap)
			if err != nil {
				t.Fatal(err)
			}
			st := ProbeState{MonMap: mm, MonMapBytes: real.MonMap, PaxosFirst: real.PaxosFirstVersion,
				PaxosLast: real.PaxosLastVersion, HasEverJoined: real.HasEverJoined, Leader: int(real.Leader)}
			for _, q := range real.Quorum {
				st.Quorum = append(st.Quorum, int(q))
			}
			got = Reply(cfg, st, &msg.MonProbe{FSID: real.FSID}, encoding.FeaturesPacific)
		default:
			continue
		}
		front, _, _ := got.EncodePayload(encoding.FeaturesPacific)
		if !bytes.Equal(front, want) {
			t.Errorf("%s %v:\n got %x\nwant %x", fs[0], real.Op, front, want)
		}
		checked++
	}
	if checked < 2 {
		t.Fatalf("only %d probes checked", checked)
	}
}
