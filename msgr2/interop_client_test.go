//go:build interop

package msgr2_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// inbox collects dispatched messages for a test.
type inbox chan msgr2.Message

func (in inbox) Dispatch(_ *msgr2.Conn, m msgr2.Message) { in <- m }

// next waits for the next message of type typ, skipping others.
func (in inbox) next(t *testing.T, ctx context.Context, typ uint16) msgr2.Message {
	t.Helper()
	for {
		select {
		case m := <-in:
			if m.Type() == typ {
				return m
			}
			t.Logf("skipping message type %d", m.Type())
		case <-ctx.Done():
			t.Fatalf("no message of type %d: %v", typ, ctx.Err())
		}
	}
}

// TestInteropClientRealMon: kelp's connecting side against a real
// ceph-mon 16.2 with auth none, in crc mode, msgr2.1 and msgr2.0: the
// handshake completes, mon_getmap gets a MonMap that decodes, a subscribe
// gets config and monmap, and a mon_command gets its ack.
func TestInteropClientRealMon(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{Auth: "none", Conf: map[string]string{"debug ms": "5"}})
	for _, rev1 := range []bool{true, false} {
		name := "msgr2.1"
		if !rev1 {
			name = "msgr2.0"
		}
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			in := make(inbox, 16)
			m := msgr2.NewMessenger(msgr2.Config{
				Name:        encoding.EntityName{Type: encoding.EntityClient, ID: "admin"},
				Registry:    msg.NewRegistry(),
				Dispatcher:  in,
				DisableRev1: !rev1,
			})
			defer m.Close()
			c, err := m.Dial(ctx, cl.MonAddrs, encoding.EntityMon)
			if err != nil {
				t.Fatalf("dial: %v\n%s", err, cl.LogTail("mon.a"))
			}
			if c.ConMode() != msgr2.ConModeCRC {
				t.Fatalf("mode %s, want crc", msgr2.ConModeName(c.ConMode()))
			}
			if c.AuthResult().GlobalID == 0 {
				t.Fatal("mon assigned no global id")
			}
			t.Logf("connected: peer %s, global id %d, features %#x", c.PeerName(), c.AuthResult().GlobalID, c.Features())

			c.Send(&msg.MonGetMap{})
			mm := in.next(t, ctx, msg.TypeMonMap).(*msg.MonMap)
			decoded, err := monmap.Decode(mm.MonMapBytes)
			if err != nil {
				t.Fatalf("monmap from the real mon does not decode: %v", err)
			}
			if decoded.FSID != cl.FSID || len(decoded.Mons) != 1 {
				t.Fatalf("monmap fsid %s mons %d, want %s and 1", decoded.FSID, len(decoded.Mons), cl.FSID)
			}

			c.Send(&msg.MonSubscribe{What: map[string]msg.SubscribeItem{"config": {}, "monmap": {}}, Hostname: "kelp"})
			cfg := in.next(t, ctx, msg.TypeConfig).(*msg.Config)
			t.Logf("config: %d keys", len(cfg.Config))
			in.next(t, ctx, msg.TypeMonMap)

			c.Send(&msg.MonGetVersion{Handle: 7, What: "osdmap"})
			gv := in.next(t, ctx, msg.TypeMonGetVersionReply).(*msg.MonGetVersionReply)
			if gv.Handle != 7 || gv.Latest < 1 {
				t.Fatalf("get_version reply %+v", gv)
			}

			cmd := &msg.MonCommand{Paxos: msg.NewPaxosHeader(0), FSID: cl.FSID, Cmd: []string{`{"prefix": "mon dump", "format": "json"}`}}
			cmd.Hdr.Tid = 42
			c.Send(cmd)
			ack := in.next(t, ctx, msg.TypeMonCommandAck).(*msg.MonCommandAck)
			if ack.Hdr.Tid != 42 || ack.R != 0 {
				t.Fatalf("mon_command_ack tid %d r %d rs %q", ack.Hdr.Tid, ack.R, ack.RS)
			}
			var dump struct{ FSID string }
			if err := json.Unmarshal(ack.OutBL, &dump); err != nil || dump.FSID != cl.FSID.String() {
				t.Fatalf("mon dump output %q: %v", ack.OutBL, err)
			}
		})
	}
}

func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
