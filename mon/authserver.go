package mon

import (
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// authServer adapts the cephx server to msgr2's AuthServer interface: the
// auth packages do not import msgr2, so their session type is concrete.
type authServer struct{ srv *cephx.Server }

func (a authServer) Methods(peer encoding.EntityType) ([]uint32, []uint32) {
	return a.srv.Methods(peer)
}

func (a authServer) NewSession(method uint32, peer encoding.EntityType, conMode uint32, secretLen int) (msgr2.AuthServerSession, error) {
	s, err := a.srv.NewSession(method, peer, conMode, secretLen)
	if err != nil {
		return nil, err
	}
	return authSession{s}, nil
}

type authSession struct{ *cephx.Session }

func (s authSession) Result() msgr2.AuthServerResult {
	return msgr2.AuthServerResult(s.Session.Result())
}

// newAuthServer builds the monitor's authentication from its config and
// the auth service's key server. monKeyring holds the monitors' own key.
func (m *Monitor) newAuthServer(cfg cephx.ServerConfig) msgr2.AuthServer {
	return authServer{&cephx.Server{
		Keys:          m.auth.ks,
		Config:        cfg,
		Self:          encoding.EntityName{Type: encoding.EntityMon},
		AllocGlobalID: m.allocGlobalID,
	}}
}
