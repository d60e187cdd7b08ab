package mon

import "github.com/kelp-ceph/kelp/encoding"

// Session is one authenticated peer connection's state at the monitor
// (MonSession): who it is, what it may do, and what it subscribed to.
type Session struct {
	Entity   encoding.EntityName
	GlobalID uint64
	Addrs    encoding.EntityAddrVec
	Features uint64
	// subs maps a subscription name ("osdmap", "monmap", "config", ...)
	// to its state.
	subs map[string]*subscription
}

// subscription is one entry of MMonSubscribe: send versions from next on,
// once (onetime) or on every change.
type subscription struct {
	next    uint64
	onetime bool
}

// featuresOr returns the peer's features, or def for requests that did
// not come over a connection (internal ones, tests).
func (s *Session) featuresOr(def uint64) uint64 {
	if s == nil || s.Features == 0 {
		return def
	}
	return s.Features
}
