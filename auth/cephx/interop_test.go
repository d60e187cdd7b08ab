//go:build interop

package cephx_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// inbox collects dispatched messages.
type inbox chan msgr2.Message

func (in inbox) Dispatch(_ *msgr2.Conn, m msgr2.Message) {
	select {
	case in <- m:
	default:
	}
}

func (in inbox) next(t *testing.T, ctx context.Context, typ uint16) msgr2.Message {
	t.Helper()
	for {
		select {
		case m := <-in:
			if m.Type() == typ {
				return m
			}
		case <-ctx.Done():
			t.Fatalf("no message of type %d: %v", typ, ctx.Err())
		}
	}
}

func kelpMessenger(name encoding.EntityName, c *cephx.Client, in inbox) *msgr2.Messenger {
	return msgr2.NewMessenger(msgr2.Config{
		Name:     name,
		Registry: msg.NewRegistry(),
		NewAuthClient: func(peer encoding.EntityType) msgr2.AuthClient {
			if peer == encoding.EntityMon {
				return msgr2Client{c}
			}
			return msgr2ServiceClient{&cephx.ServiceClient{Client: c, Service: peer}}
		},
		MonClientModes: []uint32{msgr2.ConModeSecure},
		Dispatcher:     in,
	})
}

// mauth sends one cephx request in an MAuth and feeds the reply to c.
func mauth(t *testing.T, ctx context.Context, conn *msgr2.Conn, in inbox, c *cephx.Client, payload []byte) {
	t.Helper()
	if err := conn.Send(&msg.Auth{Paxos: msg.NewPaxosHeader(0), Protocol: cephx.MethodCephx, AuthPayload: payload}); err != nil {
		t.Fatal(err)
	}
	r := in.next(t, ctx, msg.TypeAuthReply).(*msg.AuthReply)
	if err := c.HandleMAuthReply(r.Result, r.ResultBL); err != nil {
		t.Fatalf("MAuthReply (result %d): %v", r.Result, err)
	}
}

type osdDump struct {
	OSDs []struct {
		OSD         int `json:"osd"`
		PublicAddrs struct {
			AddrVec []struct {
				Type  string `json:"type"`
				Addr  string `json:"addr"`
				Nonce uint32 `json:"nonce"`
			} `json:"addrvec"`
		} `json:"public_addrs"`
	} `json:"osds"`
}

// TestInteropClientRealMon: kelp's cephx client authenticates to a real
// ceph-mon as client.admin in secure mode, gets the monmap, fetches an osd
// ticket with CEPHX_GET_PRINCIPAL_SESSION_KEY in an MAuth and opens a
// connection to a real ceph-osd with it (authorizer and CEPHX_V2
// challenge). As osd.0 it fetches the OSD rotating secrets
// (CEPHX_GET_ROTATING_KEY) and with them opens the real mon's ticket.
func TestInteropClientRealMon(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{OSDs: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	adminKey, err := auth.ParseKey(cl.AdminKey)
	if err != nil {
		t.Fatal(err)
	}
	monAddrs := encoding.EntityAddrVec{cl.MonAddrs[0]}

	c := cephx.NewClient(name(t, "client.admin"), adminKey)
	c.Want = uint32(encoding.EntityMon) // the osd ticket comes later, by MAuth
	in := make(inbox, 64)
	m := kelpMessenger(name(t, "client.admin"), c, in)
	defer m.Close()
	conn, err := m.Dial(ctx, monAddrs, encoding.EntityMon)
	if err != nil {
		t.Fatal(err)
	}
	if conn.ConMode() != msgr2.ConModeSecure || len(conn.AuthResult().ConnectionSecret) != cephx.SecureSecretLen {
		t.Fatalf("mode %d, secret %d bytes", conn.ConMode(), len(conn.AuthResult().ConnectionSecret))
	}
	if c.GlobalID() == 0 {
		t.Fatal("no global_id")
	}
	conn.Send(&msg.MonGetMap{})
	mm, err := monmap.Decode(in.next(t, ctx, msg.TypeMonMap).(*msg.MonMap).MonMapBytes)
	if err != nil {
		t.Fatal(err)
	}
	if mm.FSID != cl.FSID {
		t.Fatalf("monmap fsid %s, cluster %s", mm.FSID, cl.FSID)
	}
	if c.Ticket(encoding.EntityOSD) != nil {
		t.Fatal("osd ticket before asking")
	}
	req, err := c.ServiceTicketRequest(uint32(encoding.EntityOSD))
	if err != nil {
		t.Fatal(err)
	}
	mauth(t, ctx, conn, in, c, req)
	if !c.Ticket(encoding.EntityOSD).HaveKey(time.Now()) {
		t.Fatal("no osd ticket from the real mon")
	}

	// The ticket opens a session with the real OSD, once it is up.
	var osdAddrs encoding.EntityAddrVec
	for len(osdAddrs) == 0 {
		out, err := cl.Ceph(ctx, "osd", "dump", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var od osdDump
		if err := json.Unmarshal([]byte(out), &od); err != nil || len(od.OSDs) == 0 {
			t.Fatalf("osd dump: %v %s", err, out)
		}
		for _, a := range od.OSDs[0].PublicAddrs.AddrVec {
			if a.Type == "v2" {
				ap, err := netip.ParseAddrPort(a.Addr)
				if err != nil {
					t.Fatal(err)
				}
				osdAddrs = append(osdAddrs, encoding.EntityAddr{Type: encoding.AddrMsgr2, Nonce: a.Nonce, Addr: ap})
			}
		}
		if len(osdAddrs) == 0 {
			select {
			case <-ctx.Done():
				t.Fatalf("osd.0 never came up:\n%s", cl.LogTail("osd.0"))
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	oconn, err := m.Dial(ctx, osdAddrs, encoding.EntityOSD)
	if err != nil {
		t.Fatalf("real OSD refused kelp's authorizer: %v", err)
	}
	t.Logf("osd connection mode %d, secret %d bytes", oconn.ConMode(), len(oconn.AuthResult().ConnectionSecret))

	// As osd.0: rotating secrets, then open the admin's osd ticket as the
	// OSD does.
	kr, err := auth.LoadKeyRing(filepath.Join(cl.Dir, "osd.0", "keyring"))
	if err != nil {
		t.Fatal(err)
	}
	osdEnt, _ := kr.Get(name(t, "osd.0"))
	oc := cephx.NewClient(name(t, "osd.0"), osdEnt.Key)
	oin := make(inbox, 64)
	om := kelpMessenger(name(t, "osd.0"), oc, oin)
	defer om.Close()
	oconnMon, err := om.Dial(ctx, monAddrs, encoding.EntityMon)
	if err != nil {
		t.Fatal(err)
	}
	mauth(t, ctx, oconnMon, oin, oc, oc.RotatingRequest())
	rs, ok := oc.RotatingSecrets()
	if !ok || len(rs.Secrets) == 0 {
		t.Fatal("no rotating secrets")
	}
	v := &cephx.AuthorizerVerifier{Keys: rotatingStore{encoding.EntityOSD, rs}, Self: name(t, "osd.0"), Rand: rand.Reader, Now: time.Now}
	a, err := c.Authorizer(encoding.EntityOSD)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(encoding.NewDecoder(a.Payload), 0, true, nil)
	if err != nil {
		t.Fatalf("real mon's osd ticket: %v", err)
	}
	if res.Info.Ticket.Name.String() != "client.admin" || res.Info.Ticket.GlobalID != c.GlobalID() {
		t.Fatalf("ticket %+v", res.Info.Ticket)
	}
	if s, _ := res.Info.Ticket.Caps.CapString(); s != "allow *" {
		t.Fatalf("ticket caps %q", s)
	}
	if _, err := a.VerifyReply(res.Reply); err != nil {
		t.Fatal(err)
	}
}

// fakeMon answers the CLI's first steps and records who authenticated.
type fakeMon struct {
	mm    []byte
	got   inbox
	peers chan msgr2.AuthServerResult
}

func (f *fakeMon) Dispatch(c *msgr2.Conn, m msgr2.Message) {
	select {
	case f.peers <- c.AuthServerResult():
	default:
	}
	f.got.Dispatch(c, m)
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

// TestInteropRealCLIKelpServer: the real ceph CLI authenticates with cephx
// to a kelp messenger using cephx.Server (secure mode, its default); with
// a wrong key or as an unknown entity it is refused as a real monitor
// refuses it: "[errno 13] RADOS permission denied", exit status 13, and
// nothing is dispatched.
func TestInteropRealCLIKelpServer(t *testing.T) {
	harness.RequireBinaries(t, "ceph")
	ks := cephx.NewKeyServer()
	adminKey, _ := ks.GenerateSecret()
	ks.SetEntity(name(t, "client.admin"), auth.EntityAuth{Key: adminKey, Caps: auth.Caps{"mon": "allow *"}})
	if _, err := ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	var gid uint64 = 4000
	srv := &cephx.Server{Keys: ks, Config: cephx.DefaultServerConfig(), Self: name(t, "mon."),
		AllocGlobalID: func() (uint64, error) { gid++; return gid, nil }}
	fm := &fakeMon{got: make(inbox, 64), peers: make(chan msgr2.AuthServerResult, 64)}
	m := msgr2.NewMessenger(msgr2.Config{
		Name:       name(t, "mon.a"),
		Registry:   msg.NewRegistry(),
		Dispatcher: fm,
		AuthServer: msgr2Server{srv},
	})
	defer m.Close()
	port := harness.FreePort(t)
	addrs, err := m.Listen(encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", port))}})
	if err != nil {
		t.Fatal(err)
	}
	fsid := encoding.NewUUID()
	mm := monmap.New(fsid, encoding.UTimeOf(time.Now()))
	mm.Epoch = 1
	if err := mm.Add("a", addrs); err != nil {
		t.Fatal(err)
	}
	fm.mm = mm.Encode(encoding.FeaturesPacific)

	dir := t.TempDir()
	conf := filepath.Join(dir, "ceph.conf")
	if err := harness.WriteConf(conf, addrs.String(), "cephx", map[string]string{"fsid": fsid.String(), "log file": "/dev/null"}); err != nil {
		t.Fatal(err)
	}
	writeRing := func(file, entity string, k auth.CryptoKey) string {
		kr := auth.NewKeyRing()
		kr.Add(name(t, entity), auth.EntityAuth{Key: k})
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, []byte(kr.Text()), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := writeRing("good", "client.admin", adminKey)
	wrongKey, _ := auth.GenerateKey(rand.Reader, time.Now())
	wrong := writeRing("wrong", "client.admin", wrongKey)
	nobody := writeRing("nobody", "client.nobody", adminKey)

	for _, mode := range []string{"secure crc", "crc"} {
		t.Run("right key "+mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cliCtx, kill := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() {
				_, _, err := harness.RunCeph(cliCtx, conf, "--keyring", good, "--ms_mon_client_mode", mode, "mon", "stat")
				done <- err
			}()
			defer func() { kill(); <-done }()
			for len(fm.peers) > 0 {
				<-fm.peers
			}
			fm.got.next(t, ctx, msg.TypeMonGetMap)
			res := <-fm.peers
			// In secure mode the secret is as long as the messenger asked
			// for (a real mon makes 64 bytes, AES-GCM uses the first 40);
			// crc mode has none.
			wantSecret := len(res.ConnectionSecret) >= msgr2.SecureSecretLen
			if mode == "crc" {
				wantSecret = len(res.ConnectionSecret) == 0
			}
			if res.Entity.String() != "client.admin" || res.GlobalID <= 4000 || !wantSecret {
				t.Fatalf("authenticated peer %+v", res)
			}
			if s, _ := res.Info.(*cephx.PeerInfo).Caps.CapString(); s != "allow *" {
				t.Fatalf("peer caps %q", s)
			}
		})
	}
	refused := func(t *testing.T, args ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for len(fm.got) > 0 {
			<-fm.got
		}
		_, stderr, err := harness.RunCeph(ctx, conf, args...)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 13 || !strings.Contains(stderr, "[errno 13] RADOS permission denied") {
			t.Fatalf("CLI: %v\n%s", err, stderr)
		}
		if len(fm.got) != 0 {
			t.Fatalf("a refused client got %d messages dispatched", len(fm.got))
		}
	}
	t.Run("wrong key", func(t *testing.T) { refused(t, "--keyring", wrong, "mon", "stat") })
	t.Run("unknown entity", func(t *testing.T) { refused(t, "-n", "client.nobody", "--keyring", nobody, "mon", "stat") })
}
