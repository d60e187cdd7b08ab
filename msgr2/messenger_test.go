package msgr2

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

const typeSeqMsg = 0x7002

// seqMsg carries a counter and filler, for ordering and loss checks.
type seqMsg struct {
	MsgBase
	N    uint64
	Fill []byte
}

func (m *seqMsg) Type() uint16              { return typeSeqMsg }
func (m *seqMsg) Version() (uint16, uint16) { return 1, 1 }
func (m *seqMsg) EncodePayload(uint64) ([]byte, []byte, []byte) {
	f := binary.LittleEndian.AppendUint64(nil, m.N)
	return f, nil, m.Fill
}
func (m *seqMsg) DecodePayload(_ uint64, f, _, d []byte) error {
	if len(f) != 8 {
		return fmt.Errorf("seqMsg front %d bytes", len(f))
	}
	m.N = binary.LittleEndian.Uint64(f)
	m.Fill = d
	return nil
}

func testRegistry() *Registry {
	r := NewRegistry()
	r.Register(MessageType{Type: 0x7001, Name: "test", New: func() Message { return &testMsg{} }})
	r.Register(MessageType{Type: typeSeqMsg, Name: "seq", New: func() Message { return &seqMsg{} }})
	return r
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("MSGR2_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// chanDispatcher forwards messages (and their conns) to a channel.
type chanDispatcher struct {
	ch   chan Message
	echo bool
}

func (d *chanDispatcher) Dispatch(c *Conn, m Message) {
	if d.echo {
		if sm, ok := m.(*seqMsg); ok {
			c.Send(&seqMsg{N: sm.N})
		}
	}
	d.ch <- m
}

func newTestMessenger(t testing.TB, name string, cfg Config) (*Messenger, *chanDispatcher) {
	t.Helper()
	n, err := encoding.ParseEntityName(name)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Name = n
	if cfg.Registry == nil {
		cfg.Registry = testRegistry()
	}
	d := &chanDispatcher{ch: make(chan Message, 4096)}
	if cfg.Dispatcher == nil {
		cfg.Dispatcher = d
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	m := NewMessenger(cfg)
	t.Cleanup(func() { m.Close() })
	return m, d
}

func listen(t testing.TB, m *Messenger) encoding.EntityAddrVec {
	t.Helper()
	a, err := m.Listen(encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: mustAP("127.0.0.1:0")}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func recv(t testing.TB, d *chanDispatcher, within time.Duration) Message {
	t.Helper()
	select {
	case m := <-d.ch:
		return m
	case <-time.After(within):
		t.Fatal("no message")
		return nil
	}
}

func dial(t testing.TB, m *Messenger, addrs encoding.EntityAddrVec, peer encoding.EntityType) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := m.Dial(ctx, addrs, peer)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestHandshakeMatrix runs client->mon sessions in both modes and both
// revisions, through AUTH_BAD_METHOD, AUTH_REPLY_MORE/AUTH_REQUEST_MORE,
// AUTH_DONE and AUTH_SIGNATURE, then exchanges messages both ways.
func TestHandshakeMatrix(t *testing.T) {
	for _, mode := range []uint32{ConModeCRC, ConModeSecure} {
		for _, rev1 := range []bool{true, false} {
			t.Run(modeName(mode == ConModeSecure, rev1), func(t *testing.T) {
				srv, sd := newTestMessenger(t, "mon.a", Config{AuthServer: &testAuthServer{}, DisableRev1: !rev1})
				addrs := listen(t, srv)
				ac := &testAuthClient{modes: []uint32{mode}}
				cli, cd := newTestMessenger(t, "client.admin", Config{
					NewAuthClient:  func(encoding.EntityType) AuthClient { return ac },
					MonClientModes: []uint32{mode}})
				c := dial(t, cli, addrs, encoding.EntityMon)
				if c.ConMode() != mode || !ac.gotRetry || ac.rounds != 1 {
					t.Fatalf("mode %s retry %v rounds %d", ConModeName(c.ConMode()), ac.gotRetry, ac.rounds)
				}
				if c.AuthResult().GlobalID != 4242 {
					t.Fatalf("global id %d", c.AuthResult().GlobalID)
				}
				for i := 0; i < 3; i++ {
					c.Send(&seqMsg{N: uint64(i), Fill: pattern(5000*i, 1)})
				}
				for i := 0; i < 3; i++ {
					m := recv(t, sd, 5*time.Second).(*seqMsg)
					if m.N != uint64(i) || !bytes.Equal(m.Fill, pattern(5000*i, 1)) {
						t.Fatalf("message %d: got %d", i, m.N)
					}
					if m.Hdr.Src != (encoding.EntityNameT{Type: encoding.EntityClient, Num: 4242}) {
						t.Fatalf("source %s", m.Hdr.Src)
					}
				}
				srvConn := onlyConn(t, srv)
				if srvConn.AuthServerResult().GlobalID != 4242 {
					t.Fatal("server lost the auth result")
				}
				srvConn.Send(&seqMsg{N: 99})
				if m := recv(t, cd, 5*time.Second).(*seqMsg); m.N != 99 {
					t.Fatal("reply lost")
				}
			})
		}
	}
}

func onlyConn(t testing.TB, m *Messenger) *Conn {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		var cs []*Conn
		for c := range m.all {
			cs = append(cs, c)
		}
		m.mu.Unlock()
		if len(cs) == 1 {
			return cs[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("not exactly one connection")
	return nil
}

func TestSecureNeedsSecret(t *testing.T) {
	srv, _ := newTestMessenger(t, "mon.a", Config{AuthServer: &testAuthServer{badSecretLen: true}})
	addrs := listen(t, srv)
	cli, _ := newTestMessenger(t, "client.admin", Config{
		NewAuthClient:  func(encoding.EntityType) AuthClient { return &testAuthClient{modes: []uint32{ConModeSecure}} },
		MonClientModes: []uint32{ConModeSecure}, HandshakeTimeout: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Dial(ctx, addrs, encoding.EntityMon); err == nil {
		t.Fatal("secure mode without a connection secret succeeded")
	}
}

// TestCompressionMethods: osd<->osd sessions negotiate each algorithm and
// carry large compressible messages intact.
func TestCompressionMethods(t *testing.T) {
	for _, m := range []CompressionMethod{CompressSnappy, CompressZlib, CompressZstd, CompressLZ4} {
		for _, rev1 := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/rev1=%v", m, rev1), func(t *testing.T) {
				cfg := Config{CompressPeers: []encoding.EntityType{encoding.EntityOSD}, CompressionMethods: []CompressionMethod{m}, DisableRev1: !rev1}
				srv, sd := newTestMessenger(t, "osd.1", cfg)
				addrs := listen(t, srv)
				cli, _ := newTestMessenger(t, "osd.0", cfg)
				c := dial(t, cli, addrs, encoding.EntityOSD)
				c.mu.Lock()
				comp := c.tr.f.comp
				c.mu.Unlock()
				if comp == nil || comp.method != m {
					t.Fatalf("compression not negotiated: %+v", comp)
				}
				fill := bytes.Repeat([]byte("kelp compresses this "), 5000)
				c.Send(&seqMsg{N: 1, Fill: fill})
				c.Send(&seqMsg{N: 2, Fill: []byte("tiny")})
				if got := recv(t, sd, 5*time.Second).(*seqMsg); got.N != 1 || !bytes.Equal(got.Fill, fill) {
					t.Fatal("compressed message damaged")
				}
				if got := recv(t, sd, 5*time.Second).(*seqMsg); got.N != 2 {
					t.Fatal("small message lost")
				}
			})
		}
	}
	// A peer that does not announce compression (Pacific) gets none.
	srv, _ := newTestMessenger(t, "osd.1", Config{CompressPeers: []encoding.EntityType{encoding.EntityOSD}, DisableCompression: true})
	addrs := listen(t, srv)
	cli, _ := newTestMessenger(t, "osd.0", Config{CompressPeers: []encoding.EntityType{encoding.EntityOSD}})
	c := dial(t, cli, addrs, encoding.EntityOSD)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tr.f.comp != nil {
		t.Fatal("compression with a peer that does not support it")
	}
}

// cut closes a Conn's current TCP connection under it.
func cut(c *Conn) {
	c.mu.Lock()
	tr := c.tr
	c.mu.Unlock()
	if tr != nil {
		tr.nc.Close()
	}
}

// TestReconnectNoLossNoDup streams messages over a lossless osd<->osd
// session, echoed back, while the TCP connection is cut repeatedly on
// either side: both directions must see every message exactly once, in
// order.
func TestReconnectNoLossNoDup(t *testing.T) {
	osd := []encoding.EntityType{encoding.EntityOSD}
	secure := func() Config {
		return Config{AuthServer: &testAuthServer{}, ClusterModes: []uint32{ConModeSecure},
			NewAuthClient: func(encoding.EntityType) AuthClient { return &testAuthClient{modes: []uint32{ConModeSecure}} }}
	}
	cases := map[string]func() Config{
		"crc": func() Config { return Config{} },
		"crc+zstd": func() Config {
			return Config{CompressPeers: osd, CompressionMethods: []CompressionMethod{CompressZstd}}
		},
		"secure":         secure,
		"secure-msgr2.0": func() Config { c := secure(); c.DisableRev1 = true; return c },
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { reconnectNoLossNoDup(t, mk) })
	}
}

func reconnectNoLossNoDup(t *testing.T, mk func() Config) {
	const n = 2000
	scfg := mk()
	scfg.ReconnectBackoff = 5 * time.Millisecond
	srv, sd := newTestMessenger(t, "osd.1", scfg)
	sd.echo = true
	addrs := listen(t, srv)
	ccfg := mk()
	ccfg.ReconnectBackoff = 5 * time.Millisecond
	cli, cd := newTestMessenger(t, "osd.0", ccfg)
	listen(t, cli)
	c := dial(t, cli, addrs, encoding.EntityOSD)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			c.Send(&seqMsg{N: uint64(i), Fill: pattern(100+i%3000, byte(i))})
			if i%100 == 50 {
				time.Sleep(2 * time.Millisecond)
				if i%200 == 50 {
					cut(c)
				} else {
					cut(onlyConn(t, srv))
				}
			}
		}
	}()
	check := func(d *chanDispatcher, who string) {
		for i := 0; i < n; i++ {
			m := recv(t, d, 20*time.Second).(*seqMsg)
			if m.N != uint64(i) {
				t.Fatalf("%s: got message %d, want %d", who, m.N, i)
			}
		}
		select {
		case m := <-d.ch:
			t.Fatalf("%s: extra message %d", who, m.(*seqMsg).N)
		case <-time.After(100 * time.Millisecond):
		}
	}
	check(sd, "server")
	check(cd, "client")
	wg.Wait()
}

// TestLossyFaultCloses: a client->mon (lossy) session ends on a fault and
// the dispatcher hears of it.
func TestLossyFaultCloses(t *testing.T) {
	srv, _ := newTestMessenger(t, "mon.a", Config{})
	addrs := listen(t, srv)
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	c := dial(t, cli, addrs, encoding.EntityMon)
	cut(c)
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("lossy connection survived a fault")
	}
	if err := c.Send(&seqMsg{}); err != ErrClosed {
		t.Fatalf("send on closed conn: %v", err)
	}
}

// TestConnectionRace: two OSDs dial each other at once; both Dials
// succeed, each side ends with one session and messages flow both ways.
func TestConnectionRace(t *testing.T) {
	for round := 0; round < 10; round++ {
		a, ad := newTestMessenger(t, "osd.0", Config{})
		b, bd := newTestMessenger(t, "osd.1", Config{})
		aAddrs, bAddrs := listen(t, a), listen(t, b)
		var ca, cb *Conn
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); ca = dial(t, a, bAddrs, encoding.EntityOSD) }()
		go func() { defer wg.Done(); cb = dial(t, b, aAddrs, encoding.EntityOSD) }()
		wg.Wait()
		ca.Send(&seqMsg{N: 1})
		cb.Send(&seqMsg{N: 2})
		if m := recv(t, bd, 5*time.Second).(*seqMsg); m.N != 1 {
			t.Fatal("a->b lost")
		}
		if m := recv(t, ad, 5*time.Second).(*seqMsg); m.N != 2 {
			t.Fatal("b->a lost")
		}
		if n := len(a.conns); n != 1 {
			t.Fatalf("a has %d sessions", n)
		}
		a.Close()
		b.Close()
	}
}

func TestKeepalive(t *testing.T) {
	srv, _ := newTestMessenger(t, "mon.a", Config{})
	addrs := listen(t, srv)
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	c := dial(t, cli, addrs, encoding.EntityMon)
	before := time.Now().Add(-time.Second)
	c.SendKeepalive()
	deadline := time.Now().Add(5 * time.Second)
	for c.LastKeepaliveAck().Before(before) {
		if time.Now().After(deadline) {
			t.Fatal("no KEEPALIVE2_ACK")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestUnknownMessageDropped: a message type nobody registered is logged
// and dropped; the session carries on.
func TestUnknownMessageDropped(t *testing.T) {
	srv, sd := newTestMessenger(t, "mon.a", Config{})
	addrs := listen(t, srv)
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	c := dial(t, cli, addrs, encoding.EntityMon)
	c.Send(&RawMessage{MsgBase: MsgBase{Hdr: MsgHeader{Type: 0x7fff}}, Front: []byte("??")})
	c.Send(&seqMsg{N: 5})
	if m := recv(t, sd, 5*time.Second); m.(*seqMsg).N != 5 {
		t.Fatal("session did not survive an unknown message")
	}
}

// TestThrottleBoundsInFlight: with a 64 KiB dispatch throttle and a slow
// dispatcher, received-but-undispatched bytes stay bounded.
func TestThrottleBoundsInFlight(t *testing.T) {
	release := make(chan struct{})
	var peak int64
	var srv *Messenger
	srv, _ = newTestMessenger(t, "mon.a", Config{ThrottleBytes: 64 << 10, Dispatcher: DispatcherFunc(func(c *Conn, m Message) {
		if v := srv.throttle.inFlight(); v > peak {
			peak = v
		}
		<-release
	})})
	addrs := listen(t, srv)
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	c := dial(t, cli, addrs, encoding.EntityMon)
	for i := 0; i < 50; i++ {
		c.Send(&seqMsg{N: uint64(i), Fill: make([]byte, 10<<10)})
	}
	time.Sleep(200 * time.Millisecond)
	if v := srv.throttle.inFlight(); v > 64<<10 {
		t.Fatalf("%d bytes in flight over the 64 KiB throttle", v)
	}
	close(release)
}

// TestStandbyReconnects: when the side that connected is a server (it
// never reconnects), the accepting side reconnects its lossless session as
// soon as it has a message to send.
func TestStandbyReconnects(t *testing.T) {
	srv, _ := newTestMessenger(t, "osd.1", Config{})
	addrs := listen(t, srv)
	cli, cd := newTestMessenger(t, "osd.0", Config{Policy: func(encoding.EntityType, bool) Policy { return Policy{Server: true} }})
	listen(t, cli)
	c := dial(t, cli, addrs, encoding.EntityOSD)
	sc := onlyConn(t, srv)
	cut(c)
	deadline := time.Now().Add(5 * time.Second)
	for {
		sc.mu.Lock()
		st := sc.state
		sc.mu.Unlock()
		if st == stateStandby {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("accepting side in %s, want standby", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
	sc.Send(&seqMsg{N: 7})
	if m := recv(t, cd, 5*time.Second).(*seqMsg); m.N != 7 {
		t.Fatalf("got %d", m.N)
	}
}

// TestBindBeforeConnect checks that with ms_bind_before_connect an
// outgoing connection comes from the IP the Messenger listens on, and
// without it from wherever the kernel picks (127.0.0.1 on loopback).
func TestBindBeforeConnect(t *testing.T) {
	for _, tc := range []struct {
		bind bool
		want string
	}{{true, "127.0.2.1"}, {false, "127.0.0.1"}} {
		peer, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		m, _ := newTestMessenger(t, "mon.a", Config{BindBeforeConnect: tc.bind, HandshakeTimeout: time.Second})
		if _, err := m.Listen(encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: mustAP("127.0.2.1:0")}}); err != nil {
			t.Fatal(err)
		}
		target := encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: peer.Addr().(*net.TCPAddr).AddrPort()}}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			m.Dial(ctx, target, encoding.EntityMon) // the peer never answers
		}()
		nc, err := peer.Accept()
		if err != nil {
			t.Fatal(err)
		}
		nc.Close()
		if got := nc.RemoteAddr().(*net.TCPAddr).IP.String(); got != tc.want {
			t.Errorf("BindBeforeConnect %v: connection from %s, want %s", tc.bind, got, tc.want)
		}
	}
}

// TestPublicAddrs runs a server known by the address of a forwarder in
// front of it (public_bind_addr): it announces the public address, takes
// a CLIENT_IDENT naming it, and refuses one naming the bound address,
// which is not its own, as Ceph's handle_client_ident does.
func TestPublicAddrs(t *testing.T) {
	fwd, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fwd.Close()
	public := encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: fwd.Addr().(*net.TCPAddr).AddrPort()}}
	srv, _ := newTestMessenger(t, "mon.a", Config{PublicAddrs: public})
	bound := listen(t, srv)
	go func() {
		for {
			nc, err := fwd.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", bound.Front().Addr.String())
			if err != nil {
				nc.Close()
				continue
			}
			go func() { io.Copy(up, nc); up.Close() }()
			go func() { io.Copy(nc, up); nc.Close() }()
		}
	}()
	if got := srv.Addrs(); len(got) != 1 || got.Front().Addr != public.Front().Addr {
		t.Fatalf("announced %s, want %s", got, public)
	}
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	c := dial(t, cli, public, encoding.EntityMon)
	if got := c.PeerAddrs(); got.Front().Addr != public.Front().Addr {
		t.Errorf("server identified itself as %s, want %s", got, public)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Dial(ctx, bound, encoding.EntityMon); err == nil {
		t.Errorf("a CLIENT_IDENT naming the bound address %s was accepted", bound)
	}
}
