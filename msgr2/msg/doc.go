// Package msg is kelp's catalogue of Ceph messages: each type follows its
// src/messages/*.h counterpart field for field, with the same type number,
// HEAD_VERSION and COMPAT_VERSION. Register adds them all to a
// msgr2.Registry.
//
// Decoded byte slices alias the received segments, which belong to the
// message; a message keeps them as long as it likes.
package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Type numbers (src/include/ceph_fs.h CEPH_MSG_*, src/msg/Message.h MSG_*).
const (
	TypePing               = 2
	TypeMonMap             = 4
	TypeMonGetMap          = 5
	TypeMonSubscribe       = 15
	TypeMonSubscribeAck    = 16
	TypeAuth               = 17
	TypeAuthReply          = 18
	TypeMonGetVersion      = 19
	TypeMonGetVersionReply = 20
	TypePoolOpReply        = 48
	TypePoolOp             = 49
	TypeMonCommand         = 50
	TypeMonCommandAck      = 51
	TypeLog                = 52
	TypeConfig             = 62
)

// Register adds every message of this package to r.
func Register(r *msgr2.Registry) {
	for _, t := range []msgr2.MessageType{
		{Type: TypePing, Name: "ping", New: func() msgr2.Message { return &Ping{} }},
		{Type: TypeMonMap, Name: "mon_map", New: func() msgr2.Message { return &MonMap{} }},
		{Type: TypeMonGetMap, Name: "mon_getmap", New: func() msgr2.Message { return &MonGetMap{} }},
		{Type: TypeMonSubscribe, Name: "mon_subscribe", New: func() msgr2.Message { return &MonSubscribe{} }},
		{Type: TypeMonSubscribeAck, Name: "mon_subscribe_ack", New: func() msgr2.Message { return &MonSubscribeAck{} }},
		{Type: TypeAuth, Name: "auth", New: func() msgr2.Message { return &Auth{} }},
		{Type: TypeAuthReply, Name: "auth_reply", New: func() msgr2.Message { return &AuthReply{} }},
		{Type: TypeMonGetVersion, Name: "mon_get_version", New: func() msgr2.Message { return &MonGetVersion{} }},
		{Type: TypeMonGetVersionReply, Name: "mon_get_version_reply", New: func() msgr2.Message { return &MonGetVersionReply{} }},
		{Type: TypePoolOp, Name: "poolop", New: func() msgr2.Message { return &PoolOp{} }},
		{Type: TypePoolOpReply, Name: "poolopreply", New: func() msgr2.Message { return &PoolOpReply{} }},
		{Type: TypeMonCommand, Name: "mon_command", New: func() msgr2.Message { return &MonCommand{} }},
		{Type: TypeMonCommandAck, Name: "mon_command_ack", New: func() msgr2.Message { return &MonCommandAck{} }},
		{Type: TypeLog, Name: "log", New: func() msgr2.Message { return &Log{} }},
		{Type: TypeConfig, Name: "config", New: func() msgr2.Message { return &Config{} }},
	} {
		r.Register(t)
	}
}

// NewRegistry returns a registry holding this package's messages.
func NewRegistry() *msgr2.Registry {
	r := msgr2.NewRegistry()
	Register(r)
	return r
}

// finish turns a decoder's state into the result of DecodePayload.
func finish(d *encoding.Decoder) error { return d.Err() }

// PaxosHeader is what every PaxosServiceMessage starts with
// (src/messages/PaxosServiceMessage.h paxos_encode): the map version the
// sender has, and two fields kept for compatibility (session mon -1, tid 0).
type PaxosHeader struct {
	PaxosVersion         uint64
	DeprecatedSessionMon int16
	DeprecatedSessionTid uint64
}

// NewPaxosHeader returns the header Ceph's constructors set up.
func NewPaxosHeader(v uint64) PaxosHeader {
	return PaxosHeader{PaxosVersion: v, DeprecatedSessionMon: -1}
}

func (p *PaxosHeader) encode(e *encoding.Encoder) {
	e.U64(p.PaxosVersion)
	e.I16(p.DeprecatedSessionMon)
	e.U64(p.DeprecatedSessionTid)
}

func (p *PaxosHeader) decode(d *encoding.Decoder) {
	p.PaxosVersion = d.U64()
	p.DeprecatedSessionMon = d.I16()
	p.DeprecatedSessionTid = d.U64()
}

func encodeStrings(e *encoding.Encoder, v []string) { encoding.Slice(e, v, encoding.EncStr) }
func decodeStrings(d *encoding.Decoder) []string    { return encoding.DecodeSlice(d, 4, encoding.DecStr) }
