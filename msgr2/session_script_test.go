package msgr2

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// scriptedPeer accepts connections and runs the accepting handshake, then
// hands each connection's Framer to the next script: tests drive the
// session phase frame by frame.
func scriptedPeer(t *testing.T, name string, scripts ...func(f *Framer)) encoding.EntityAddrVec {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	n, _ := encoding.ParseEntityName(name)
	cfg := Config{Name: n, Logger: testLogger(t)}
	cfg.setDefaults()
	go func() {
		for _, script := range scripts {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			f := NewFramer(nc)
			h := &serverHandshake{f: f, cfg: &cfg, log: cfg.Logger, auth: &AuthNoneServer{}}
			if err := h.run(); err != nil {
				t.Errorf("scripted handshake: %v", err)
				nc.Close()
				return
			}
			f.SetLimits(cfg.segmentLimits())
			script(f)
			nc.Close()
		}
	}()
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	return encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: ap}}
}

func expect[T controlFrame](t *testing.T, f *Framer, cf T) T {
	t.Helper()
	if err := readExpected(f, cf); err != nil {
		t.Errorf("scripted peer: %v", err)
	}
	return cf
}

func send(t *testing.T, f *Framer, cf controlFrame) {
	t.Helper()
	if err := f.writeControl(cf); err != nil {
		t.Errorf("scripted peer: %v", err)
	}
}

func serverIdent(addrs encoding.EntityAddrVec, cookie uint64) *ServerIdentFrame {
	return &ServerIdentFrame{Addrs: addrs, GID: 1, GlobalSeq: 5, Features: encoding.FeaturesPacific, Cookie: cookie}
}

// TestClientSessionFrames drives a lossless client through
// SESSION_RETRY_GLOBAL, SERVER_IDENT, then after a fault
// SESSION_RECONNECT answered by SESSION_RETRY, SESSION_RESET and a fresh
// CLIENT_IDENT.
func TestClientSessionFrames(t *testing.T) {
	var addrs encoding.EntityAddrVec
	var ci2 *ClientIdentFrame
	done := make(chan struct{})
	addrs = scriptedPeer(t, "osd.1",
		func(f *Framer) {
			ci1 := expect(t, f, &ClientIdentFrame{})
			if ci1.Flags&connectFlagLossy != 0 || ci1.Cookie == 0 {
				t.Errorf("client ident %+v", ci1)
			}
			send(t, f, retryGlobalFrame(ci1.GlobalSeq+100))
			ci2 = expect(t, f, &ClientIdentFrame{})
			if ci2.GlobalSeq <= ci1.GlobalSeq+100 || ci2.Cookie != ci1.Cookie {
				t.Errorf("after RETRY_GLOBAL: %+v", ci2)
			}
			send(t, f, serverIdent(addrs, 77))
			fr, err := f.ReadFrame()
			if err != nil || fr.Tag != TagMessage {
				t.Errorf("message: %v %v", fr, err)
			}
		},
		func(f *Framer) {
			rc := expect(t, f, &ReconnectFrame{})
			if rc.ClientCookie != ci2.Cookie || rc.ServerCookie != 77 || rc.ConnectSeq != 1 || rc.MsgSeq != 0 {
				t.Errorf("reconnect %+v", rc)
			}
			send(t, f, retryFrame(4))
			rc = expect(t, f, &ReconnectFrame{})
			if rc.ConnectSeq != 5 {
				t.Errorf("after RETRY(4): connect_seq %d", rc.ConnectSeq)
			}
			send(t, f, &ResetFrame{Full: true})
			ci3 := expect(t, f, &ClientIdentFrame{})
			if ci3.Cookie == ci2.Cookie || ci3.Cookie == 0 {
				t.Errorf("after SESSION_RESET the client kept its cookie")
			}
			send(t, f, serverIdent(addrs, 78))
			close(done)
			f.ReadFrame()
		})
	cli, _ := newTestMessenger(t, "osd.0", Config{ReconnectBackoff: time.Millisecond})
	c := dial(t, cli, addrs, encoding.EntityOSD)
	c.Send(&seqMsg{N: 1})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("script did not finish")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		ok := c.serverCookie == 78 && c.state == stateOpen
		c.mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("client did not open the new session")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestClientIdentMissingFeatures(t *testing.T) {
	addrs := scriptedPeer(t, "mon.a", func(f *Framer) {
		expect(t, f, &ClientIdentFrame{})
		send(t, f, missingFeaturesFrame(1<<60))
		f.ReadFrame()
	})
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := cli.Dial(ctx, addrs, encoding.EntityMon)
	if !errors.Is(err, errMissingFeats) {
		t.Fatalf("dial: %v", err)
	}
}

func TestClientWait(t *testing.T) {
	addrs := scriptedPeer(t, "osd.1", func(f *Framer) {
		expect(t, f, &ClientIdentFrame{})
		send(t, f, &WaitFrame{})
		f.ReadFrame()
	})
	cli, _ := newTestMessenger(t, "osd.0", Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	// After WAIT the session is the peer's to open: Dial waits for it.
	if _, err := cli.Dial(ctx, addrs, encoding.EntityOSD); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("dial after WAIT: %v", err)
	}
}

// scriptedClient connects to addrs and runs the connecting handshake as
// name, returning the Framer for the session phase.
func scriptedClient(t *testing.T, addrs encoding.EntityAddrVec, name string, peer encoding.EntityType) *Framer {
	t.Helper()
	nc, err := net.Dial("tcp", addrs[0].Addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	n, _ := encoding.ParseEntityName(name)
	cfg := Config{Name: n}
	cfg.setDefaults()
	f := NewFramer(nc)
	h := &clientHandshake{f: f, cfg: &cfg, log: testLogger(t), peerType: peer, target: addrs[0], auth: &AuthNoneClient{Name: n}}
	if err := h.run(); err != nil {
		t.Fatal(err)
	}
	f.SetLimits(cfg.segmentLimits())
	return f
}

// TestServerSessionFrames drives kelp's accepting side: reconnects to an
// unknown or stale session are reset, stale global_seq and connect_seq
// are answered with retries, and a client lacking required features gets
// IDENT_MISSING_FEATURES.
func TestServerSessionFrames(t *testing.T) {
	srv, _ := newTestMessenger(t, "osd.1", Config{RequiredFeatures: uint64(encoding.FeatureServerPacific)})
	addrs := listen(t, srv)
	me := encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Nonce: 9, Addr: mustAP("127.0.0.1:1")}}

	f := scriptedClient(t, addrs, "osd.0", encoding.EntityOSD)
	send(t, f, &ReconnectFrame{Addrs: me, ClientCookie: 1, ServerCookie: 2, GlobalSeq: 1, ConnectSeq: 1})
	if rst := expect(t, f, &ResetFrame{}); !rst.Full {
		t.Fatal("reset not full")
	}
	send(t, f, &ClientIdentFrame{Addrs: me, Target: addrs[0], GlobalSeq: 10, Features: encoding.FeaturesPacific &^ uint64(encoding.FeatureServerPacific), Cookie: 5})
	if mf := expect(t, f, missingFeaturesFrame(0)); mf.V&(1<<20) == 0 {
		t.Fatalf("missing features %#x", mf.V)
	}
	send(t, f, &ClientIdentFrame{Addrs: me, Target: addrs[0], GlobalSeq: 10, Features: encoding.FeaturesPacific, Cookie: 5})
	si := expect(t, f, &ServerIdentFrame{})
	if si.Cookie == 0 || si.Flags&connectFlagLossy != 0 {
		t.Fatalf("server ident %+v", si)
	}
	f.conn.(net.Conn).Close()

	// Reconnect with a stale global_seq, then a stale connect_seq.
	f = scriptedClient(t, addrs, "osd.0", encoding.EntityOSD)
	send(t, f, &ReconnectFrame{Addrs: me, ClientCookie: 5, ServerCookie: si.Cookie, GlobalSeq: 3, ConnectSeq: 1})
	if rg := expect(t, f, retryGlobalFrame(0)); rg.V != 10 {
		t.Fatalf("retry global %d", rg.V)
	}
	send(t, f, &ReconnectFrame{Addrs: me, ClientCookie: 5, ServerCookie: si.Cookie, GlobalSeq: 11, ConnectSeq: 1})
	if ok := expect(t, f, reconnectOKFrame(0)); ok.V != 0 {
		t.Fatalf("reconnect ok %d", ok.V)
	}
	f.conn.(net.Conn).Close()
	f = scriptedClient(t, addrs, "osd.0", encoding.EntityOSD)
	send(t, f, &ReconnectFrame{Addrs: me, ClientCookie: 5, ServerCookie: si.Cookie, GlobalSeq: 12, ConnectSeq: 0})
	if r := expect(t, f, retryFrame(0)); r.V != 1 {
		t.Fatalf("retry connect_seq %d", r.V)
	}
	send(t, f, &ReconnectFrame{Addrs: me, ClientCookie: 5, ServerCookie: si.Cookie, GlobalSeq: 12, ConnectSeq: 2})
	expect(t, f, reconnectOKFrame(0))
	// A reconnect from another client incarnation (cookie) is reset; a
	// lossless peer policy has no resetcheck, so not fully.
	f2 := scriptedClient(t, addrs, "osd.0", encoding.EntityOSD)
	send(t, f2, &ReconnectFrame{Addrs: me, ClientCookie: 6, ServerCookie: si.Cookie, GlobalSeq: 13, ConnectSeq: 3})
	if rst := expect(t, f2, &ResetFrame{}); rst.Full {
		t.Fatal("full reset without resetcheck")
	}
}

// TestClientNonFullReset: after SESSION_RESET(full=false) the client opens
// a new session under the same cookie and sends its unacknowledged
// messages again (ProtocolV2::handle_session_reset).
func TestClientNonFullReset(t *testing.T) {
	var addrs encoding.EntityAddrVec
	var cookie uint64
	got := make(chan uint64, 4)
	readMsg := func(f *Framer) {
		fr, err := f.ReadFrame()
		if err != nil || fr.Tag != TagMessage {
			t.Errorf("message: %v %v", fr, err)
			return
		}
		h, _, _ := decodeHeader2(fr.Segments[0])
		got <- h.Seq
	}
	addrs = scriptedPeer(t, "osd.1",
		func(f *Framer) {
			cookie = expect(t, f, &ClientIdentFrame{}).Cookie
			send(t, f, serverIdent(addrs, 77))
			readMsg(f)
		},
		func(f *Framer) {
			expect(t, f, &ReconnectFrame{})
			send(t, f, &ResetFrame{Full: false})
			if ci := expect(t, f, &ClientIdentFrame{}); ci.Cookie != cookie {
				t.Errorf("cookie changed on a non-full reset")
			}
			send(t, f, serverIdent(addrs, 78))
			readMsg(f)
			f.ReadFrame()
		})
	cli, _ := newTestMessenger(t, "osd.0", Config{ReconnectBackoff: time.Millisecond})
	c := dial(t, cli, addrs, encoding.EntityOSD)
	c.Send(&seqMsg{N: 1})
	for i := 0; i < 2; i++ {
		select {
		case seq := <-got:
			if seq != 1 {
				t.Fatalf("message seq %d", seq)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("message not (re)sent")
		}
	}
}
