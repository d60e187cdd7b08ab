//go:build interop

package msg_test

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

var update = flag.Bool("update", false, "rewrite testdata from real Ceph sessions")

// rawRegistry keeps every message undecoded, so the bytes Ceph sent can be
// saved as they were.
func rawRegistry() *msgr2.Registry {
	r := msgr2.NewRegistry()
	for _, t := range []uint16{msg.TypeMonMap, msg.TypeMonGetMap, msg.TypeMonSubscribe, msg.TypeConfig,
		msg.TypeMonGetVersionReply, msg.TypeMonCommandAck} {
		r.Register(msgr2.MessageType{Type: t, Name: fmt.Sprint(t), New: func() msgr2.Message { return &msgr2.RawMessage{} }})
	}
	return r
}

type rawInbox chan *msgr2.RawMessage

func (in rawInbox) Dispatch(_ *msgr2.Conn, m msgr2.Message) { in <- m.(*msgr2.RawMessage) }

func (in rawInbox) next(t *testing.T, typ uint16) *msgr2.RawMessage {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m := <-in:
			if m.Hdr.Type == typ {
				return m
			}
		case <-timeout:
			t.Fatalf("no message of type %d", typ)
		}
	}
}

// save writes a message's segments as testdata/NAME.vVERSION.{front,data}.
func save(t *testing.T, name string, m *msgr2.RawMessage) {
	t.Helper()
	base := filepath.Join("testdata", fmt.Sprintf("%s.v%d", name, m.Hdr.Version))
	if err := os.WriteFile(base+".front", m.Front, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(m.Data) > 0 {
		if err := os.WriteFile(base+".data", m.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCaptureGolden records messages from a real ceph-mon 16.2 and the
// real ceph CLI (run with -update to rewrite testdata).
func TestCaptureGolden(t *testing.T) {
	if !*update {
		t.Skip("golden files are rewritten only with -update")
	}
	cl := harness.StartMon(t, harness.Options{Auth: "none"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// What the real mon sends.
	in := make(rawInbox, 32)
	m := msgr2.NewMessenger(msgr2.Config{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, Registry: rawRegistry(), Dispatcher: in})
	defer m.Close()
	c, err := m.Dial(ctx, cl.MonAddrs, encoding.EntityMon)
	if err != nil {
		t.Fatal(err)
	}
	c.Send(&msg.MonGetMap{})
	save(t, "mon_map", in.next(t, msg.TypeMonMap))
	c.Send(&msg.MonSubscribe{What: map[string]msg.SubscribeItem{"config": {}}})
	save(t, "config", in.next(t, msg.TypeConfig))
	c.Send(&msg.MonGetVersion{Handle: 1, What: "osdmap"})
	save(t, "mon_get_version_reply", in.next(t, msg.TypeMonGetVersionReply))
	cmd := &msg.MonCommand{Paxos: msg.NewPaxosHeader(0), FSID: cl.FSID, Cmd: []string{`{"prefix": "mon stat"}`}}
	c.Send(cmd)
	save(t, "mon_command_ack", in.next(t, msg.TypeMonCommandAck))

	// What the real CLI sends.
	srvIn := make(rawInbox, 32)
	srv := msgr2.NewMessenger(msgr2.Config{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "a"}, Registry: rawRegistry(), Dispatcher: srvIn})
	defer srv.Close()
	addrs, err := srv.Listen(encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: netip.AddrPortFrom(cl.MonAddrs[0].Addr.Addr(), 0)}})
	_ = addrs
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "ceph.conf")
	harness.WriteConf(conf, srv.Addrs().String(), "none", map[string]string{"log file": "/dev/null"})
	cliCtx, kill := context.WithCancel(ctx)
	defer kill()
	go harness.RunCeph(cliCtx, conf, "mon", "stat")
	save(t, "mon_getmap", srvIn.next(t, msg.TypeMonGetMap))
	sub := srvIn.next(t, msg.TypeMonSubscribe)
	// The CLI's hostname varies by machine; keep it, the decoder test
	// re-encodes whatever is there.
	save(t, "mon_subscribe", sub)
}
