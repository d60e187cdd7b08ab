//go:build interop

package msgr2_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// cephx's types mirror msgr2's structurally (auth/cephx does not import
// msgr2); these adapters convert the named result types.
type cephxClient struct{ *cephx.Client }

func (c cephxClient) Done(gid uint64, mode uint32, p []byte) (msgr2.AuthResult, error) {
	r, err := c.Client.Done(gid, mode, p)
	return msgr2.AuthResult(r), err
}

type cephxServer struct{ *cephx.Server }

func (s cephxServer) NewSession(method uint32, peer encoding.EntityType, mode uint32, n int) (msgr2.AuthServerSession, error) {
	sess, err := s.Server.NewSession(method, peer, mode, n)
	if err != nil {
		return nil, err
	}
	return cephxSession{sess}, nil
}

type cephxSession struct{ *cephx.Session }

func (s cephxSession) Result() msgr2.AuthServerResult {
	return msgr2.AuthServerResult(s.Session.Result())
}

// TestInteropSecureClientRealMon: kelp's connecting side with cephx
// against a real ceph-mon, msgr2.1 and msgr2.0, in secure mode
// (AES-128-GCM) and in crc mode (where AUTH_SIGNATURE is a real HMAC).
func TestInteropSecureClientRealMon(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{Auth: "cephx"})
	key, err := auth.ParseKey(cl.AdminKey)
	if err != nil {
		t.Fatal(err)
	}
	admin := encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}
	type variant struct {
		rev1 bool
		mode uint32
	}
	for _, v := range []variant{{true, msgr2.ConModeSecure}, {false, msgr2.ConModeSecure}, {true, msgr2.ConModeCRC}, {false, msgr2.ConModeCRC}} {
		rev1, mode := v.rev1, v.mode
		t.Run(fmt.Sprintf("%s/rev1=%v", msgr2.ConModeName(mode), rev1), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			in := make(inbox, 16)
			c := cephx.NewClient(admin, key)
			m := msgr2.NewMessenger(msgr2.Config{Name: admin, Registry: msg.NewRegistry(), Dispatcher: in, DisableRev1: !rev1,
				NewAuthClient:  func(encoding.EntityType) msgr2.AuthClient { return cephxClient{c} },
				MonClientModes: []uint32{mode}})
			defer m.Close()
			conn, err := m.Dial(ctx, cl.MonAddrs, encoding.EntityMon)
			if err != nil {
				t.Fatalf("%v\n%s", err, cl.LogTail("mon.a"))
			}
			if conn.ConMode() != mode {
				t.Fatalf("mode %s", msgr2.ConModeName(conn.ConMode()))
			}
			conn.Send(&msg.MonGetMap{})
			mm := in.next(t, ctx, msg.TypeMonMap).(*msg.MonMap)
			if d, err := monmap.Decode(mm.MonMapBytes); err != nil || d.FSID != cl.FSID {
				t.Fatalf("monmap: %v", err)
			}
			cmd := &msg.MonCommand{Paxos: msg.NewPaxosHeader(0), FSID: cl.FSID, Cmd: []string{`{"prefix": "get_command_descriptions"}`}}
			cmd.Hdr.Tid = 3
			conn.Send(cmd)
			ack := in.next(t, ctx, msg.TypeMonCommandAck).(*msg.MonCommandAck)
			if ack.R != 0 || len(ack.OutBL) < 10000 {
				t.Fatalf("command descriptions: r %d, %d bytes", ack.R, len(ack.OutBL))
			}
			t.Logf("%s session: %d-byte command descriptions", msgr2.ConModeName(mode), len(ack.OutBL))
		})
	}
}

// modeRecorder notes the mode of the connection messages arrive on.
type modeRecorder struct {
	*fakeMon
	modes chan uint32
}

func (r modeRecorder) Dispatch(c *msgr2.Conn, m msgr2.Message) {
	select {
	case r.modes <- c.ConMode():
	default:
	}
	r.fakeMon.Dispatch(c, m)
}

// TestInteropSecureServerRealCLI: the real ceph CLI with
// ms_mon_client_mode = secure completes a cephx handshake with kelp's
// accepting side and its first messages arrive over AES-GCM.
func TestInteropSecureServerRealCLI(t *testing.T) {
	harness.RequireBinaries(t, "ceph")
	for _, mode := range []string{"secure", "crc"} {
		t.Run(mode, func(t *testing.T) { cephxServerRealCLI(t, mode) })
	}
}

func cephxServerRealCLI(t *testing.T, mode string) {
	admin := encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}
	ks := cephx.NewKeyServer()
	adminKey, _ := ks.GenerateSecret()
	ks.SetEntity(admin, auth.EntityAuth{Key: adminKey, Caps: auth.Caps{"mon": "allow *"}})
	if _, err := ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	var gid uint64 = 5000
	srv := &cephx.Server{Keys: ks, Config: cephx.DefaultServerConfig(), Self: encoding.EntityName{Type: encoding.EntityMon},
		AllocGlobalID: func() (uint64, error) { gid++; return gid, nil }}
	fm := &fakeMon{got: make(inbox, 32)}
	rec := modeRecorder{fm, make(chan uint32, 32)}
	m := msgr2.NewMessenger(msgr2.Config{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "a"},
		Registry: msg.NewRegistry(), Dispatcher: rec, AuthServer: cephxServer{srv}})
	defer m.Close()
	addrs, err := m.Listen(encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: mustAddrPort(fmt.Sprintf("127.0.0.1:%d", harness.FreePort(t)))}})
	if err != nil {
		t.Fatal(err)
	}
	fsid := encoding.NewUUID()
	mm := monmap.New(fsid, encoding.UTimeOf(time.Now()))
	mm.Epoch = 1
	mm.Add("a", addrs)
	fm.mm = mm.Encode(encoding.FeaturesPacific)
	dir := t.TempDir()
	kr := auth.NewKeyRing()
	kr.Add(admin, auth.EntityAuth{Key: adminKey})
	ring := filepath.Join(dir, "keyring")
	os.WriteFile(ring, []byte(kr.Text()), 0o600)
	conf := filepath.Join(dir, "ceph.conf")
	harness.WriteConf(conf, addrs.String(), "cephx", map[string]string{"fsid": fsid.String(), "keyring": ring,
		"ms_mon_client_mode": mode, "log file": "/dev/null"})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cliCtx, kill := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { harness.RunCeph(cliCtx, conf, "mon", "stat"); close(done) }()
	defer func() { kill(); <-done }()
	fm.got.next(t, ctx, msg.TypeMonGetMap)
	sub := fm.got.next(t, ctx, msg.TypeMonSubscribe).(*msg.MonSubscribe)
	if got := msgr2.ConModeName(<-rec.modes); got != mode {
		t.Fatalf("CLI connected in %s mode, want %s", got, mode)
	}
	t.Logf("CLI over %s mode with cephx: mon_getmap, mon_subscribe %v", mode, sub.What)
}
