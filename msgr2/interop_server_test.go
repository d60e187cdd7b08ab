//go:build interop

package msgr2_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// fakeMon answers just enough for the CLI's first steps: mon_getmap with a
// real MonMap, a subscribe with an empty config and the monmap.
type fakeMon struct {
	mm  []byte
	got inbox
}

func (f *fakeMon) Dispatch(c *msgr2.Conn, m msgr2.Message) {
	f.got <- m
	switch m := m.(type) {
	case *msg.MonGetMap:
		c.Send(&msg.MonMap{MonMapBytes: f.mm})
	case *msg.MonSubscribe:
		if _, ok := m.What["config"]; ok {
			c.Send(&msg.Config{Config: map[string]string{}})
		}
		if _, ok := m.What["monmap"]; ok {
			c.Send(&msg.MonMap{MonMapBytes: f.mm})
		}
	}
}

// TestInteropServerRealCLI: the real ceph CLI completes the handshake with
// kelp's accepting side (auth none) and its first messages arrive intact.
// With auth none the CLI can only offer crc: given ms_mon_client_mode =
// secure alone it refuses to connect at all (get_initial_auth_request
// returns -EACCES), so secure mode needs cephx (see the cephx interop
// test).
func TestInteropServerRealCLI(t *testing.T) {
	harness.RequireBinaries(t, "ceph")
	for _, mode := range []string{"crc", "secure crc", "crc secure"} {
		t.Run(mode, func(t *testing.T) {
			fsid := encoding.NewUUID()
			fm := &fakeMon{got: make(inbox, 32)}
			m := msgr2.NewMessenger(msgr2.Config{
				Name:       encoding.EntityName{Type: encoding.EntityMon, ID: "a"},
				Registry:   msg.NewRegistry(),
				Dispatcher: fm,
			})
			defer m.Close()
			port := harness.FreePort(t)
			addrs, err := m.Listen(encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: mustAddrPort(fmt.Sprintf("127.0.0.1:%d", port))}})
			if err != nil {
				t.Fatal(err)
			}
			mmap := monmap.New(fsid, encoding.UTimeOf(time.Now()))
			mmap.Epoch = 1
			if err := mmap.Add("a", addrs); err != nil {
				t.Fatal(err)
			}
			fm.mm = mmap.Encode(encoding.FeaturesPacific)

			conf := filepath.Join(t.TempDir(), "ceph.conf")
			if err := harness.WriteConf(conf, addrs.String(), "none", map[string]string{
				"fsid": fsid.String(), "ms_mon_client_mode": mode, "log file": "/dev/null",
			}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cliCtx, kill := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() {
				_, stderr, err := harness.RunCeph(cliCtx, conf, "--debug-ms=1", "mon", "stat")
				if err != nil {
					t.Logf("ceph CLI: %v\n%s", err, stderr)
				}
				done <- err
			}()
			defer func() { kill(); <-done }()

			gm := fm.got.next(t, ctx, msg.TypeMonGetMap)
			sub := fm.got.next(t, ctx, msg.TypeMonSubscribe).(*msg.MonSubscribe)
			if gm.Header().Src.Type != encoding.EntityClient {
				t.Fatalf("mon_getmap from %s", gm.Header().Src)
			}
			if _, ok := sub.What["monmap"]; !ok || sub.Hdr.Version != 3 {
				t.Fatalf("subscribe v%d %+v", sub.Hdr.Version, sub.What)
			}
			t.Logf("CLI sent mon_getmap and mon_subscribe v%d %v host %q", sub.Hdr.Version, sub.What, sub.Hostname)
		})
	}
}
