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

func TestHandshakeSecure(t *testing.T) {
	f := newFixture(t, 1)
	c := f.client(t, "client.admin", 2)
	out, err := handshake(msgr2Client{c}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeSecure)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.client.SessionKey) != 16 || !bytes.Equal(out.client.SessionKey, out.server.SessionKey) {
		t.Fatalf("session keys differ: %x %x", out.client.SessionKey, out.server.SessionKey)
	}
	if len(out.client.ConnectionSecret) != cephx.SecureSecretLen || !bytes.Equal(out.client.ConnectionSecret, out.server.ConnectionSecret) {
		t.Fatalf("connection secrets differ: %x %x", out.client.ConnectionSecret, out.server.ConnectionSecret)
	}
	if out.server.GlobalID != 4101 || out.client.GlobalID != 4101 || c.GlobalID() != 4101 {
		t.Fatalf("global ids %d %d", out.server.GlobalID, out.client.GlobalID)
	}
	if out.server.Entity.String() != "client.admin" {
		t.Fatalf("entity %s", out.server.Entity)
	}
	info := out.server.Info.(*cephx.PeerInfo)
	if s, _ := info.Caps.CapString(); s != "allow *" || info.GlobalIDStatus != cephx.GlobalIDNewOK {
		t.Fatalf("peer info %+v", info)
	}
	// The service tickets asked for came with the auth ticket.
	for _, svc := range []encoding.EntityType{encoding.EntityAuth, encoding.EntityMon, encoding.EntityOSD, encoding.EntityMgr} {
		if !c.Ticket(svc).HaveKey(f.clk.Now()) {
			t.Fatalf("no %s ticket", svc)
		}
	}
	if c.Need() != 0 || c.NeedTickets() {
		t.Fatalf("still need %#x", c.Need())
	}
	// Frames: request, challenge, authenticate, done.
	if len(out.frames) != 4 || len(out.frames[1]) != 9 {
		t.Fatalf("frames %d, challenge %d bytes", len(out.frames), len(out.frames[1]))
	}
}

func TestHandshakeCRCAndDeterminism(t *testing.T) {
	run := func() handshakeOut {
		f := newFixture(t, 7)
		out, err := handshake(msgr2Client{f.client(t, "client.admin", 8)}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeCRC)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := run(), run()
	if len(a.client.ConnectionSecret) != 0 || len(a.server.ConnectionSecret) != 0 {
		t.Fatal("crc mode got a connection secret")
	}
	for i := range a.frames {
		if !bytes.Equal(a.frames[i], b.frames[i]) {
			t.Fatalf("frame %d differs between identical runs", i)
		}
	}
}

func TestRefusals(t *testing.T) {
	f := newFixture(t, 3)
	// Wrong key: EACCES, as a real monitor answers in AUTH_BAD_METHOD.
	wrong := f.client(t, "client.admin", 4)
	wrong.Key = f.keys["osd.0"]
	if _, err := handshake(msgr2Client{wrong}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeSecure); !errnoIs(err, cephx.EACCES) {
		t.Fatalf("wrong key: %v", err)
	}
	// Unknown entity.
	unk := cephx.NewClient(name(t, "client.nobody"), f.keys["client.admin"])
	unk.Rand, unk.Now = newRand(5), f.clk.Now
	if _, err := handshake(msgr2Client{unk}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeSecure); !errnoIs(err, cephx.EACCES) {
		t.Fatalf("unknown entity: %v", err)
	}
	// No mon caps.
	if _, err := handshake(msgr2Client{f.client(t, "client.nomon", 6)}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeSecure); !errnoIs(err, cephx.EACCES) {
		t.Fatalf("no mon caps: %v", err)
	}
	// A method the policy does not allow.
	if _, err := f.srv.NewSession(cephx.MethodNone, encoding.EntityClient, cephx.ConModeCRC, 0); !errnoIs(err, cephx.EOPNOTSUPP) {
		t.Fatalf("auth none allowed: %v", err)
	}
}

// TestWrongChallengeProof: a proof computed for another server challenge
// (a replayed CEPHX_GET_AUTH_SESSION_KEY) is refused.
func TestWrongChallengeProof(t *testing.T) {
	f := newFixture(t, 9)
	c := f.client(t, "client.admin", 10)
	_, _, p1, _ := c.Start(nil)
	s1, _ := f.srv.NewSession(cephx.MethodCephx, encoding.EntityClient, cephx.ConModeCRC, 0)
	ch1, _, err := s1.Handle(p1)
	if err != nil {
		t.Fatal(err)
	}
	auth1, err := c.More(ch1)
	if err != nil {
		t.Fatal(err)
	}
	// Replay the authenticate against a second session's challenge.
	_, _, p2, _ := c.Start(nil)
	s2, _ := f.srv.NewSession(cephx.MethodCephx, encoding.EntityClient, cephx.ConModeCRC, 0)
	if _, _, err := s2.Handle(p2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s2.Handle(auth1); !errnoIs(err, cephx.EACCES) {
		t.Fatalf("replayed proof: %v", err)
	}
	// The session is dead after a refusal.
	if _, _, err := s2.Handle(auth1); err == nil {
		t.Fatal("failed session accepted more")
	}
	// And a request before any challenge is refused.
	s3, _ := f.srv.NewSession(cephx.MethodCephx, encoding.EntityClient, cephx.ConModeCRC, 0)
	if _, _, err := s3.Handle(auth1); err == nil {
		t.Fatal("authenticate as first frame accepted")
	}
}

func authedClient(t *testing.T, f *fixture, n string, seed byte) (*cephx.Client, *cephx.Session) {
	t.Helper()
	c := f.client(t, n, seed)
	out, err := handshake(msgr2Client{c}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeCRC)
	if err != nil {
		t.Fatal(err)
	}
	return c, out.session
}

// osdVerifier is what an OSD uses to check authorizers: the OSD rotating
// secrets it fetched with CEPHX_GET_ROTATING_KEY.
type rotatingStore struct {
	svc encoding.EntityType
	r   auth.RotatingSecrets
}

func (s rotatingStore) Secret(encoding.EntityName) (auth.CryptoKey, bool) {
	return auth.CryptoKey{}, false
}
func (s rotatingStore) ServiceSecret(svc encoding.EntityType, id uint64) (auth.CryptoKey, bool) {
	if svc != s.svc {
		return auth.CryptoKey{}, false
	}
	k, ok := s.r.Secrets[id]
	return k.Key, ok
}

func osdVerifier(t *testing.T, f *fixture) *cephx.AuthorizerVerifier {
	t.Helper()
	osd, sess := authedClient(t, f, "osd.0", 20)
	reply, result := sess.HandleMAuth(osd.RotatingRequest())
	if result != 0 {
		t.Fatalf("rotating key request: %d", result)
	}
	if err := osd.HandleMAuthReply(result, reply); err != nil {
		t.Fatal(err)
	}
	r, ok := osd.RotatingSecrets()
	want, _ := f.ks.RotatingSecrets(encoding.EntityOSD)
	if !ok || len(r.Secrets) != 3 || r.MaxVer != want.MaxVer {
		t.Fatalf("rotating secrets %+v", r)
	}
	return &cephx.AuthorizerVerifier{Keys: rotatingStore{encoding.EntityOSD, r}, Self: name(t, "osd.0"), Rand: newRand(21), Now: f.clk.Now}
}

// TestServiceAuthorizer: a client's osd ticket opens an OSD connection
// through the CEPHX_V2 challenge, and both sides agree on the secret.
func TestServiceAuthorizer(t *testing.T) {
	f := newFixture(t, 11)
	v := osdVerifier(t, f)
	c, _ := authedClient(t, f, "client.admin", 12)
	sc := msgr2ServiceClient{&cephx.ServiceClient{Client: c, Service: encoding.EntityOSD}}
	_, _, p, err := sc.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	var ch cephx.AuthorizerChallenge
	r1, err := v.Verify(encoding.NewDecoder(p), 64, true, &ch)
	if err != nil || r1.Verdict != cephx.AuthorizerChallenged {
		t.Fatalf("first authorizer: %v %v", r1.Verdict, err)
	}
	p2, err := sc.More(r1.Reply)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := v.Verify(encoding.NewDecoder(p2), 64, true, &ch)
	if err != nil || r2.Verdict != cephx.AuthorizerValid {
		t.Fatalf("answered authorizer: %v %v", r2.Verdict, err)
	}
	res, err := sc.Done(c.GlobalID(), msgr2.ConModeSecure, r2.Reply)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.ConnectionSecret, r2.ConnectionSecret) || len(res.ConnectionSecret) != 64 {
		t.Fatal("connection secrets differ")
	}
	if s, _ := r2.Info.Ticket.Caps.CapString(); s != "allow *" || r2.Info.Ticket.Name.String() != "client.admin" || r2.Info.Ticket.GlobalID != c.GlobalID() {
		t.Fatalf("ticket %+v", r2.Info.Ticket)
	}

	// Replay: the answered authorizer on a new connection is challenged
	// afresh, and a replay of it as the answer is refused.
	var ch2 cephx.AuthorizerChallenge
	r3, err := v.Verify(encoding.NewDecoder(p2), 64, true, &ch2)
	if err != nil || r3.Verdict != cephx.AuthorizerChallenged {
		t.Fatalf("replayed authorizer: %v %v", r3.Verdict, err)
	}
	if _, err := v.Verify(encoding.NewDecoder(p2), 64, true, &ch2); !errnoIs(err, cephx.EACCES) {
		t.Fatalf("replayed answer accepted: %v", err)
	}

	// A forged reply is refused by the client.
	bad := bytes.Clone(r2.Reply)
	bad[len(bad)-1] ^= 1
	if _, err := sc.Done(c.GlobalID(), msgr2.ConModeSecure, bad); err == nil {
		t.Fatal("tampered authorizer reply accepted")
	}
}

func TestTamperedTruncatedExpiredTickets(t *testing.T) {
	f := newFixture(t, 13)
	v := osdVerifier(t, f)
	c, _ := authedClient(t, f, "client.admin", 14)
	a, err := c.Authorizer(encoding.EntityOSD)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(encoding.NewDecoder(a.Payload), 0, true, nil); err != nil {
		t.Fatalf("good authorizer: %v", err)
	}
	// Layout: v, global_id, service_id, ticket {v, secret_id, len, blob},
	// len, sealed Authorize. cephx seals with AES-CBC and no MAC, so a
	// flipped ciphertext byte is caught only when it garbles a checked
	// block (the magic in the first one); Ceph shares this. These flips
	// must all be refused:
	blobLen := int(a.Payload[22]) | int(a.Payload[23])<<8
	authz := 26 + blobLen + 4
	var must []int
	for i := 1; i < 26+16; i++ { // header, secret_id, length, first ticket block
		if i != 13 {
			must = append(must, i)
		}
	}
	for i := authz - 4; i < authz+16; i++ { // length, first Authorize block
		must = append(must, i)
	}
	for _, i := range must {
		p := bytes.Clone(a.Payload)
		p[i] ^= 0x40
		if res, err := v.Verify(encoding.NewDecoder(p), 0, true, nil); err == nil {
			t.Fatalf("byte %d flipped: accepted %+v", i, res.Info.Ticket)
		}
	}
	// Any flip at all: an error or a verdict, never a panic.
	for i := range a.Payload {
		p := bytes.Clone(a.Payload)
		p[i] ^= 0xff
		v.Verify(encoding.NewDecoder(p), 0, true, nil)
	}
	// Another client's ticket under this client's global_id is refused.
	other, _ := authedClient(t, f, "client.admin", 15)
	oa, _ := other.Authorizer(encoding.EntityOSD)
	swapped := append(bytes.Clone(a.Payload[:9]), oa.Payload[9:]...)
	if _, err := v.Verify(encoding.NewDecoder(swapped), 0, true, nil); !errnoIs(err, cephx.EACCES) {
		t.Fatalf("swapped ticket: %v", err)
	}
	for i := range len(a.Payload) {
		if _, err := v.Verify(encoding.NewDecoder(a.Payload[:i]), 0, true, nil); err == nil {
			t.Fatalf("authorizer truncated to %d bytes accepted", i)
		}
	}
	f.clk.Advance(cephx.DefaultServiceTicketTTL + time.Second)
	if _, err := v.Verify(encoding.NewDecoder(a.Payload), 0, true, nil); !errnoIs(err, cephx.EACCES) {
		t.Fatalf("expired ticket: %v", err)
	}
}

func TestMAuthServiceTicketsAndRenewal(t *testing.T) {
	f := newFixture(t, 15)
	c := f.client(t, "client.admin", 16)
	c.Want = uint32(encoding.EntityMon)
	out, err := handshake(msgr2Client{c}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeCRC)
	if err != nil {
		t.Fatal(err)
	}
	if c.Ticket(encoding.EntityOSD) != nil {
		t.Fatal("osd ticket without asking")
	}
	req, err := c.ServiceTicketRequest(uint32(encoding.EntityOSD | encoding.EntityMDS))
	if err != nil {
		t.Fatal(err)
	}
	reply, result := out.session.HandleMAuth(req)
	if result != 0 {
		t.Fatalf("service ticket request: %d", result)
	}
	if err := c.HandleMAuthReply(result, reply); err != nil {
		t.Fatal(err)
	}
	if !c.Ticket(encoding.EntityOSD).HaveKey(f.clk.Now()) || !c.Ticket(encoding.EntityMDS).HaveKey(f.clk.Now()) {
		t.Fatal("service tickets missing")
	}
	// A client asking for rotating keys gets its type's (client: none).
	if _, result := out.session.HandleMAuth(c.RotatingRequest()); result != -int32(cephx.EACCES) {
		t.Fatalf("client rotating keys: %d", result)
	}
	// Renewal on the session, after three quarters of the auth ticket's
	// life, reclaims the global_id with the current ticket.
	oldAuth := c.Ticket(encoding.EntityAuth).SessionKey
	f.clk.Advance(cephx.DefaultMonTicketTTL * 3 / 4)
	if c.Need()&uint32(encoding.EntityAuth) == 0 {
		t.Fatal("auth ticket not due for renewal")
	}
	if _, err := f.ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	req, err = c.RenewRequest()
	if err != nil {
		t.Fatal(err)
	}
	reply, result = out.session.HandleMAuth(req)
	if result != 0 {
		t.Fatalf("renewal: %d", result)
	}
	if err := c.HandleMAuthReply(result, reply); err != nil {
		t.Fatal(err)
	}
	if c.Ticket(encoding.EntityAuth).SessionKey.Equal(oldAuth) || out.session.GlobalIDStatus() != cephx.GlobalIDReclaimOK {
		t.Fatalf("renewal: status %s", out.session.GlobalIDStatus())
	}
	// Garbage MAuth payloads are refused without panics.
	for _, p := range [][]byte{nil, {1}, {0, 2, 9}, {0, 4}, bytes.Repeat([]byte{0xff}, 64)} {
		if _, result := out.session.HandleMAuth(p); result == 0 && len(p) != 2 {
			t.Fatalf("garbage %x accepted", p)
		}
	}
}

// TestGlobalIDReclaim follows CVE-2021-20288's rules.
func TestGlobalIDReclaim(t *testing.T) {
	f := newFixture(t, 17)
	c, _ := authedClient(t, f, "client.admin", 18)
	gid := c.GlobalID()
	// Reconnect: same global_id, old ticket presented; the new auth ticket
	// comes sealed with the old session key and the client opens it.
	out, err := handshake(msgr2Client{c}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeSecure)
	if err != nil {
		t.Fatal(err)
	}
	if out.server.GlobalID != gid || out.server.Info.(*cephx.PeerInfo).GlobalIDStatus != cephx.GlobalIDReclaimOK {
		t.Fatalf("reclaim: gid %d status %s", out.server.GlobalID, out.server.Info.(*cephx.PeerInfo).GlobalIDStatus)
	}

	// Someone else claiming that global_id without its ticket is refused.
	thief := f.client(t, "client.admin", 19)
	thief.Start(nil)
	mustRefuse := func(c *cephx.Client, legacy bool, want cephx.Errno) {
		t.Helper()
		_, _, p, _ := c.Start(nil)
		// Set the claimed global_id in the request.
		p = append(p[:len(p)-8], le64(gid)...)
		s, _ := f.srv.NewSession(cephx.MethodCephx, encoding.EntityClient, cephx.ConModeCRC, 0)
		ch, _, err := s.Handle(p)
		if err != nil {
			t.Fatal(err)
		}
		req, err := c.More(ch)
		if err != nil {
			t.Fatal(err)
		}
		if legacy {
			req = downgradeAuthenticate(t, req)
		}
		_, _, err = s.Handle(req)
		if want == 0 {
			if err != nil || s.GlobalIDStatus() != cephx.GlobalIDReclaimInsecure {
				t.Fatalf("legacy insecure reclaim: %v %s", err, s.GlobalIDStatus())
			}
			return
		}
		if !errnoIs(err, want) {
			t.Fatalf("reclaim (legacy %v): %v, want %s", legacy, err, want)
		}
	}
	mustRefuse(thief, false, cephx.EACCES)
	// A legacy (struct_v 2) client may, while insecure reclaim is allowed.
	mustRefuse(thief, true, 0)
	f.srv.Config.AllowInsecureGlobalIDReclaim = false
	mustRefuse(thief, true, cephx.EACCES)
}

func le64(v uint64) []byte {
	var e encoding.Encoder
	e.U64(v)
	return e.Bytes()
}

// downgradeAuthenticate re-encodes a GET_AUTH_SESSION_KEY request as a
// struct_v 2 (pre-CVE-fix) client would send it.
func downgradeAuthenticate(t *testing.T, req []byte) []byte {
	d := encoding.NewDecoder(req)
	h := cephx.DecodeRequestHeader(d)
	a := cephx.DecodeAuthenticate(d)
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	var e encoding.Encoder
	h.Encode(&e)
	e.U8(2)
	e.U64(a.ClientChallenge)
	e.U64(a.Key)
	a.OldTicket.Encode(&e)
	e.U32(a.OtherKeys)
	return e.Bytes()
}

func TestAuthNone(t *testing.T) {
	f := newFixture(t, 21)
	f.srv.Config.ServiceMethods = []uint32{cephx.MethodCephx, cephx.MethodNone}
	c := cephx.NewClient(name(t, "client.anyone"), auth.CryptoKey{})
	c.Methods = []uint32{cephx.MethodNone}
	out, err := handshake(msgr2Client{c}, msgr2Server{f.srv}, encoding.EntityClient, msgr2.ConModeCRC)
	if err != nil {
		t.Fatal(err)
	}
	info := out.server.Info.(*cephx.PeerInfo)
	if !info.Caps.AllowAll || out.server.Entity.String() != "client.anyone" || out.server.GlobalID == 0 {
		t.Fatalf("auth none: %+v %+v", out.server, info)
	}
}

// TestGarbage feeds random frames at every step; nothing panics and
// nothing authenticates.
func TestGarbage(t *testing.T) {
	f := newFixture(t, 23)
	r := newRand(24)
	for i := range 2000 {
		n := i % 80
		b := make([]byte, n)
		r.Read(b)
		s, _ := f.srv.NewSession(cephx.MethodCephx, encoding.EntityClient, cephx.ConModeSecure, 64)
		if i%2 == 1 {
			c := f.client(t, "client.admin", 25)
			_, _, p, _ := c.Start(nil)
			if _, _, err := s.Handle(p); err != nil {
				t.Fatal(err)
			}
		} else if n > 0 {
			b[0] = cephx.AuthModeMon
		}
		if _, done, err := s.Handle(b); done && err == nil && i%2 == 1 {
			t.Fatalf("garbage %x authenticated", b)
		}
		c := f.client(t, "client.admin", 26)
		c.Start(nil)
		c.More(b)
		c.Done(1, cephx.ConModeSecure, b)
		c.HandleMAuthReply(0, b)
	}
}
