package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Type numbers of the messages monitors exchange among themselves
// (src/msg/Message.h). MMonPaxos (66) lives in mon/paxos; mon/quorum
// registers it.
const (
	TypeForward     = 46
	TypeRoute       = 47
	TypeMonElection = 65
	TypeMonProbe    = 67
	TypeMonJoin     = 68
	TypeMonSync     = 69
	TypeMonPing     = 140
	TypeTimeCheck2  = 0x609
)

// RegisterMonPeer adds the monitor-to-monitor messages of this package
// to r: probe, election, connectivity ping, sync, join, forward, route
// and time check. A monitor that talks to peers registers these beside
// Register's client messages.
func RegisterMonPeer(r *msgr2.Registry) {
	for _, t := range []msgr2.MessageType{
		{Type: TypeForward, Name: "forward", New: func() msgr2.Message { return &Forward{} }},
		{Type: TypeRoute, Name: "route", New: func() msgr2.Message { return &Route{} }},
		{Type: TypeMonElection, Name: "election", New: func() msgr2.Message { return &MonElection{} }},
		{Type: TypeMonProbe, Name: "mon_probe", New: func() msgr2.Message { return &MonProbe{} }},
		{Type: TypeMonJoin, Name: "mon_join", New: func() msgr2.Message { return &MonJoin{} }},
		{Type: TypeMonSync, Name: "mon_sync", New: func() msgr2.Message { return &MonSync{} }},
		{Type: TypeMonPing, Name: "mon_ping", New: func() msgr2.Message { return &MonPing{} }},
		{Type: TypeTimeCheck2, Name: "time_check2", New: func() msgr2.Message { return &TimeCheck2{} }},
	} {
		r.Register(t)
	}
}

// encodeRanks encodes a set<int32_t> of monitor ranks; ranks must be
// sorted (std::set order), which the callers' constructors keep.
func encodeRanks(e *encoding.Encoder, v []int32) { encoding.Slice(e, v, encoding.EncI32) }

// decodeRanks decodes a set<int32_t>.
func decodeRanks(d *encoding.Decoder) []int32 { return encoding.DecodeSlice(d, 4, encoding.DecI32) }

func encodeStrMap(e *encoding.Encoder, m map[string]string) {
	encoding.Map(e, m, encoding.EncStr, encoding.EncStr)
}

func decodeStrMap(d *encoding.Decoder) map[string]string {
	return encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
}

// EntityInst is entity_inst_t (src/msg/msg_types.h): a name and an
// address.
type EntityInst struct {
	Name encoding.EntityNameT
	Addr encoding.EntityAddr
}

func (i *EntityInst) encode(e *encoding.Encoder, features uint64) {
	e.EntityNameT(i.Name)
	e.EntityAddr(i.Addr, features)
}

func (i *EntityInst) decode(d *encoding.Decoder) {
	i.Name = d.EntityNameT()
	i.Addr = d.EntityAddr()
}
