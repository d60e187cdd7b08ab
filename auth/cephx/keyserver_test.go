package cephx_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// TestRotationSchedule follows KeyServer::_rotate_secret: three
// generations, the first expiring now+ttl and each later one ttl after
// the newest; a rotation is due when "current" expires.
func TestRotationSchedule(t *testing.T) {
	f := newFixture(t, 51)
	now := f.clk.Now()
	r, ok := f.ks.RotatingSecrets(encoding.EntityOSD)
	if !ok || len(r.Secrets) != 3 || r.MaxVer != 3 {
		t.Fatalf("osd secrets %+v", r)
	}
	ttl := cephx.DefaultServiceTicketTTL
	for id, want := range map[uint64]time.Time{1: now.Add(ttl), 2: now.Add(2 * ttl), 3: now.Add(3 * ttl)} {
		if got := r.Secrets[id].Expiration.Time(); !got.Equal(want) {
			t.Errorf("secret %d expires %v, want %v", id, got, want)
		}
	}
	a, _ := f.ks.RotatingSecrets(encoding.EntityAuth)
	if got := a.Secrets[1].Expiration.Time(); !got.Equal(now.Add(cephx.DefaultMonTicketTTL)) {
		t.Errorf("auth secret expires %v", got)
	}
	if changed, _ := f.ks.Rotate(); changed {
		t.Fatal("rotated with nothing due")
	}
	f.clk.Advance(2*ttl + time.Second) // "current" (id 2) expired
	if changed, _ := f.ks.Rotate(); !changed {
		t.Fatal("no rotation when due")
	}
	r, _ = f.ks.RotatingSecrets(encoding.EntityOSD)
	if ids := r.IDs(); len(ids) != 3 || ids[0] != 2 || r.MaxVer != 4 {
		t.Fatalf("after rotation: ids %v max %d", ids, r.MaxVer)
	}
	// A ticket sealed before the rotation with secret 2 still opens.
	if _, ok := f.ks.ServiceSecret(encoding.EntityOSD, 2); !ok {
		t.Fatal("previous secret dropped")
	}
}

func TestKeyServerPersistence(t *testing.T) {
	f := newFixture(t, 53)
	var e encoding.Encoder
	f.ks.EncodeData(&e)
	ks2 := cephx.NewKeyServer()
	if err := ks2.LoadData(e.Bytes()); err != nil {
		t.Fatal(err)
	}
	var e2 encoding.Encoder
	ks2.EncodeData(&e2)
	if !bytes.Equal(e.Bytes(), e2.Bytes()) {
		t.Fatal("key server data does not round-trip")
	}
	var r encoding.Encoder
	f.ks.EncodeRotating(&r)
	if err := ks2.LoadRotating(r.Bytes()); err != nil {
		t.Fatal(err)
	}
	for i := range e.Len() {
		if err := cephx.NewKeyServer().LoadData(e.Bytes()[:i]); err == nil {
			t.Fatalf("prefix of %d bytes loaded", i)
		}
	}
	if a, ok := ks2.Entity(name(t, "client.admin")); !ok || a.Caps["mon"] != "allow *" {
		t.Fatalf("entity %+v", a)
	}
}

// TestMonPeerAuthorizer: a peer holding a mon ticket authenticates to the
// monitor as to a service (AUTH_MODE_AUTHORIZER), through the challenge.
func TestMonPeerAuthorizer(t *testing.T) {
	f := newFixture(t, 55)
	c, _ := authedClient(t, f, "client.admin", 56)
	out, err := handshake(msgr2ServiceClient{&cephx.ServiceClient{Client: c, Service: encoding.EntityMon}}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeSecure)
	if err != nil {
		t.Fatal(err)
	}
	if out.server.Entity.String() != "client.admin" || out.server.GlobalID != c.GlobalID() ||
		!bytes.Equal(out.client.ConnectionSecret, out.server.ConnectionSecret) || len(out.frames) != 4 {
		t.Fatalf("authorizer session %+v frames %d", out.server, len(out.frames))
	}
	// A mon. key holder's authorizer (secret_id -1, sealed with mon.'s
	// own key) is accepted too.
	monKey, _ := f.ks.GenerateSecret()
	f.ks.Extra = auth.NewKeyRing()
	f.ks.Extra.Add(name(t, "mon."), auth.EntityAuth{Key: monKey})
	sk, _ := f.ks.GenerateSecret()
	info := cephx.SessionAuthInfo{ServiceID: encoding.EntityMon, SecretID: cephx.SecretIDOwnKey, ServiceSecret: monKey, SessionKey: sk, Validity: time.Hour}
	info.Ticket.Name, info.Ticket.GlobalID = name(t, "mon.b"), 0
	info.Ticket.InitTimestamps(f.clk.Now(), time.Hour)
	blob, err := cephx.BuildTicketBlob(info)
	if err != nil {
		t.Fatal(err)
	}
	a, err := cephx.BuildAuthorizer(newRand(57), 0, encoding.EntityMon, blob, sk)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.srv.NewSession(cephx.MethodCephx, encoding.EntityMon, cephx.ConModeSecure, 64)
	ch, done, err := s.Handle(a.Payload)
	if err != nil || done {
		t.Fatalf("mon authorizer: %v", err)
	}
	if err := a.AddChallenge(ch); err != nil {
		t.Fatal(err)
	}
	reply, done, err := s.Handle(a.Payload)
	if err != nil || !done {
		t.Fatalf("mon authorizer answer: %v", err)
	}
	if _, err := a.VerifyReply(reply); err != nil || s.Result().Entity.String() != "mon.b" {
		t.Fatalf("reply %v entity %s", err, s.Result().Entity)
	}
}

// TestCheckTickets keeps an OSD's tickets and rotating secrets fresh over
// several ticket lifetimes, as MonClient's tick does.
func TestCheckTickets(t *testing.T) {
	f := newFixture(t, 61)
	osd, sess := authedClient(t, f, "osd.0", 62)
	ttl := cephx.DefaultServiceTicketTTL
	for step := range 12 {
		if _, err := f.ks.Rotate(); err != nil {
			t.Fatal(err)
		}
		reqs, err := osd.CheckTickets(ttl)
		if err != nil {
			t.Fatal(err)
		}
		if step == 0 && len(reqs) != 1 {
			t.Fatalf("fresh osd: %d requests, want the rotating secrets", len(reqs))
		}
		for _, r := range reqs {
			reply, result := sess.HandleMAuth(r)
			if err := osd.HandleMAuthReply(result, reply); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
		for _, svc := range []encoding.EntityType{encoding.EntityAuth, encoding.EntityMon, encoding.EntityOSD, encoding.EntityMgr} {
			if !osd.Ticket(svc).HaveKey(f.clk.Now()) {
				t.Fatalf("step %d: %s ticket lapsed", step, svc)
			}
		}
		if osd.NeedRotating(ttl) {
			t.Fatalf("step %d: rotating secrets stale", step)
		}
		f.clk.Advance(ttl / 2)
	}
}
