package cephx_test

import (
	"bytes"
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// The msgr2 contract names its own result types, so cephx's Client,
// Server and Session satisfy it through these one-line adapters (the
// result structs share msgr2's layout and convert). The messenger or the
// monitor wires cephx in with the same adapters.
type msgr2Client struct{ *cephx.Client }

func (c msgr2Client) Done(g uint64, m uint32, p []byte) (msgr2.AuthResult, error) {
	r, err := c.Client.Done(g, m, p)
	return msgr2.AuthResult(r), err
}

type msgr2ServiceClient struct{ *cephx.ServiceClient }

func (c msgr2ServiceClient) Done(g uint64, m uint32, p []byte) (msgr2.AuthResult, error) {
	r, err := c.ServiceClient.Done(g, m, p)
	return msgr2.AuthResult(r), err
}

type msgr2Server struct{ *cephx.Server }

func (s msgr2Server) NewSession(method uint32, peer encoding.EntityType, conMode uint32, secretLen int) (msgr2.AuthServerSession, error) {
	sess, err := s.Server.NewSession(method, peer, conMode, secretLen)
	if err != nil {
		return nil, err
	}
	return msgr2Session{sess}, nil
}

type msgr2Session struct{ *cephx.Session }

func (s msgr2Session) Result() msgr2.AuthServerResult {
	return msgr2.AuthServerResult(s.Session.Result())
}

var (
	_ msgr2.AuthClient        = msgr2Client{}
	_ msgr2.AuthClient        = msgr2ServiceClient{}
	_ msgr2.AuthServer        = msgr2Server{}
	_ msgr2.AuthServerSession = msgr2Session{}
)

// detRand is a deterministic randomness source.
type detRand struct{ r *rand.ChaCha8 }

func newRand(seed byte) *detRand {
	var s [32]byte
	s[0] = seed
	return &detRand{rand.NewChaCha8(s)}
}

func (d *detRand) Read(p []byte) (int, error) { return d.r.Read(p) }

// clock is an injected, manually advanced clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func name(t testing.TB, s string) encoding.EntityName {
	t.Helper()
	n, err := encoding.ParseEntityName(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type fixture struct {
	clk  *clock
	ks   *cephx.KeyServer
	srv  *cephx.Server
	keys map[string]auth.CryptoKey
	next uint64
}

func newFixture(t testing.TB, seed byte) *fixture {
	t.Helper()
	f := &fixture{clk: &clock{t: time.Unix(1_700_000_000, 0)}, keys: map[string]auth.CryptoKey{}, next: 4100}
	f.ks = cephx.NewKeyServer()
	f.ks.Now, f.ks.Rand = f.clk.Now, newRand(seed)
	ents := map[string]auth.Caps{
		"client.admin": {"mon": "allow *", "osd": "allow *", "mgr": "allow *"},
		"osd.0":        {"mon": "allow profile osd", "osd": "allow *", "mgr": "allow profile osd"},
		"client.nomon": {"osd": "allow *"},
	}
	for _, n := range slices.Sorted(maps.Keys(ents)) {
		caps := ents[n]
		k, err := f.ks.GenerateSecret()
		if err != nil {
			t.Fatal(err)
		}
		f.keys[n] = k
		f.ks.SetEntity(name(t, n), auth.EntityAuth{Key: k, Caps: caps})
	}
	if _, err := f.ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	f.srv = &cephx.Server{Keys: f.ks, Config: cephx.DefaultServerConfig(), Self: name(t, "mon."),
		AllocGlobalID: func() (uint64, error) { f.next++; return f.next, nil }}
	return f
}

func (f *fixture) client(t testing.TB, n string, seed byte) *cephx.Client {
	c := cephx.NewClient(name(t, n), f.keys[n])
	c.Rand, c.Now = newRand(seed), f.clk.Now
	return c
}

// handshake is one msgr2 authentication, driven frame by frame through the
// msgr2 interfaces: it returns both sides' results and the frames' payloads.
type handshakeOut struct {
	client  msgr2.AuthResult
	server  msgr2.AuthServerResult
	session *cephx.Session
	frames  [][]byte
}

func handshake(ac msgr2.AuthClient, as msgr2.AuthServer, peer encoding.EntityType, conMode uint32) (handshakeOut, error) {
	var out handshakeOut
	method, _, payload, err := ac.Start(nil)
	if err != nil {
		return out, err
	}
	secretLen := 0
	if conMode == msgr2.ConModeSecure {
		secretLen = cephx.SecureSecretLen
	}
	sess, err := as.NewSession(method, peer, conMode, secretLen)
	if err != nil {
		return out, err
	}
	for range 4 {
		out.frames = append(out.frames, payload)
		reply, done, err := sess.Handle(payload)
		if err != nil {
			return out, err
		}
		out.frames = append(out.frames, reply)
		if done {
			out.server = sess.Result()
			if s, ok := sess.(msgr2Session); ok {
				out.session = s.Session
			}
			out.client, err = ac.Done(out.server.GlobalID, conMode, reply)
			return out, err
		}
		if payload, err = ac.More(reply); err != nil {
			return out, err
		}
	}
	return out, errors.New("handshake did not finish")
}

func errnoIs(err error, want cephx.Errno) bool {
	var e *cephx.Error
	return errors.As(err, &e) && e.Code == want
}

func equalBytes(a, b []byte) bool { return bytes.Equal(a, b) }
