package mon

import (
	"log/slog"
	"slices"

	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/auth/moncap"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Session is one authenticated peer connection's state at the monitor
// (MonSession): who it is, what it may do, and what it subscribed to.
type Session struct {
	Entity   encoding.EntityName
	GlobalID uint64
	Addrs    encoding.EntityAddrVec
	Features uint64
	// subs holds the session's subscriptions by name ("osdmap",
	// "monmap", "config", ...).
	subs subscriptions
	conn *msgr2.Conn
	// authInfo is what cephx knows of the peer: its caps and the auth
	// session that serves its later MAuth requests.
	authInfo *cephx.PeerInfo
	caps     *moncap.MonCap // parsed on first use
	// proxied marks a session standing in for a peon's client: the
	// leader made it for a forwarded request, and replies go back to the
	// peon through route, never over conn (Ceph's proxy_con).
	proxied bool
	route   func(msgr2.Message)
}

// monCaps returns the session's monitor caps: what cephx sealed into its
// ticket, allow-all for auth none, nothing when they do not parse.
func (s *Session) monCaps(log *slog.Logger) *moncap.MonCap {
	if s.caps != nil {
		return s.caps
	}
	switch {
	case s.authInfo == nil || s.authInfo.Method == cephx.MethodNone || s.authInfo.Caps.AllowAll:
		s.caps = moncap.AllowAll()
	default:
		str, _ := s.authInfo.Caps.CapString()
		c, err := moncap.Parse(str)
		if err != nil {
			log.Warn("unparseable mon caps; denying", "entity", s.Entity.String(), "caps", str, "err", err)
			c = &moncap.MonCap{}
		}
		s.caps = c
	}
	return s.caps
}

// send sends a message to the session's peer; a failure means the
// connection is gone, which the messenger reports separately.
func (s *Session) send(m msgr2.Message) {
	switch {
	case s.conn != nil:
		_ = s.conn.Send(m)
	case s.route != nil:
		s.route(m)
	}
}

// subscription is one entry of MMonSubscribe: send versions from next on,
// once (onetime) or on every change.
type subscription struct {
	next    uint64
	onetime bool
}

// subscriptions are a session's subscriptions by name: a client has one
// to a handful, which a slice holds in a tenth of the memory of a map
// (every idle session keeps them).
type subscriptions []namedSub

type namedSub struct {
	what string
	sub  *subscription
}

// get returns the subscription to what, or nil.
func (ss subscriptions) get(what string) *subscription {
	for _, n := range ss {
		if n.what == what {
			return n.sub
		}
	}
	return nil
}

// set makes sub the subscription to what.
func (ss *subscriptions) set(what string, sub *subscription) {
	for i, n := range *ss {
		if n.what == what {
			(*ss)[i].sub = sub
			return
		}
	}
	*ss = append(*ss, namedSub{what, sub})
}

// del drops the subscription to what.
func (ss *subscriptions) del(what string) {
	*ss = slices.DeleteFunc(*ss, func(n namedSub) bool { return n.what == what })
}

// featuresOr returns the peer's features, or def for requests that did
// not come over a connection (internal ones, tests).
func (s *Session) featuresOr(def uint64) uint64 {
	if s == nil || s.Features == 0 {
		return def
	}
	return s.Features
}

// entityOrMon is the session's entity, or this monitor's for internal
// requests.
func (s *Session) entityOrMon(name string) encoding.EntityName {
	if s == nil {
		return encoding.EntityName{Type: encoding.EntityMon, ID: name}
	}
	return s.Entity
}

// addrsOrNone is the peer's addresses, typed "any" as Ceph records a
// client's in log entries.
func (s *Session) addrsOrNone() encoding.EntityAddrVec {
	if s == nil {
		return nil
	}
	out := make(encoding.EntityAddrVec, len(s.Addrs))
	for i, a := range s.Addrs {
		a.Type = encoding.AddrAny
		out[i] = a
	}
	return out
}
