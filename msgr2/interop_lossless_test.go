//go:build interop

package msgr2

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// seqInbox records the seq of every message dispatched, per connection.
type seqInbox struct{ ch chan MsgHeader }

func (s *seqInbox) Dispatch(c *Conn, m Message) { s.ch <- *m.Header() }

// TestInteropLosslessRealMon: a real ceph-mon (mon.a) whose monmap also
// names kelp's messenger as mon.b opens a lossless mon-to-mon session to
// it and keeps probing. Kelp cuts the TCP connection under the session,
// twice; the real monitor must resume the session with SESSION_RECONNECT,
// and the messages kelp dispatches must keep consecutive seqs: nothing
// lost, nothing twice.
func TestInteropLosslessRealMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "monmaptool", "ceph-authtool")
	dir := t.TempDir()
	fsid := encoding.NewUUID()
	a2, a1 := harness.FreePort(t), harness.FreePort(t)

	logs := &syncBuf{}
	reg := NewRegistry()
	for typ := uint16(1); typ < 0x700; typ++ {
		reg.Register(MessageType{Type: typ, Name: fmt.Sprint(typ), New: func() Message { return &RawMessage{} }})
	}
	in := &seqInbox{ch: make(chan MsgHeader, 256)}
	m := NewMessenger(Config{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "b"}, Num: 1,
		Registry: reg, Dispatcher: in, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	defer m.Close()
	kb := harness.FreePort(t)
	bAddrs, err := m.Listen(encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: mustAP(fmt.Sprintf("127.0.0.1:%d", kb))}})
	if err != nil {
		t.Fatal(err)
	}
	aAddrs := fmt.Sprintf("[v2:127.0.0.1:%d,v1:127.0.0.1:%d]", a2, a1)
	conf := filepath.Join(dir, "ceph.conf")
	if err := harness.WriteConf(conf, aAddrs+","+bAddrs.String(), "none", map[string]string{
		"fsid": fsid.String(), "run dir": dir, "log file": dir + "/$name.log", "admin socket": dir + "/$name.asok",
		"mon data": dir + "/$name", "keyring": dir + "/keyring", "debug ms": "1",
	}); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run("ceph-authtool", "--create-keyring", dir+"/keyring", "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
	run("monmaptool", "--create", "--fsid", fsid.String(), "--addv", "a", aAddrs, "--addv", "b", bAddrs.String(), dir+"/monmap")
	run("ceph-mon", "-c", conf, "--mkfs", "-i", "a", "--monmap", dir+"/monmap", "--keyring", dir+"/keyring")
	mon := exec.Command("ceph-mon", "-c", conf, "-f", "-i", "a")
	mon.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		mon.Process.Kill()
		mon.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(dir + "/mon.a.log")
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			t.Logf("mon.a log tail:\n%s\nkelp log:\n%s", b, logs.String())
		}
	}()

	var last MsgHeader
	next := func() MsgHeader {
		t.Helper()
		select {
		case h := <-in.ch:
			if h.Src.Type != encoding.EntityMon {
				t.Fatalf("message from %s", h.Src)
			}
			if last.Seq != 0 && h.Seq != last.Seq+1 {
				t.Fatalf("seq %d after %d: lost or duplicated across the reconnect", h.Seq, last.Seq)
			}
			last = h
			return h
		case <-time.After(20 * time.Second):
			t.Fatal("no message from the real monitor")
		}
		return MsgHeader{}
	}
	first := next()
	t.Logf("mon.a sent type %d seq %d", first.Type, first.Seq)
	for cut := 1; cut <= 2; cut++ {
		c := onlyConn(t, m)
		if c.policy.Lossy {
			t.Fatal("mon-to-mon session is lossy")
		}
		c.mu.Lock()
		tr := c.tr
		c.mu.Unlock()
		tr.nc.Close()
		want := `msg="msgr2: session resumed by peer"`
		deadline := time.Now().Add(20 * time.Second)
		for strings.Count(logs.String(), want) < cut {
			if time.Now().After(deadline) {
				t.Fatalf("the real monitor did not resume the session after cut %d", cut)
			}
			time.Sleep(20 * time.Millisecond)
		}
		h := next()
		t.Logf("after cut %d: type %d seq %d", cut, h.Type, h.Seq)
	}
}
