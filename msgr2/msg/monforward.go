package msg

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Forward is MForward (HEAD_VERSION 4, COMPAT_VERSION 4 in Pacific): a
// peon passes a client's request that needs the leader (an update) on to
// it, with what the leader needs to judge and answer it: the client's
// type, addresses, caps, features and name (Monitor::forward_request_leader).
// The leader answers with a Route carrying the same Tid.
//
// Ceph encodes version 3 (an entity_inst_t) for peers without
// SERVER_NAUTILUS; kelp always encodes version 4 and decodes both.
type Forward struct {
	msgr2.MsgBase
	Tid              uint64
	ClientType       encoding.EntityType
	ClientAddrs      encoding.EntityAddrVec
	ClientSocketAddr encoding.EntityAddr
	ClientCaps       string // MonCap text
	Msg              EncodedMessage
	ConFeatures      uint64
	EntityName       encoding.EntityName
}

func (*Forward) Type() uint16              { return TypeForward }
func (*Forward) Version() (uint16, uint16) { return 4, 4 }

func (m *Forward) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U64(m.Tid)
	e.U8(uint8(m.ClientType))
	e.EntityAddrVec(m.ClientAddrs, features)
	e.EntityAddr(m.ClientSocketAddr, features)
	encodeMonCap(&e, m.ClientCaps)
	m.Msg.encode(&e)
	e.U64(m.ConFeatures)
	e.EntityName(m.EntityName)
	return e.Bytes(), nil, nil
}

func (m *Forward) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Tid = d.U64()
	if m.Hdr.Version < 4 {
		var inst EntityInst
		inst.decode(d)
		m.ClientType = inst.Name.Type
		m.ClientAddrs = encoding.EntityAddrVec{inst.Addr}
		m.ClientSocketAddr = inst.Addr
	} else {
		m.ClientType = encoding.EntityType(d.U8())
		m.ClientAddrs = d.EntityAddrVec()
		m.ClientSocketAddr = d.EntityAddr()
	}
	m.ClientCaps = decodeMonCap(d)
	m.Msg.decode(d)
	m.ConFeatures = d.U64()
	m.EntityName = d.EntityName()
	return finish(d)
}

func (m *Forward) String() string {
	return fmt.Sprintf("forward(type %d caps %s tid %d con_features %d)", m.Msg.Type, m.ClientCaps, m.Tid, m.ConFeatures)
}

// encodeMonCap encodes MonCap (src/mon/MonCap.cc): its text in a
// versioned struct (4, 4).
func encodeMonCap(e *encoding.Encoder, text string) {
	s := e.Start(4, 4)
	e.Str(text)
	e.End(s)
}

func decodeMonCap(d *encoding.Decoder) string {
	s := d.Start(4)
	text := d.Str()
	d.End(s)
	return text
}

// Route is MRoute (HEAD_VERSION 3, COMPAT_VERSION 3): the leader's reply
// to a forwarded request, sent back to the peon that forwarded it, which
// hands Msg to the client of session SessionMonTid
// (Monitor::handle_route). Msg is nil when there is no reply (the
// request was only to be dropped).
type Route struct {
	msgr2.MsgBase
	SessionMonTid   uint64
	Msg             *EncodedMessage
	SendOSDMapFirst uint32
}

func (*Route) Type() uint16              { return TypeRoute }
func (*Route) Version() (uint16, uint16) { return 3, 3 }

func (m *Route) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U64(m.SessionMonTid)
	var unused EntityInst // dest, defunct
	unused.encode(&e, features)
	e.Bool(m.Msg != nil)
	if m.Msg != nil {
		m.Msg.encode(&e)
	}
	e.U32(m.SendOSDMapFirst)
	return e.Bytes(), nil, nil
}

func (m *Route) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.SessionMonTid = d.U64()
	var unused EntityInst
	unused.decode(d)
	m.Msg = nil
	if d.Bool() {
		m.Msg = &EncodedMessage{}
		m.Msg.decode(d)
	}
	m.SendOSDMapFirst = d.U32()
	return finish(d)
}

func (m *Route) String() string {
	s := "route(no-reply"
	if m.Msg != nil {
		s = fmt.Sprintf("route(type %d", m.Msg.Type)
	}
	if m.SendOSDMapFirst != 0 {
		s += fmt.Sprintf(" send_osdmap_first %d", m.SendOSDMapFirst)
	}
	if m.SessionMonTid != 0 {
		return s + fmt.Sprintf(" tid %d)", m.SessionMonTid)
	}
	return s + " tid (none)"
}
