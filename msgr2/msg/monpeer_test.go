package msg

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// capturedMsg is one line of testdata/monpeer/frames.txt: a MESSAGE frame
// one real Pacific monitor sent another (see testdata/monpeer/README.md).
type capturedMsg struct {
	from, to             string
	typ, version, compat uint16
	front, middle, data  []byte
}

func readCaptured(t testing.TB) []capturedMsg {
	t.Helper()
	f, err := os.Open("testdata/monpeer/frames.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []capturedMsg
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	seg := func(s string) []byte {
		if s == "-" {
			return nil
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	num := func(s string) uint16 {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			t.Fatal(err)
		}
		return uint16(n)
	}
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 8 {
			t.Fatalf("bad line with %d fields", len(fs))
		}
		out = append(out, capturedMsg{fs[0], fs[1], num(fs[2]), num(fs[3]), num(fs[4]), seg(fs[5]), seg(fs[6]), seg(fs[7])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func monPeerRegistry() *msgr2.Registry {
	r := NewRegistry()
	RegisterMonPeer(r)
	return r
}

func decodeCaptured(t testing.TB, r *msgr2.Registry, c capturedMsg) msgr2.Message {
	t.Helper()
	typ, ok := r.Lookup(c.typ)
	if !ok {
		return nil
	}
	m := typ.New()
	m.Header().Version, m.Header().CompatVersion = c.version, c.compat
	if err := m.DecodePayload(encoding.FeaturesPacific, c.front, c.middle, c.data); err != nil {
		t.Fatalf("%s->%s type %d: %v", c.from, c.to, c.typ, err)
	}
	return m
}

// TestMonPeerGolden decodes every mon-to-mon message a real three-monitor
// Pacific cluster exchanged and re-encodes it byte for byte, with the
// header versions the real monitors used.
func TestMonPeerGolden(t *testing.T) {
	r := monPeerRegistry()
	seen := map[uint16]int{}
	for _, c := range readCaptured(t) {
		m := decodeCaptured(t, r, c)
		if m == nil {
			continue // MMonPaxos (mon/quorum tests it), health checks
		}
		seen[c.typ]++
		if h, cv := m.Version(); h != c.version || cv != c.compat {
			t.Errorf("type %d: we send v%d/%d, Pacific sent v%d/%d", c.typ, h, cv, c.version, c.compat)
		}
		front, middle, data := m.EncodePayload(encoding.FeaturesPacific)
		if !bytes.Equal(front, c.front) || !bytes.Equal(middle, c.middle) || !bytes.Equal(data, c.data) {
			t.Errorf("%s->%s %v: re-encoding differs\n got %x\nwant %x", c.from, c.to, m, front, c.front)
		}
	}
	for _, typ := range []uint16{TypeForward, TypeRoute, TypeMonElection, TypeMonProbe, TypeMonJoin, TypeMonSync, TypeMonPing, TypeTimeCheck2} {
		if seen[typ] == 0 {
			t.Errorf("no captured message of type %d", typ)
		}
	}
}

// TestMonPeerGoldenContent checks what the captured messages say, so that
// a field read at the wrong offset cannot round-trip unnoticed.
func TestMonPeerGoldenContent(t *testing.T) {
	r := monPeerRegistry()
	ops := map[string]bool{}
	for _, c := range readCaptured(t) {
		switch m := decodeCaptured(t, r, c).(type) {
		case *MonProbe:
			ops["probe/"+m.Op.String()] = true
			if m.Name != c.from[len("mon."):] {
				t.Errorf("probe from %s names %q", c.from, m.Name)
			}
			if m.MonRelease != 16 {
				t.Errorf("probe mon_release %d, want 16 (pacific)", m.MonRelease)
			}
			if m.Op == ProbeOpReply && len(m.MonMap) == 0 {
				t.Error("probe reply without a monmap")
			}
		case *MonElection:
			ops["election/"+m.Op.String()] = true
			if m.Op == ElectionOpVictory && (m.Epoch%2 != 0 || len(m.Quorum) < 2) {
				t.Errorf("victory %v quorum %v", m, m.Quorum)
			}
			if m.Op == ElectionOpPropose && m.Epoch%2 != 1 {
				t.Errorf("propose in even epoch %d", m.Epoch)
			}
			if m.Op == ElectionOpAck && m.Metadata["ceph_release"] != "pacific" {
				t.Errorf("ack metadata %v", m.Metadata)
			}
		case *MonSync:
			ops["sync/"+m.Op.String()] = true
			if m.Op == SyncOpChunk || m.Op == SyncOpLastChunk {
				if len(m.ChunkBL) == 0 {
					t.Errorf("%v without keys", m)
				}
			}
		case *Forward:
			ops["forward"] = true
			if err := m.Msg.CheckCRC(); err != nil {
				t.Errorf("forward: %v", err)
			}
			if inner, err := m.Msg.Decode(r, m.ConFeatures); err != nil && !strings.Contains(err.Error(), "unregistered") {
				t.Errorf("forwarded type %d: %v", m.Msg.Type, err)
			} else if inner != nil {
				ops["forward/"+r.Name(inner.Type())] = true
			}
		case *Route:
			ops["route"] = true
			if m.Msg != nil {
				if err := m.Msg.CheckCRC(); err != nil {
					t.Errorf("route: %v", err)
				}
			}
		case *MonJoin:
			ops["join"] = true
			if m.Name != "d" || len(m.Addrs) != 2 {
				t.Errorf("join %v", m)
			}
		case *TimeCheck2:
			ops["timecheck/"+m.Op.String()] = true
		case *MonPing:
			ops["ping/"+m.Op.String()] = true
			if len(m.TrackerBL) == 0 {
				t.Error("mon_ping without a connection report")
			}
		}
	}
	for _, want := range []string{"probe/probe", "probe/reply", "election/propose", "election/ack", "election/victory",
		"sync/get_cookie_recent", "sync/cookie", "sync/get_chunk", "sync/chunk", "sync/last_chunk",
		"forward", "route", "join", "timecheck/ping", "timecheck/pong", "timecheck/report", "ping/ping", "ping/ping_reply"} {
		if !ops[want] {
			t.Errorf("no captured %s", want)
		}
	}
}

// TestEncodeMessageMatchesCeph re-creates a forwarded message with
// EncodeMessage and expects the crcs Ceph computed.
func TestEncodeMessageMatchesCeph(t *testing.T) {
	r := monPeerRegistry()
	for _, c := range readCaptured(t) {
		f, ok := decodeCaptured(t, r, c).(*Forward)
		if !ok {
			continue
		}
		em := f.Msg
		raw := &msgr2.RawMessage{Front: em.Front, Middle: em.Middle, Data: em.Data}
		raw.Hdr = msgr2.MsgHeader{Seq: em.Seq, Tid: em.Tid, Type: em.Type, Priority: em.Priority,
			Version: em.Version, CompatVersion: em.CompatVersion, DataOff: em.DataOff}
		got := EncodeMessage(raw, f.ConFeatures, em.Src)
		if got.HeaderCRC != em.HeaderCRC || got.FrontCRC != em.FrontCRC || got.FooterFlags != em.FooterFlags {
			t.Errorf("EncodeMessage: crc %#x/%#x flags %d, Ceph %#x/%#x flags %d",
				got.HeaderCRC, got.FrontCRC, got.FooterFlags, em.HeaderCRC, em.FrontCRC, em.FooterFlags)
		}
		return
	}
	t.Fatal("no forward captured")
}

// TestMonPeerTruncated: no strict prefix of a captured payload decodes.
func TestMonPeerTruncated(t *testing.T) {
	r := monPeerRegistry()
	done := map[uint16]int{}
	for _, c := range readCaptured(t) {
		typ, ok := r.Lookup(c.typ)
		if !ok || done[c.typ] >= 2 || len(c.front) > 4096 {
			continue
		}
		done[c.typ]++
		for n := 0; n < len(c.front); n++ {
			m := typ.New()
			m.Header().Version, m.Header().CompatVersion = c.version, c.compat
			if err := m.DecodePayload(encoding.FeaturesPacific, c.front[:n], nil, nil); err == nil {
				t.Errorf("type %d: %d of %d bytes decoded", c.typ, n, len(c.front))
				break
			}
		}
	}
}

func FuzzMonPeerDecode(f *testing.F) {
	for _, c := range readCaptured(f) {
		if len(c.front) < 8192 {
			f.Add(c.typ, c.version, c.front)
		}
	}
	r := monPeerRegistry()
	f.Fuzz(func(t *testing.T, typ, version uint16, front []byte) {
		mt, ok := r.Lookup(typ)
		if !ok {
			return
		}
		m := mt.New()
		m.Header().Version = version
		if err := m.DecodePayload(encoding.FeaturesPacific, front, nil, nil); err != nil {
			return
		}
		// What decodes re-encodes and decodes again to the same bytes.
		m.Header().Version, _ = m.Version()
		b1, _, _ := m.EncodePayload(encoding.FeaturesPacific)
		m2 := mt.New()
		m2.Header().Version, _ = m.Version()
		if err := m2.DecodePayload(encoding.FeaturesPacific, b1, nil, nil); err != nil {
			t.Fatalf("type %d: re-encoding does not decode: %v", typ, err)
		}
		if b2, _, _ := m2.EncodePayload(encoding.FeaturesPacific); !bytes.Equal(b1, b2) {
			t.Fatalf("type %d: encoding is not stable", typ)
		}
	})
}
