package msgr2

import "github.com/kelp-ceph/kelp/encoding"

// Auth methods (CEPH_AUTH_* in src/include/ceph_fs.h) as AUTH_REQUEST
// carries them.
const (
	AuthUnknown uint32 = 0
	AuthNone    uint32 = 1
	AuthCephx   uint32 = 2
)

// Connection modes (src/auth/Auth.h CEPH_CON_MODE_*): crc protects frames
// with crc32c; secure encrypts them with AES-128-GCM keyed from the auth
// session's connection secret.
const (
	ConModeUnknown uint32 = 0
	ConModeCRC     uint32 = 1
	ConModeSecure  uint32 = 2
)

// AuthClient is the connecting side of authentication for one handshake,
// the counterpart of Ceph's AuthClient (src/auth/AuthClient.h). msgr2
// moves its payloads in AUTH_REQUEST, AUTH_REQUEST_MORE, AUTH_REPLY_MORE,
// AUTH_BAD_METHOD and AUTH_DONE frames and knows nothing of their content,
// so cephx (package auth/cephx) plugs in without msgr2 importing it.
type AuthClient interface {
	// Start picks the method for the next AUTH_REQUEST and returns it with
	// the connection modes the client accepts, in preference order, and the
	// request payload. allowed is nil on the first call; after
	// AUTH_BAD_METHOD it holds the methods the server allows, and Start
	// returns an error when none of them will do.
	Start(allowed []uint32) (method uint32, modes []uint32, payload []byte, err error)
	// More answers an AUTH_REPLY_MORE payload with the next
	// AUTH_REQUEST_MORE payload.
	More(payload []byte) ([]byte, error)
	// Done takes AUTH_DONE: the global id the server assigned, the
	// connection mode it chose and its final payload, and returns the
	// session key (which keys AUTH_SIGNATURE) and the connection secret
	// (from which secure mode derives its keys).
	Done(globalID uint64, conMode uint32, payload []byte) (AuthResult, error)
}

// AuthResult is what a completed authentication gives the connection.
type AuthResult struct {
	GlobalID         uint64
	SessionKey       []byte
	ConnectionSecret []byte
}

// AuthServer is the accepting side's authentication policy and key
// material, the counterpart of Ceph's AuthServer (src/auth/AuthServer.h).
type AuthServer interface {
	// Methods returns the auth methods and connection modes accepted from
	// peers of the given type, each in preference order.
	Methods(peer encoding.EntityType) (methods, modes []uint32)
	// NewSession starts the server side of method for one connection,
	// after the messenger has chosen conMode; secretLen is how many bytes
	// of connection secret that mode needs.
	NewSession(method uint32, peer encoding.EntityType, conMode uint32, secretLen int) (AuthServerSession, error)
}

// AuthServerSession is the server side of one authentication exchange.
type AuthServerSession interface {
	// Handle takes the payload of the AUTH_REQUEST (first call) or of an
	// AUTH_REQUEST_MORE. When done is false, reply goes out in
	// AUTH_REPLY_MORE; when true, in AUTH_DONE, and Result is complete. An
	// error refuses the peer: the connection is closed.
	Handle(payload []byte) (reply []byte, done bool, err error)
	// Result describes the authenticated peer once Handle returned done.
	Result() AuthServerResult
}

// AuthServerResult describes an authenticated peer to the layers above.
type AuthServerResult struct {
	GlobalID         uint64
	Entity           encoding.EntityName
	SessionKey       []byte
	ConnectionSecret []byte
	// Info carries what the auth method knows of the peer (for cephx, its
	// caps), for the monitor to authorize requests with.
	Info any
}
