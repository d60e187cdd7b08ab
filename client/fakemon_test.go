package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// fakeMon is a minimal monitor on loopback (auth none) for testing the
// client's session logic without Ceph: it answers subscriptions with its
// monmap and commands by prefix ("ok", "enoent", "hang", "drop-once").
type fakeMon struct {
	m     *msgr2.Messenger
	addrs encoding.EntityAddrVec
	mm    *monmap.MonMap
	mmEnc []byte // guarded by mu: set after Listen, read by dispatch

	mu      sync.Mutex
	dropped map[uint64]bool // tids whose first delivery closed the session
	cmds    int
}

func startFakeMon(t *testing.T) *fakeMon {
	t.Helper()
	f := &fakeMon{dropped: map[uint64]bool{}}
	f.m = msgr2.NewMessenger(msgr2.Config{
		Name:       encoding.EntityName{Type: encoding.EntityMon, ID: "a"},
		Registry:   newRegistry(),
		Dispatcher: msgr2.DispatcherFunc(f.dispatch),
	})
	any, _ := encoding.ParseAddrVec("v2:127.0.0.1:0/0")
	bound, err := f.m.Listen(any)
	if err != nil {
		t.Fatal(err)
	}
	f.addrs = bound
	mm := monmap.New(encoding.NewUUID(), encoding.UTimeOf(time.Now()))
	mm.Add("a", bound)
	f.mu.Lock()
	f.mm, f.mmEnc = mm, mm.Encode(encoding.FeaturesPacific)
	f.mu.Unlock()
	t.Cleanup(func() { f.m.Close() })
	return f
}

func (f *fakeMon) dispatch(c *msgr2.Conn, m msgr2.Message) {
	switch m := m.(type) {
	case *msg.MonSubscribe:
		if _, ok := m.What["monmap"]; ok {
			f.mu.Lock()
			enc := f.mmEnc
			f.mu.Unlock()
			c.Send(&msg.MonMap{MonMapBytes: enc})
		}
	case *msg.MonGetVersion:
		c.Send(&msg.MonGetVersionReply{Handle: m.Handle, Latest: 7, OldestVersion: 1})
	case *msg.MonCommand:
		f.mu.Lock()
		f.cmds++
		f.mu.Unlock()
		ack := &msg.MonCommandAck{Paxos: msg.NewPaxosHeader(0), Cmd: m.Cmd}
		ack.Hdr.Tid = m.Hdr.Tid
		p := prefixOf(m.Cmd)
		f.mu.Lock()
		fsid := f.mm.FSID
		f.mu.Unlock()
		switch {
		case m.FSID != fsid:
			ack.R, ack.RS = -int32(syscall.EPERM), "wrong fsid"
		case p == "ok":
			ack.RS, ack.OutBL = "fine", []byte("out")
		case p == "enoent":
			ack.R, ack.RS = -int32(syscall.ENOENT), "no such thing"
		case p == "hang":
			return
		case p == "drop-once":
			f.mu.Lock()
			first := !f.dropped[m.Hdr.Tid]
			f.dropped[m.Hdr.Tid] = true
			f.mu.Unlock()
			if first {
				c.Close()
				return
			}
			ack.RS = "second time lucky"
		}
		c.Send(ack)
	}
}

// deadAddr is a loopback address nobody listens on.
func deadAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := l.Addr().String()
	l.Close()
	return "v2:" + a
}

func fakeOptions(monHost string) Options {
	return Options{
		Config:       conf.New(encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, "ceph"),
		MonHost:      monHost,
		AuthNone:     true,
		HuntInterval: 500 * time.Millisecond,
	}
}

// TestHuntFindsLiveMon: with dead monitors in mon_host the hunt still
// ends on the live one, and commands work there.
func TestHuntFindsLiveMon(t *testing.T) {
	f := startFakeMon(t)
	hosts := fmt.Sprintf("%s,%s,%s", deadAddr(t), f.addrs[0], deadAddr(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx, fakeOptions(hosts))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if name, _ := c.Mon(); name != "a" {
		t.Fatalf("session with mon %q, want a (named by the monmap)", name)
	}
	out, rs, err := c.MonCommand(ctx, `{"prefix": "ok"}`, nil)
	if err != nil || string(out) != "out" || rs != "fine" {
		t.Fatalf("ok: %q %q %v", out, rs, err)
	}
	_, rs, err = c.MonCommand(ctx, `{"prefix": "enoent"}`, nil)
	var ce *CommandError
	if !errors.Is(err, syscall.ENOENT) || !errors.As(err, &ce) || ce.Status != "no such thing" || rs != "no such thing" {
		t.Fatalf("enoent: %v", err)
	}
	if v, o, err := c.GetVersion(ctx, "osdmap"); v != 7 || o != 1 || err != nil {
		t.Fatalf("get_version: %d %d %v", v, o, err)
	}
}

// TestConnectNoMonitor: when nothing answers, Connect gives up at the
// deadline and says which monitors failed at which step.
func TestConnectNoMonitor(t *testing.T) {
	d1, d2 := deadAddr(t), deadAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	_, err := Connect(ctx, fakeOptions(d1+","+d2))
	var he *HuntError
	if !errors.As(err, &he) || len(he.Errs) != 2 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	for _, e := range he.Errs {
		if e.Step != "connect" || !strings.Contains(err.Error(), e.Addr) {
			t.Fatalf("mon error %+v", e)
		}
	}
	t.Log(err)
}

// TestCommandSurvivesSessionLoss: a monitor that drops the session
// while a command is in flight gets the command again on the next
// session, as MonClient resends its mon commands.
func TestCommandSurvivesSessionLoss(t *testing.T) {
	f := startFakeMon(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx, fakeOptions(f.addrs[0].String()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, rs, err := c.MonCommand(ctx, `{"prefix": "drop-once"}`, nil)
	if err != nil || rs != "second time lucky" {
		t.Fatalf("drop-once: %q %v", rs, err)
	}
	if st := c.Stats(); st.Sessions != 2 {
		t.Fatalf("sessions %d, want 2", st.Sessions)
	}
	// And the new session works for later calls.
	if _, _, err := c.MonCommand(ctx, `{"prefix": "ok"}`, nil); err != nil {
		t.Fatal(err)
	}
}

// TestCommandDeadline: a command the monitor never answers ends with the
// context's error, naming the monitor.
func TestCommandDeadline(t *testing.T) {
	f := startFakeMon(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx, fakeOptions(f.addrs[0].String()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sctx, scancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer scancel()
	_, _, err = c.MonCommand(sctx, map[string]any{"prefix": "hang"}, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "mon.a") {
		t.Fatalf("hang: %v", err)
	}
	c.mu.Lock()
	left := len(c.cmds)
	c.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d commands still pending after their deadline", left)
	}
}

// TestSubscribeMonmapAndClose: a subscriber gets the current monmap
// first; Close ends subscriptions and fails later calls.
func TestSubscribeMonmapAndClose(t *testing.T) {
	f := startFakeMon(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx, fakeOptions(f.addrs[0].String()))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.Subscribe(ctx, "monmap")
	if err != nil {
		t.Fatal(err)
	}
	u := <-ch
	if m, ok := u.Map.(*monmap.MonMap); !ok || m.FSID != f.mm.FSID {
		t.Fatalf("update %+v", u)
	}
	if _, err := c.Subscribe(ctx, "pgmap"); err == nil {
		t.Fatal("subscribed to pgmap")
	}
	c.Close()
	for range ch {
	}
	if _, _, err := c.MonCommand(ctx, `{"prefix": "ok"}`, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	c.Close() // twice is fine
}
