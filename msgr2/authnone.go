package msgr2

import (
	"sync/atomic"

	"github.com/kelp-ceph/kelp/encoding"
)

// Auth modes: the first byte of an AUTH_REQUEST payload says whether it
// authenticates to a monitor or presents an authorizer to a service
// (AUTH_MODE_* in src/auth/Auth.h; Monitor::handle_auth_request reads it).
const (
	authModeAuthorizer    = 1
	authModeAuthorizerMax = 9
	authModeMon           = 10
	authModeMonMax        = 19
)

// AuthNoneClient authenticates with CEPH_AUTH_NONE. To a monitor it sends
// what MonConnection::get_auth_request builds: AUTH_MODE_MON, the entity
// name and the global id it had (0 at first), with no method payload
// (AuthNoneClientHandler::build_initial_request adds nothing). To other
// services it presents AuthNoneAuthorizer::build_authorizer's authorizer:
// struct_v 1 (which doubles as AUTH_MODE_AUTHORIZER), name, global id.
type AuthNoneClient struct {
	Name     encoding.EntityName
	GlobalID uint64
	// ToMon selects the monitor form of the request.
	ToMon bool
}

func (a *AuthNoneClient) Start(allowed []uint32) (uint32, []uint32, []byte, error) {
	if allowed != nil && !contains(allowed, AuthNone) {
		return 0, nil, nil, protoErr("server does not allow auth none (allows %v)", allowed)
	}
	var e encoding.Encoder
	if a.ToMon {
		e.U8(authModeMon)
	} else {
		e.U8(authModeAuthorizer)
	}
	e.EntityName(a.Name)
	e.U64(a.GlobalID)
	// none is only compatible with crc mode (AuthRegistry::get_supported_modes).
	return AuthNone, []uint32{ConModeCRC}, e.Bytes(), nil
}

func (a *AuthNoneClient) More([]byte) ([]byte, error) {
	return nil, protoErr("auth none has no second round")
}

func (a *AuthNoneClient) Done(globalID uint64, conMode uint32, _ []byte) (AuthResult, error) {
	if conMode != ConModeCRC {
		return AuthResult{}, protoErr("auth none cannot run in %s mode", ConModeName(conMode))
	}
	a.GlobalID = globalID
	return AuthResult{GlobalID: globalID}, nil
}

// AuthNoneServer accepts anyone with CEPH_AUTH_NONE, assigning global ids
// to peers that come without one as the monitor does
// (AuthMonitor::_assign_global_id), and granting all capabilities
// (AuthNoneServiceHandler sets caps allow_all).
type AuthNoneServer struct {
	// NextGlobalID is the last global id assigned; the next is one more.
	NextGlobalID atomic.Uint64
}

// AuthNoneInfo is the AuthServerResult.Info of an auth-none peer.
type AuthNoneInfo struct{ AllowAll bool }

func (s *AuthNoneServer) Methods(encoding.EntityType) (methods, modes []uint32) {
	return []uint32{AuthNone}, []uint32{ConModeCRC}
}

func (s *AuthNoneServer) NewSession(method uint32, peer encoding.EntityType, conMode uint32, _ int) (AuthServerSession, error) {
	if method != AuthNone {
		return nil, protoErr("auth method %s not supported", AuthMethodName(method))
	}
	return &authNoneSession{srv: s, peer: peer}, nil
}

type authNoneSession struct {
	srv    *AuthNoneServer
	peer   encoding.EntityType
	result AuthServerResult
}

func (s *authNoneSession) Handle(payload []byte) ([]byte, bool, error) {
	if len(payload) == 0 {
		return nil, false, protoErr("empty auth none request")
	}
	d := encoding.NewDecoder(payload)
	mode := d.U8()
	if !(mode >= authModeMon && mode <= authModeMonMax) && !(mode >= authModeAuthorizer && mode <= authModeAuthorizerMax) {
		return nil, false, protoErr("auth none request with mode %d", mode)
	}
	name := d.EntityName()
	gid := d.U64()
	if err := d.Err(); err != nil {
		return nil, false, protoErr("decoding auth none request: %v", err)
	}
	if name.Type != s.peer {
		return nil, false, protoErr("peer says it is %s but its hello said %s", name, s.peer)
	}
	if gid == 0 {
		gid = s.srv.NextGlobalID.Add(1)
	}
	s.result = AuthServerResult{GlobalID: gid, Entity: name, Info: AuthNoneInfo{AllowAll: true}}
	return nil, true, nil
}

func (s *authNoneSession) Result() AuthServerResult { return s.result }

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
