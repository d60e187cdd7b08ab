package cephx

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

// AuthResult is what a completed authentication gives the connection; its
// fields are those of msgr2.AuthResult, so msgr2.AuthResult(r) converts
// it.
type AuthResult struct {
	GlobalID         uint64
	SessionKey       []byte
	ConnectionSecret []byte
}

// TicketHandler is the client's ticket for one service
// (CephXTicketHandler).
type TicketHandler struct {
	ServiceID  encoding.EntityType
	SessionKey auth.CryptoKey
	Ticket     TicketBlob
	RenewAfter time.Time
	Expires    time.Time
	have       bool
}

// HaveKey reports whether the ticket is usable at now.
func (t *TicketHandler) HaveKey(now time.Time) bool {
	return t != nil && t.have && now.Before(t.Expires)
}

// NeedKey reports whether the ticket should be (re)fetched at now: it is
// missing, or past its renew time (three quarters of its validity).
func (t *TicketHandler) NeedKey(now time.Time) bool {
	if t == nil || !t.have {
		return true
	}
	return !t.Expires.IsZero() && !now.Before(t.RenewAfter)
}

// Client is the cephx client of one entity (CephxClientHandler with
// MonClient's msgr2 glue). As a monitor connection's authenticator it
// satisfies msgr2's AuthClient method set (Start, More, Done) up to Done's
// named result type. It keeps its tickets and global_id across
// connections, so that a reconnect reclaims the global_id with the old
// ticket, as Ceph's MonClient does. A Client is not safe for concurrent
// use.
type Client struct {
	Name encoding.EntityName
	Key  auth.CryptoKey
	// Want is the mask of services to hold tickets for (MonClient's
	// want_keys), e.g. EntityMon|EntityOSD|EntityMgr; the auth ticket is
	// always wanted.
	Want uint32
	// Methods and Modes are the client's preferences
	// (auth_client_required, ms_mon_client_mode); nil means cephx and
	// secure then crc.
	Methods []uint32
	Modes   []uint32
	Rand    io.Reader
	Now     func() time.Time

	method          uint32
	globalID        uint64
	serverChallenge uint64
	tickets         map[encoding.EntityType]*TicketHandler
	rotating        auth.RotatingSecrets
	haveRotating    bool
}

// NewClient returns a client for name with key, wanting tickets for mon,
// osd and mgr as librados does.
func NewClient(name encoding.EntityName, key auth.CryptoKey) *Client {
	return &Client{
		Name: name, Key: key,
		Want: uint32(encoding.EntityMon | encoding.EntityOSD | encoding.EntityMgr),
		Rand: rand.Reader, Now: time.Now,
	}
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Client) rnd() io.Reader {
	if c.Rand == nil {
		return rand.Reader
	}
	return c.Rand
}

func (c *Client) want() uint32 { return c.Want | uint32(encoding.EntityAuth) }

// GlobalID returns the global_id the monitor assigned (0 before).
func (c *Client) GlobalID() uint64 { return c.globalID }

// CarryOver starts c from where prev, a client of an earlier session of
// the same entity, ended: its global_id and tickets. The next handshake
// asks to reclaim that global_id and proves it with the old auth ticket,
// as MonClient does when it opens a new monitor session with the auth
// handler of the last one (the CVE-2021-20288 reclaim rules).
func (c *Client) CarryOver(prev *Client) {
	if prev == nil || prev.globalID == 0 {
		return
	}
	c.globalID = prev.globalID
	c.tickets = make(map[encoding.EntityType]*TicketHandler, len(prev.tickets))
	for svc, t := range prev.tickets {
		cp := *t
		c.tickets[svc] = &cp
	}
}

// Ticket returns the ticket held for a service, or nil.
func (c *Client) Ticket(service encoding.EntityType) *TicketHandler { return c.tickets[service] }

// Need returns the mask of wanted services whose tickets are missing or
// due for renewal (validate_tickets).
func (c *Client) Need() uint32 {
	now := c.now()
	var need uint32
	w := c.want()
	for i := uint32(1); i != 0 && i <= w; i <<= 1 {
		if w&i != 0 && c.tickets[encoding.EntityType(i)].NeedKey(now) {
			need |= i
		}
	}
	return need
}

// NeedTickets reports whether service tickets should be fetched, ignoring
// a lone missing mgr ticket as Ceph does (_need_tickets).
func (c *Client) NeedTickets() bool {
	n := c.Need()
	return n != 0 && n != uint32(encoding.EntityMgr)
}

// Start begins authentication on a new monitor connection: it picks the
// method (the first preferred one the server allows, after
// AUTH_BAD_METHOD) and returns the AUTH_REQUEST payload: the auth mode,
// the entity name and the global_id.
func (c *Client) Start(allowed []uint32) (method uint32, modes []uint32, payload []byte, err error) {
	methods := c.Methods
	if methods == nil {
		methods = []uint32{MethodCephx}
	}
	modes = c.Modes
	if modes == nil {
		modes = []uint32{ConModeSecure, ConModeCRC}
	}
	method = 0
	if allowed == nil {
		method = methods[0]
	} else {
		// After AUTH_BAD_METHOD: the next of our methods after the one
		// refused that the server allows (MonConnection::handle_auth_bad_method).
		i := slices.Index(methods, c.method)
		for _, m := range methods[i+1:] {
			if slices.Contains(allowed, m) {
				method = m
				break
			}
		}
		if method == 0 {
			return 0, nil, nil, refuse(EACCES, "server allows methods %v, client supports %v", allowed, methods)
		}
	}
	if method == MethodCephx && c.Key.IsZero() {
		return 0, nil, nil, refuse(ENOENT, "no key for %s", c.Name)
	}
	c.method = method
	c.serverChallenge = 0
	var e encoding.Encoder
	e.U8(AuthModeMon)
	e.EntityName(c.Name)
	e.U64(c.globalID)
	return method, slices.Clone(modes), e.Bytes(), nil
}

// More answers the server challenge (AUTH_REPLY_MORE) with
// CEPHX_GET_AUTH_SESSION_KEY.
func (c *Client) More(payload []byte) ([]byte, error) {
	if c.method != MethodCephx {
		return nil, errors.New("cephx: unexpected AUTH_REPLY_MORE")
	}
	d := encoding.NewDecoder(payload)
	ch := DecodeServerChallenge(d)
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("cephx: server challenge: %w", err)
	}
	c.serverChallenge = ch.ServerChallenge
	if t := c.tickets[encoding.EntityAuth]; t != nil {
		t.have = false
	}
	return c.buildAuthRequest()
}

// buildAuthRequest is CEPHX_GET_AUTH_SESSION_KEY: a fresh client
// challenge, the proof, the previous auth ticket and the tickets needed.
func (c *Client) buildAuthRequest() ([]byte, error) {
	cc, err := randomU64(c.rnd())
	if err != nil {
		return nil, err
	}
	proof, err := ClientServerChallenge(c.Key, c.serverChallenge, cc)
	if err != nil {
		return nil, err
	}
	req := Authenticate{ClientChallenge: cc, Key: proof, OtherKeys: c.Need() | uint32(encoding.EntityAuth)}
	if t := c.tickets[encoding.EntityAuth]; t != nil {
		req.OldTicket = t.Ticket
	}
	var e encoding.Encoder
	RequestHeader{RequestType: GetAuthSessionKey}.Encode(&e)
	req.Encode(&e)
	return e.Bytes(), nil
}

// Done takes AUTH_DONE: it opens the auth ticket with the client's key,
// the connection secret with the new session key and any service tickets
// that came along.
func (c *Client) Done(globalID uint64, conMode uint32, payload []byte) (AuthResult, error) {
	c.globalID = globalID
	if c.method == MethodNone {
		return AuthResult{GlobalID: globalID, SessionKey: []byte{}, ConnectionSecret: []byte{}}, nil
	}
	d := encoding.NewDecoder(payload)
	secret, err := c.handleAuthReply(d, true)
	if err != nil {
		return AuthResult{}, err
	}
	t := c.tickets[encoding.EntityAuth]
	return AuthResult{GlobalID: globalID, SessionKey: t.SessionKey.Secret, ConnectionSecret: secret}, nil
}

func (c *Client) storeGrants(grants []ServiceTicketGrant) {
	if c.tickets == nil {
		c.tickets = map[encoding.EntityType]*TicketHandler{}
	}
	now := c.now()
	for _, g := range grants {
		t := &TicketHandler{ServiceID: g.ServiceID, SessionKey: g.SessionKey, Ticket: g.Ticket, have: true}
		if !g.Validity.IsZero() {
			v := time.Duration(g.Validity.Sec)*time.Second + time.Duration(g.Validity.Nsec)
			t.Expires = now.Add(v)
			t.RenewAfter = t.Expires.Add(-time.Duration(g.Validity.Sec) * time.Second / 4)
		}
		c.tickets[g.ServiceID] = t
	}
}

func (c *Client) oldSessionKey(s encoding.EntityType) auth.CryptoKey {
	if t := c.tickets[s]; t != nil {
		return t.SessionKey
	}
	return auth.CryptoKey{}
}

// handleAuthReply reads a GET_AUTH_SESSION_KEY response, whether it came
// in AUTH_DONE or in an MAuthReply.
func (c *Client) handleAuthReply(d *encoding.Decoder, wantSecret bool) ([]byte, error) {
	hdr := DecodeResponseHeader(d)
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("cephx: response header: %w", err)
	}
	if hdr.RequestType != GetAuthSessionKey {
		return nil, fmt.Errorf("cephx: got %s in answer to %s", hdr.RequestType, GetAuthSessionKey)
	}
	if hdr.Status != 0 {
		return nil, refuse(Errno(-hdr.Status), "monitor refused: status %d", hdr.Status)
	}
	grants, err := DecodeServiceTicketReply(d, c.Key, c.oldSessionKey)
	if err != nil {
		return nil, refuse(EPERM, "could not verify the auth ticket reply: %v", err)
	}
	c.storeGrants(grants)
	t := c.tickets[encoding.EntityAuth]
	if t == nil {
		return nil, refuse(EPERM, "auth reply holds no auth ticket")
	}
	var secret []byte
	if d.Remaining() > 0 {
		cbl := d.Blob()
		extra := d.Blob()
		if err := d.Err(); err != nil {
			return nil, fmt.Errorf("cephx: auth reply tail: %w", err)
		}
		if len(cbl) > 0 && wantSecret {
			cd := encoding.NewDecoder(cbl)
			od, err := open(cd, t.SessionKey)
			secret, err = decodeOpened(od, err, (*encoding.Decoder).BlobCopy)
			if err != nil {
				return nil, fmt.Errorf("cephx: connection secret: %w", err)
			}
		}
		if len(extra) > 0 {
			g, err := DecodeServiceTicketReply(encoding.NewDecoder(extra), t.SessionKey, c.oldSessionKey)
			if err != nil {
				return nil, fmt.Errorf("cephx: extra service tickets: %w", err)
			}
			c.storeGrants(g)
		}
	}
	if secret == nil {
		secret = []byte{}
	}
	return secret, nil
}

// Authorizer builds an authorizer for a service connection from the
// client's ticket for it.
func (c *Client) Authorizer(service encoding.EntityType) (*Authorizer, error) {
	t := c.tickets[service]
	if !t.HaveKey(c.now()) {
		return nil, fmt.Errorf("cephx: no valid ticket for %s", service)
	}
	return BuildAuthorizer(c.rnd(), c.globalID, service, t.Ticket, t.SessionKey)
}

// ServiceTicketRequest builds the MAuth payload asking for tickets to the
// services in need (CEPHX_GET_PRINCIPAL_SESSION_KEY with an authorizer
// made from the auth ticket).
func (c *Client) ServiceTicketRequest(need uint32) ([]byte, error) {
	a, err := c.Authorizer(encoding.EntityAuth)
	if err != nil {
		return nil, err
	}
	var e encoding.Encoder
	RequestHeader{RequestType: GetPrincipalSessionKey}.Encode(&e)
	e.Raw(a.Payload)
	ServiceTicketRequest{Keys: need}.Encode(&e)
	return e.Bytes(), nil
}

// RenewRequest builds the MAuth payload renewing the auth ticket on an
// established session (CEPHX_GET_AUTH_SESSION_KEY against the session's
// server challenge, presenting the current ticket).
func (c *Client) RenewRequest() ([]byte, error) {
	if c.serverChallenge == 0 {
		return nil, errors.New("cephx: no server challenge on this session")
	}
	return c.buildAuthRequest()
}

// RotatingRequest builds the MAuth payload asking for the rotating
// secrets of the client's own service type (CEPHX_GET_ROTATING_KEY), as
// OSDs, MDSs and mgrs do.
func (c *Client) RotatingRequest() []byte {
	var e encoding.Encoder
	RequestHeader{RequestType: GetRotatingKey}.Encode(&e)
	return e.Bytes()
}

// HandleMAuthReply takes an MAuthReply's result and payload answering one
// of the requests above.
func (c *Client) HandleMAuthReply(result int32, payload []byte) error {
	if result < 0 {
		return refuse(Errno(-result), "monitor refused the request: %d", result)
	}
	d := encoding.NewDecoder(payload)
	save := *d
	hdr := DecodeResponseHeader(d)
	if err := d.Err(); err != nil {
		return fmt.Errorf("cephx: response header: %w", err)
	}
	switch hdr.RequestType {
	case GetAuthSessionKey:
		*d = save
		_, err := c.handleAuthReply(d, false)
		return err
	case GetPrincipalSessionKey:
		t := c.tickets[encoding.EntityAuth]
		if t == nil {
			return errors.New("cephx: no auth ticket")
		}
		grants, err := DecodeServiceTicketReply(d, t.SessionKey, c.oldSessionKey)
		if err != nil {
			return refuse(EPERM, "could not verify service tickets: %v", err)
		}
		c.storeGrants(grants)
		if hdr.Status < 0 && len(grants) == 0 {
			return refuse(Errno(-hdr.Status), "no service tickets: status %d", hdr.Status)
		}
		return nil
	case GetRotatingKey:
		od, err := open(d, c.Key)
		r, err := decodeOpened(od, err, auth.DecodeRotatingSecrets)
		if err != nil {
			return refuse(EINVAL, "rotating secrets: %v", err)
		}
		c.rotating, c.haveRotating = r, true
		return nil
	}
	return fmt.Errorf("cephx: unknown response type %s", hdr.RequestType)
}

// RotatingSecrets returns the rotating secrets last fetched.
func (c *Client) RotatingSecrets() (auth.RotatingSecrets, bool) {
	return c.rotating.Clone(), c.haveRotating
}

// ServiceClient authenticates a connection to a service (OSD, MDS, mgr)
// with an authorizer; it satisfies msgr2's AuthClient method set up to
// Done's named result type.
type ServiceClient struct {
	Client  *Client
	Service encoding.EntityType
	Modes   []uint32

	authorizer *Authorizer
}

// Start sends the authorizer; its first byte doubles as the auth mode.
func (s *ServiceClient) Start(allowed []uint32) (uint32, []uint32, []byte, error) {
	if allowed != nil && !slices.Contains(allowed, MethodCephx) {
		return 0, nil, nil, refuse(EACCES, "service allows methods %v", allowed)
	}
	a, err := s.Client.Authorizer(s.Service)
	if err != nil {
		return 0, nil, nil, err
	}
	s.authorizer = a
	modes := s.Modes
	if modes == nil {
		modes = []uint32{ConModeSecure, ConModeCRC}
	}
	return MethodCephx, slices.Clone(modes), a.Payload, nil
}

// More answers the service's CEPHX_V2 challenge.
func (s *ServiceClient) More(payload []byte) ([]byte, error) {
	if s.authorizer == nil {
		return nil, errors.New("cephx: challenge before authorizer")
	}
	if err := s.authorizer.AddChallenge(payload); err != nil {
		return nil, err
	}
	return s.authorizer.Payload, nil
}

// Done checks the service's reply and returns the ticket's session key and
// the connection secret.
func (s *ServiceClient) Done(globalID uint64, conMode uint32, payload []byte) (AuthResult, error) {
	if s.authorizer == nil {
		return AuthResult{}, errors.New("cephx: AUTH_DONE before authorizer")
	}
	secret, err := s.authorizer.VerifyReply(payload)
	if err != nil {
		return AuthResult{}, err
	}
	if secret == nil {
		secret = []byte{}
	}
	return AuthResult{GlobalID: globalID, SessionKey: s.authorizer.SessionKey.Secret, ConnectionSecret: secret}, nil
}

// NeedsRotatingKeys reports whether the client's entity type checks
// authorizers itself and so needs its type's rotating secrets
// (auth_principal_needs_rotating_keys: osd, mds, mgr).
func (c *Client) NeedsRotatingKeys() bool {
	t := c.Name.Type
	return t == encoding.EntityOSD || t == encoding.EntityMDS || t == encoding.EntityMgr
}

// NeedRotating reports whether the rotating secrets should be fetched:
// the client needs them and has fewer than three, or the current one
// expires within min(30s, ttl/4) (MonClient::_check_auth_rotating).
func (c *Client) NeedRotating(serviceTicketTTL time.Duration) bool {
	if !c.NeedsRotatingKeys() {
		return false
	}
	if !c.haveRotating {
		return true
	}
	cutoff := c.now().Add(-min(30*time.Second, serviceTicketTTL/4))
	return c.rotating.NeedNewSecrets(encoding.UTimeOf(cutoff))
}

// CheckTickets returns the MAuth payloads to send now to keep tickets and
// rotating secrets fresh on an authenticated monitor session, as
// MonClient::_check_auth_tickets and _check_auth_rotating do: a renewal of
// the auth ticket when it is due, otherwise a request for the service
// tickets that are missing or due, and the rotating secrets when a daemon
// needs them. The caller sends each in an MAuth (protocol cephx) and
// passes the replies to HandleMAuthReply.
func (c *Client) CheckTickets(serviceTicketTTL time.Duration) ([][]byte, error) {
	var out [][]byte
	if c.NeedTickets() {
		var p []byte
		var err error
		if c.Need()&uint32(encoding.EntityAuth) != 0 {
			p, err = c.RenewRequest()
		} else {
			p, err = c.ServiceTicketRequest(c.Need())
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if c.NeedRotating(serviceTicketTTL) {
		out = append(out, c.RotatingRequest())
	}
	return out, nil
}
