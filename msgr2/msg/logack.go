package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// TypeLogAck is MSG_LOGACK (src/include/ceph_fs.h via msg_types).
const TypeLogAck = 53

// LogAck is MLogAck: the monitor has committed a daemon's log entries up
// to Last on Channel (src/messages/MLogAck.h, HEAD_VERSION 2).
type LogAck struct {
	msgr2.MsgBase
	FSID    encoding.UUID
	Last    uint64
	Channel string
}

func (*LogAck) Type() uint16              { return TypeLogAck }
func (*LogAck) Version() (uint16, uint16) { return 2, 1 }
func (m *LogAck) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.UUID(m.FSID)
	e.U64(m.Last)
	e.Str(m.Channel)
	return e.Bytes(), nil, nil
}
func (m *LogAck) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.FSID = d.UUID()
	m.Last = d.U64()
	if m.Hdr.Version >= 2 {
		m.Channel = d.Str()
	}
	return finish(d)
}

// RegisterLogAck adds MLogAck to a registry (clients receive it).
func RegisterLogAck(r *msgr2.Registry) {
	r.Register(msgr2.MessageType{Type: TypeLogAck, Name: "log_ack", New: func() msgr2.Message { return &LogAck{} }})
}
