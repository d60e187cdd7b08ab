package cephx

import (
	"fmt"
	"io"
	"slices"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

// Auth methods and connection modes as msgr2 carries them (CEPH_AUTH_*,
// CEPH_CON_MODE_*); mirrored from package msgr2, which this package does
// not import.
const (
	MethodNone  uint32 = 1
	MethodCephx uint32 = 2

	ConModeCRC    uint32 = 1
	ConModeSecure uint32 = 2
)

// Auth modes: the first byte of an AUTH_REQUEST payload says whether the
// peer authenticates to a monitor (and which encoding follows) or presents
// an authorizer to a service (src/auth/Auth.h AUTH_MODE_*).
const (
	AuthModeNone          = 0
	AuthModeAuthorizer    = 1
	AuthModeAuthorizerMax = 9
	AuthModeMon           = 10
	AuthModeMonMax        = 19
)

// SecureSecretLen is how much connection secret secure mode needs
// (AuthConnectionMeta::get_connection_secret_length); crc mode needs none.
const SecureSecretLen = 64

// ServerConfig is the monitor's authentication policy.
type ServerConfig struct {
	// ClusterMethods (auth_cluster_required) apply to mon, osd, mds and
	// mgr entities, ServiceMethods (auth_service_required) to the rest.
	ClusterMethods []uint32
	ServiceMethods []uint32
	// ClusterModes (ms_mon_cluster_mode) apply to monitor peers,
	// ServiceModes (ms_mon_service_mode) to everyone else.
	ClusterModes []uint32
	ServiceModes []uint32
	// AllowInsecureGlobalIDReclaim is auth_allow_insecure_global_id_reclaim
	// (CVE-2021-20288): let legacy clients reclaim a global_id without a
	// valid ticket. Ceph 16.2.15 defaults to true; false is the safe
	// setting once all clients are patched.
	AllowInsecureGlobalIDReclaim bool
}

// DefaultServerConfig is Ceph 16.2.15's default policy: cephx only,
// secure then crc, insecure reclaim allowed.
func DefaultServerConfig() ServerConfig {
	return ServerConfig{
		ClusterMethods:               []uint32{MethodCephx},
		ServiceMethods:               []uint32{MethodCephx},
		ClusterModes:                 []uint32{ConModeSecure, ConModeCRC},
		ServiceModes:                 []uint32{ConModeSecure, ConModeCRC},
		AllowInsecureGlobalIDReclaim: true,
	}
}

// ParseMethods parses an auth_*_required value ("cephx", "none",
// "cephx, none").
func ParseMethods(s string) ([]uint32, error) {
	var out []uint32
	for _, f := range splitList(s) {
		switch f {
		case "cephx":
			out = append(out, MethodCephx)
		case "none":
			out = append(out, MethodNone)
		default:
			return nil, fmt.Errorf("cephx: unknown auth method %q", f)
		}
	}
	return out, nil
}

// ParseModes parses an ms_*_mode value ("secure crc").
func ParseModes(s string) ([]uint32, error) {
	var out []uint32
	for _, f := range splitList(s) {
		switch f {
		case "secure":
			out = append(out, ConModeSecure)
		case "crc":
			out = append(out, ConModeCRC)
		default:
			return nil, fmt.Errorf("cephx: unknown connection mode %q", f)
		}
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	f := func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' }
	start := -1
	for i, r := range s + " " {
		if f(r) {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}

// isClusterEntity reports whether an entity type authenticates under the
// cluster policy.
func isClusterEntity(t encoding.EntityType) bool {
	return t == encoding.EntityMon || t == encoding.EntityOSD || t == encoding.EntityMDS || t == encoding.EntityMgr
}

// Server is the monitor's side of authentication: it satisfies msgr2's
// AuthServer method set (Methods, NewSession) for connections to the
// monitor, with cephx and none.
type Server struct {
	Keys   *KeyServer
	Config ServerConfig
	// Self is the monitor's entity name for tickets sealed with its own
	// key (mon-to-mon authorizers); usually "mon.".
	Self encoding.EntityName
	// AllocGlobalID hands out a new global_id (AuthMonitor's
	// _assign_global_id); 0 or an error refuses the connection with EBUSY,
	// which makes the peer retry.
	AllocGlobalID func() (uint64, error)
}

// Methods returns the methods and modes accepted from a peer type.
func (s *Server) Methods(peer encoding.EntityType) (methods, modes []uint32) {
	methods = s.Config.ServiceMethods
	if isClusterEntity(peer) {
		methods = s.Config.ClusterMethods
	}
	modes = s.Config.ServiceModes
	if peer == encoding.EntityMon {
		modes = s.Config.ClusterModes
	}
	return slices.Clone(methods), slices.Clone(modes)
}

// NewSession starts one authentication exchange.
func (s *Server) NewSession(method uint32, peer encoding.EntityType, conMode uint32, secretLen int) (*Session, error) {
	methods, _ := s.Methods(peer)
	if method != MethodCephx && method != MethodNone || !slices.Contains(methods, method) {
		return nil, refuse(EOPNOTSUPP, "auth method %d not allowed for %s", method, peer)
	}
	if secretLen < 0 || secretLen > 1<<10 {
		return nil, fmt.Errorf("cephx: connection secret length %d", secretLen)
	}
	return &Session{srv: s, method: method, peer: peer, conMode: conMode, secretLen: secretLen}, nil
}

func (s *Server) rand() io.Reader { return s.Keys.Rand }

// GlobalIDStatus tracks how a session came by its global_id, for the
// CVE-2021-20288 reclaim rules (global_id_status_t).
type GlobalIDStatus int

const (
	GlobalIDNone GlobalIDStatus = iota
	GlobalIDNewPending
	GlobalIDNewOK
	GlobalIDNewNotExposed
	GlobalIDReclaimPending
	GlobalIDReclaimOK
	GlobalIDReclaimInsecure
)

func (g GlobalIDStatus) String() string {
	return [...]string{"none", "new_pending", "new_ok", "new_not_exposed", "reclaim_pending", "reclaim_ok", "reclaim_insecure"}[g]
}

// ServerResult describes an authenticated peer; its fields are those of
// msgr2.AuthServerResult, so msgr2.AuthServerResult(r) converts it.
type ServerResult struct {
	GlobalID         uint64
	Entity           encoding.EntityName
	SessionKey       []byte
	ConnectionSecret []byte
	// Info is a *PeerInfo.
	Info any
}

// PeerInfo is what the monitor learns of an authenticated peer.
type PeerInfo struct {
	Method uint32
	// Caps are the peer's monitor caps (allow_all for auth none).
	Caps           auth.AuthCapsInfo
	GlobalIDStatus GlobalIDStatus
	// Session is the auth session, which later MAuth requests on the same
	// connection go to (Session.HandleMAuth).
	Session *Session
}

type sessionState int

const (
	stateStart sessionState = iota
	stateMore
	stateDone
	stateFailed
)

// Session is the server side of one connection's authentication, from the
// AUTH_REQUEST through any later MAuth requests. It satisfies msgr2's
// AuthServerSession method set (Handle, Result) up to Result's named
// type. A Session is not safe for concurrent use.
type Session struct {
	srv       *Server
	method    uint32
	peer      encoding.EntityType
	conMode   uint32
	secretLen int

	state      sessionState
	authMode   uint8
	entity     encoding.EntityName
	globalID   uint64
	gidStatus  GlobalIDStatus
	challenge  uint64
	authorizer AuthorizerChallenge
	caps       auth.AuthCapsInfo
	sessionKey auth.CryptoKey
	connSecret []byte
}

// Handle takes the AUTH_REQUEST payload (first call) or an
// AUTH_REQUEST_MORE payload. done says whether reply goes in AUTH_DONE.
// A refusal is an *Error whose Errno a real monitor would send in
// AUTH_BAD_METHOD (EACCES for an unknown entity or a wrong key, EBUSY when
// no global_id can be assigned: the peer should just be disconnected).
func (s *Session) Handle(payload []byte) (reply []byte, done bool, err error) {
	switch s.state {
	case stateStart:
		reply, done, err = s.start(payload)
	case stateMore:
		reply, done, err = s.more(payload)
	default:
		err = refuse(EACCES, "authentication already finished")
	}
	if err != nil {
		s.state = stateFailed
	} else if done {
		s.state = stateDone
	} else {
		s.state = stateMore
	}
	return reply, done, err
}

// Result describes the peer once Handle returned done.
func (s *Session) Result() ServerResult {
	return ServerResult{
		GlobalID:         s.globalID,
		Entity:           s.entity,
		SessionKey:       s.sessionKey.Secret,
		ConnectionSecret: s.connSecret,
		Info:             &PeerInfo{Method: s.method, Caps: s.caps, GlobalIDStatus: s.gidStatus, Session: s},
	}
}

// Entity returns the name the peer authenticated as.
func (s *Session) Entity() encoding.EntityName { return s.entity }

// GlobalID returns the peer's global_id.
func (s *Session) GlobalID() uint64 { return s.globalID }

// GlobalIDStatus returns how the peer came by its global_id.
func (s *Session) GlobalIDStatus() GlobalIDStatus { return s.gidStatus }

func (s *Session) start(payload []byte) ([]byte, bool, error) {
	if len(payload) == 0 {
		return nil, false, refuse(EACCES, "empty auth payload")
	}
	s.authMode = payload[0]
	if s.authMode >= AuthModeAuthorizer && s.authMode <= AuthModeAuthorizerMax {
		// An authorizer's first byte is its own version (1), which is
		// how AUTH_MODE_AUTHORIZER got its value: pass it whole.
		return s.authorize(payload, false)
	}
	if s.authMode < AuthModeMon || s.authMode > AuthModeMonMax {
		return nil, false, refuse(EACCES, "unrecognized auth mode %d", s.authMode)
	}
	d := encoding.NewDecoder(payload[1:])
	s.entity = d.EntityName()
	s.globalID = d.U64()
	if err := d.Err(); err != nil {
		return nil, false, refuse(EACCES, "malformed auth request: %v", err)
	}
	methods := s.srv.Config.ServiceMethods
	if isClusterEntity(s.entity.Type) {
		methods = s.srv.Config.ClusterMethods
	}
	if !slices.Contains(methods, s.method) {
		return nil, false, refuse(EOPNOTSUPP, "method %d not allowed for %s", s.method, s.entity)
	}
	isNew := false
	if s.globalID == 0 {
		var id uint64
		var err error
		if s.srv.AllocGlobalID != nil {
			id, err = s.srv.AllocGlobalID()
		}
		if err != nil || id == 0 {
			return nil, false, refuse(EBUSY, "cannot assign a global_id: %v", err)
		}
		s.globalID, isNew = id, true
	}
	if s.method == MethodNone {
		// AuthNoneServiceHandler: everyone is everything.
		s.caps = auth.AuthCapsInfo{AllowAll: true}
		s.connSecret = []byte{}
		return nil, true, nil
	}
	s.gidStatus = GlobalIDReclaimPending
	if isNew {
		s.gidStatus = GlobalIDNewPending
	}
	for s.challenge == 0 {
		c, err := randomU64(s.srv.rand())
		if err != nil {
			return nil, false, err
		}
		s.challenge = c
	}
	var e encoding.Encoder
	ServerChallenge{ServerChallenge: s.challenge}.Encode(&e)
	return e.Bytes(), false, nil
}

func (s *Session) more(payload []byte) ([]byte, bool, error) {
	if s.authMode >= AuthModeAuthorizer && s.authMode <= AuthModeAuthorizerMax {
		return s.authorize(payload, true)
	}
	reply, ret, err := s.handleRequest(payload, true)
	if err != nil {
		return nil, false, err
	}
	return reply, ret > 0, nil
}

// authorize handles a peer presenting an authorizer to the monitor as a
// service (mon-to-mon, or a daemon's service connection).
func (s *Session) authorize(payload []byte, more bool) ([]byte, bool, error) {
	if s.method == MethodNone {
		// AuthNoneAuthorizeHandler: u8 v, EntityName, u64 global_id.
		d := encoding.NewDecoder(payload)
		d.U8()
		s.entity = d.EntityName()
		s.globalID = d.U64()
		if err := d.Err(); err != nil {
			return nil, false, refuse(EACCES, "malformed none authorizer: %v", err)
		}
		s.caps = auth.AuthCapsInfo{AllowAll: true}
		s.connSecret = []byte{}
		return nil, true, nil
	}
	v := &AuthorizerVerifier{Keys: s.srv.Keys, Self: s.srv.Self, Rand: s.srv.rand(), Now: s.srv.Keys.Now}
	wasChallenged := s.authorizer.sent
	res, err := v.Verify(encoding.NewDecoder(payload), s.secretLen, true, &s.authorizer)
	if err != nil {
		return nil, false, err
	}
	if res.Verdict == AuthorizerChallenged {
		if more || wasChallenged {
			return nil, false, refuse(EACCES, "authorizer did not answer the challenge")
		}
		return res.Reply, false, nil
	}
	t := res.Info.Ticket
	s.entity, s.globalID, s.caps = t.Name, t.GlobalID, t.Caps
	s.sessionKey, s.connSecret = res.Info.SessionKey, res.ConnectionSecret
	return res.Reply, true, nil
}

// HandleMAuth serves a cephx request that arrives in an MAuth message on
// an authenticated session (CEPHX_GET_PRINCIPAL_SESSION_KEY for service
// tickets, CEPHX_GET_ROTATING_KEY for a daemon's rotating secrets, or a
// ticket renewal with CEPHX_GET_AUTH_SESSION_KEY), as
// AuthMonitor::prep_auth does. It returns the MAuthReply payload and
// result (0 or a negative errno); the reply may be non-empty with a
// negative result, as in Ceph.
func (s *Session) HandleMAuth(payload []byte) (reply []byte, result int32) {
	if s.state != stateDone {
		return nil, -int32(EINVAL)
	}
	if s.method == MethodNone {
		return nil, 0
	}
	reply, ret, err := s.handleRequest(payload, false)
	if err != nil {
		return reply, -int32(ErrnoOf(err))
	}
	if ret < 0 {
		return reply, ret
	}
	return reply, 0
}
