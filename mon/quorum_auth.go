package mon

import (
	"crypto/rand"
	"errors"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// monPeerAuth authenticates this monitor to another one with cephx the
// way Monitor::get_auth_request does for a monitor peer: there is no
// ticket from an auth server, so the monitor seals a ticket for itself
// with the monitors' shared key (mon.), secret id -1, and presents an
// authorizer built on it. The peer opens the ticket with the same key
// (SecretIDOwnKey) and answers the CEPHX_V2 challenge as for any
// authorizer.
type monPeerAuth struct {
	name   encoding.EntityName // mon.<id>
	key    auth.CryptoKey      // the mon. secret
	modes  []uint32
	author *cephx.Authorizer
}

// Start seals the self-made ticket and sends the authorizer.
func (a *monPeerAuth) Start(allowed []uint32) (uint32, []uint32, []byte, error) {
	if allowed != nil && !slices.Contains(allowed, cephx.MethodCephx) {
		return 0, nil, nil, errors.New("mon: peer monitor does not allow cephx")
	}
	sk, err := auth.GenerateKey(rand.Reader, time.Now())
	if err != nil {
		return 0, nil, nil, err
	}
	info := cephx.SessionAuthInfo{ServiceID: encoding.EntityMon, SecretID: cephx.SecretIDOwnKey,
		SessionKey: sk, ServiceSecret: a.key}
	info.Ticket.Name = a.name
	info.Ticket.Caps = auth.AuthCapsInfo{AllowAll: true}
	info.Ticket.InitTimestamps(time.Now(), time.Hour)
	blob, err := cephx.BuildTicketBlob(info)
	if err != nil {
		return 0, nil, nil, err
	}
	az, err := cephx.BuildAuthorizer(rand.Reader, 0, encoding.EntityMon, blob, sk)
	if err != nil {
		return 0, nil, nil, err
	}
	a.author = az
	modes := a.modes
	if len(modes) == 0 {
		modes = []uint32{cephx.ConModeSecure, cephx.ConModeCRC}
	}
	return cephx.MethodCephx, slices.Clone(modes), az.Payload, nil
}

// More answers the peer's challenge.
func (a *monPeerAuth) More(payload []byte) ([]byte, error) {
	if a.author == nil {
		return nil, errors.New("mon: challenge before authorizer")
	}
	if err := a.author.AddChallenge(payload); err != nil {
		return nil, err
	}
	return a.author.Payload, nil
}

// Done checks the peer's reply and keys the connection.
func (a *monPeerAuth) Done(globalID uint64, conMode uint32, payload []byte) (msgr2.AuthResult, error) {
	if a.author == nil {
		return msgr2.AuthResult{}, errors.New("mon: AUTH_DONE before authorizer")
	}
	secret, err := a.author.VerifyReply(payload)
	if err != nil {
		return msgr2.AuthResult{}, err
	}
	if secret == nil {
		secret = []byte{}
	}
	return msgr2.AuthResult{GlobalID: globalID, SessionKey: a.author.SessionKey.Secret, ConnectionSecret: secret}, nil
}

// peerAuthClient returns how this monitor authenticates to a peer
// monitor: cephx with the mon. key when the cluster requires cephx and
// the keyring has it, none otherwise.
func (m *Monitor) peerAuthClient(peer encoding.EntityType) msgr2.AuthClient {
	me := encoding.EntityName{Type: encoding.EntityMon, ID: m.name}
	if slices.Contains(m.opts.Auth.ClusterMethods, cephx.MethodCephx) && m.opts.Keyring != nil {
		if e, ok := m.opts.Keyring.Get(encoding.EntityName{Type: encoding.EntityMon}); ok && !e.Key.IsZero() {
			return &monPeerAuth{name: me, key: e.Key, modes: m.opts.Auth.ClusterModes}
		}
	}
	return &msgr2.AuthNoneClient{Name: me}
}
