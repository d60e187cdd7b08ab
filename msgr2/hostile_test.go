package msgr2

import (
	"bytes"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// syncBuf is a log sink tests can read while the messenger writes.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuf) waitFor(t *testing.T, sub string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.String(), sub) {
		if time.Now().After(deadline) {
			t.Fatalf("log never said %q; log:\n%s", sub, s.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawPreamble builds a crc-mode preamble for one segment.
func rawPreamble(tag Tag, n uint32) []byte {
	p := preamble{tag: tag, nsegs: 1}
	p.lens[0] = n
	p.aligns[0] = alignDefault
	b := make([]byte, preambleLen)
	p.encode(b)
	return b
}

// rawFrame builds a msgr2.1 crc-mode one-segment frame.
func rawFrame(tag Tag, payload []byte) []byte {
	b := append(rawPreamble(tag, uint32(len(payload))), payload...)
	return binary.LittleEndian.AppendUint32(b, encoding.CRC32C(^uint32(0), payload))
}

// TestHostileInput sends a listener garbage of many kinds. Each bad
// connection is closed with a logged reason and the listener keeps
// serving real clients.
func TestHostileInput(t *testing.T) {
	logs := &syncBuf{}
	srv, _ := newTestMessenger(t, "mon.a", Config{HandshakeTimeout: 300 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	addrs := listen(t, srv)
	hostport := addrs[0].Addr.String()
	banner := appendBanner(nil, FeatureRevision1, 0)

	cases := []struct {
		name string
		send []byte
		want string
	}{
		{"wrong banner", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "bad banner"},
		{"msgr1 banner", append([]byte("ceph v027"), make([]byte, 200)...), "msgr1"},
		{"bad preamble crc", append(append([]byte(nil), banner...), func() []byte {
			b := rawPreamble(TagHello, 10)
			b[5] ^= 1
			return b
		}()...), "bad preamble crc"},
		{"unknown tag", append(append([]byte(nil), banner...), append(rawPreamble(Tag(99), 4), 1, 2, 3, 4, 0, 0, 0, 0)...), "unknown frame tag 99"},
		{"unexpected tag", append(append([]byte(nil), banner...), rawFrame(TagAck, make([]byte, 8))...), "expected HELLO, got ACK"},
		{"segment over limit", append(append([]byte(nil), banner...), rawPreamble(TagHello, 1<<30)...), "over limit"},
		{"bad segment count", append(append([]byte(nil), banner...), func() []byte {
			b := rawPreamble(TagHello, 10)
			b[1] = 7
			binary.LittleEndian.PutUint32(b[28:], encoding.CRC32C(0, b[:28]))
			return b
		}()...), "bad segment count"},
		{"truncated frame", append(append([]byte(nil), banner...), append(rawPreamble(TagHello, 100), 1, 2, 3)...), "truncated frame"},
		{"stops mid-handshake", banner, "i/o timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nc, err := net.Dial("tcp", hostport)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.Write(c.send)
			if c.name == "truncated frame" {
				nc.(*net.TCPConn).CloseWrite()
			}
			// The server must hang up on us.
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.Copy(io.Discard, nc); err != nil {
				t.Fatalf("server did not close: %v", err)
			}
			logs.waitFor(t, c.want)
		})
	}
	// Still serving.
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	dial(t, cli, addrs, encoding.EntityMon)
}

// TestBadGCMTag: after a secure handshake, a frame with a damaged auth tag
// ends the connection as an integrity error.
func TestBadGCMTag(t *testing.T) {
	logs := &syncBuf{}
	srv, _ := newTestMessenger(t, "mon.a", Config{AuthServer: &testAuthServer{}, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	addrs := listen(t, srv)
	nc, err := net.Dial("tcp", addrs[0].Addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	cfg := Config{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "x"}, MonClientModes: []uint32{ConModeSecure}}
	cfg.setDefaults()
	f := NewFramer(nc)
	h := &clientHandshake{f: f, cfg: &cfg, log: testLogger(t), peerType: encoding.EntityMon, target: addrs[0],
		auth: &testAuthClient{modes: []uint32{ConModeSecure}}}
	if err := h.run(); err != nil {
		t.Fatal(err)
	}
	f.corrupt = func(b []byte) { b[len(b)-1] ^= 0x80 }
	f.writeControl(&ClientIdentFrame{Addrs: encoding.EntityAddrVec{{Type: encoding.AddrAny, Nonce: 1}}, Target: addrs[0]})
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.Copy(io.Discard, nc)
	logs.waitFor(t, "bad GCM auth tag")
}

// TestCloseDuringHandshake: closing the Messenger ends handshakes in
// progress at once rather than at their deadline.
func TestCloseDuringHandshake(t *testing.T) {
	srv, _ := newTestMessenger(t, "mon.a", Config{HandshakeTimeout: time.Minute})
	addrs := listen(t, srv)
	nc, err := net.Dial("tcp", addrs[0].Addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write(appendBanner(nil, FeatureRevision1, 0))
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	srv.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close took %v", d)
	}
}
