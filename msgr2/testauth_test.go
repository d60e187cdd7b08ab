package msgr2

import (
	"bytes"
	"crypto/rand"
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
)

// testMethod is a fake auth method for Go-to-Go tests of secure mode and
// of the AUTH_* frames: the server hands out a random session key and
// connection secret in the clear after one extra round trip. It starts by
// trying auth none, which the test server refuses, to exercise
// AUTH_BAD_METHOD.
const testMethod = 0x7e

type testAuthClient struct {
	name     encoding.EntityName
	modes    []uint32
	method   uint32
	rounds   int
	gotRetry bool
}

func (a *testAuthClient) Start(allowed []uint32) (uint32, []uint32, []byte, error) {
	if allowed == nil {
		a.method = AuthNone
	} else {
		if !contains(allowed, testMethod) {
			return 0, nil, nil, fmt.Errorf("test method not allowed")
		}
		a.method = testMethod
		a.gotRetry = true
	}
	var e encoding.Encoder
	e.U8(authModeMon)
	e.EntityName(a.name)
	e.U64(0)
	return a.method, a.modes, e.Bytes(), nil
}

func (a *testAuthClient) More(p []byte) ([]byte, error) {
	a.rounds++
	if !bytes.Equal(p, []byte("challenge")) {
		return nil, fmt.Errorf("bad challenge %q", p)
	}
	return []byte("response"), nil
}

func (a *testAuthClient) Done(gid uint64, mode uint32, p []byte) (AuthResult, error) {
	d := encoding.NewDecoder(p)
	key, secret := d.BlobCopy(), d.BlobCopy()
	if err := d.Err(); err != nil {
		return AuthResult{}, err
	}
	return AuthResult{GlobalID: gid, SessionKey: key, ConnectionSecret: secret}, nil
}

type testAuthServer struct {
	modes []uint32
	// badSecretLen makes the server hand out a short secret.
	badSecretLen bool
}

func (s *testAuthServer) Methods(encoding.EntityType) ([]uint32, []uint32) {
	return []uint32{testMethod}, s.modes
}

func (s *testAuthServer) NewSession(method uint32, peer encoding.EntityType, mode uint32, secretLen int) (AuthServerSession, error) {
	return &testAuthSession{srv: s, secretLen: secretLen}, nil
}

type testAuthSession struct {
	srv       *testAuthServer
	secretLen int
	step      int
	res       AuthServerResult
}

func (s *testAuthSession) Handle(p []byte) ([]byte, bool, error) {
	s.step++
	if s.step == 1 {
		return []byte("challenge"), false, nil
	}
	if !bytes.Equal(p, []byte("response")) {
		return nil, false, fmt.Errorf("bad response")
	}
	key := make([]byte, 16)
	secret := make([]byte, max(s.secretLen, 1))
	if s.srv.badSecretLen {
		secret = secret[:1]
	}
	rand.Read(key)
	rand.Read(secret)
	s.res = AuthServerResult{GlobalID: 4242, SessionKey: key, ConnectionSecret: secret}
	var e encoding.Encoder
	e.Blob(key)
	e.Blob(secret)
	return e.Bytes(), true, nil
}

func (s *testAuthSession) Result() AuthServerResult { return s.res }
