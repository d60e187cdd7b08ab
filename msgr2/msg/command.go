package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// MonCommand is MMonCommand (PaxosServiceMessage): a command as JSON
// strings, its input in the data segment. The reply carries the same tid.
type MonCommand struct {
	msgr2.MsgBase
	Paxos PaxosHeader
	FSID  encoding.UUID
	Cmd   []string
	InBL  []byte
}

func (*MonCommand) Type() uint16              { return TypeMonCommand }
func (*MonCommand) Version() (uint16, uint16) { return 1, 0 }
func (m *MonCommand) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	encodeStrings(&e, m.Cmd)
	return e.Bytes(), nil, m.InBL
}
func (m *MonCommand) DecodePayload(_ uint64, front, _, data []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	m.Cmd = decodeStrings(d)
	m.InBL = data
	return finish(d)
}

// MonCommandAck is MMonCommandAck (PaxosServiceMessage): the result code,
// status string, the command echoed, and output in the data segment.
type MonCommandAck struct {
	msgr2.MsgBase
	Paxos PaxosHeader
	R     int32
	RS    string
	Cmd   []string
	OutBL []byte
}

func (*MonCommandAck) Type() uint16              { return TypeMonCommandAck }
func (*MonCommandAck) Version() (uint16, uint16) { return 1, 0 }
func (m *MonCommandAck) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.I32(m.R)
	e.Str(m.RS)
	encodeStrings(&e, m.Cmd)
	return e.Bytes(), nil, m.OutBL
}
func (m *MonCommandAck) DecodePayload(_ uint64, front, _, data []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.R = d.I32()
	m.RS = d.Str()
	m.Cmd = decodeStrings(d)
	m.OutBL = data
	return finish(d)
}

// Auth is MAuth (PaxosServiceMessage): an auth protocol's request carried
// in a message (cephx ticket renewal and service key requests after the
// msgr2 handshake). Protocol 0 means the payload lists supported methods.
type Auth struct {
	msgr2.MsgBase
	Paxos       PaxosHeader
	Protocol    uint32
	AuthPayload []byte
	MonMapEpoch uint32
}

func (*Auth) Type() uint16              { return TypeAuth }
func (*Auth) Version() (uint16, uint16) { return 1, 0 }
func (m *Auth) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.U32(m.Protocol)
	e.Blob(m.AuthPayload)
	e.U32(m.MonMapEpoch)
	return e.Bytes(), nil, nil
}
func (m *Auth) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.Protocol = d.U32()
	m.AuthPayload = d.Blob()
	m.MonMapEpoch = 0
	if d.Remaining() > 0 {
		m.MonMapEpoch = d.U32()
	}
	return finish(d)
}

// AuthReply is MAuthReply: the protocol, result code, global id, the
// protocol's reply and a message.
type AuthReply struct {
	msgr2.MsgBase
	Protocol  uint32
	Result    int32
	GlobalID  uint64
	ResultBL  []byte
	ResultMsg string
}

func (*AuthReply) Type() uint16              { return TypeAuthReply }
func (*AuthReply) Version() (uint16, uint16) { return 1, 0 }
func (m *AuthReply) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U32(m.Protocol)
	e.I32(m.Result)
	e.U64(m.GlobalID)
	e.Blob(m.ResultBL)
	e.Str(m.ResultMsg)
	return e.Bytes(), nil, nil
}
func (m *AuthReply) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Protocol = d.U32()
	m.Result = d.I32()
	m.GlobalID = d.U64()
	m.ResultBL = d.Blob()
	m.ResultMsg = d.Str()
	return finish(d)
}
