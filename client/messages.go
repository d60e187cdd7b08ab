package client

import (
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// newRegistry is the message catalogue the client understands: the
// monitor messages and the maps it subscribes to (MOSDMap, MMgrMap,
// MFSMap).
func newRegistry() *msgr2.Registry {
	r := msg.NewRegistry()
	if _, ok := r.Lookup(msg.TypeOSDMap); !ok {
		msg.RegisterMaps(r)
	}
	return r
}
