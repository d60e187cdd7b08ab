package msg

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// MonPingOp is an MMonPing op (src/messages/MMonPing.h).
type MonPingOp uint8

const (
	MonPingPing  MonPingOp = 1
	MonPingReply MonPingOp = 2
)

func (o MonPingOp) String() string {
	switch o {
	case MonPingPing:
		return "ping"
	case MonPingReply:
		return "ping_reply"
	}
	return "???"
}

// maxMonPingPadding bounds the padding a MonPing may announce: Ceph pads
// to mon_ping_message_size-like sizes of a few KB (jumbo frames).
const maxMonPingPadding = 1 << 20

// MonPing is MMonPing (HEAD_VERSION 1): the connectivity pings Elector
// sends every mon_elector_ping_timeout / 3 (Elector::send_peer_ping).
// TrackerBL is the sender's encoded ConnectionReport (package
// mon/elector decodes it). The message ends with a u32 count of zero
// padding bytes (MinMessageSize makes Ceph pad up to that size).
type MonPing struct {
	msgr2.MsgBase
	Op             MonPingOp
	Stamp          encoding.UTime
	TrackerBL      []byte
	MinMessageSize uint32
}

func (*MonPing) Type() uint16              { return TypeMonPing }
func (*MonPing) Version() (uint16, uint16) { return 1, 1 }

func (m *MonPing) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U8(uint8(m.Op))
	e.UTime(m.Stamp)
	e.Blob(m.TrackerBL)
	pad := 0
	if int(m.MinMessageSize) > e.Len() {
		pad = int(m.MinMessageSize) - e.Len()
	}
	e.U32(uint32(pad))
	e.Zeros(pad)
	return e.Bytes(), nil, nil
}

func (m *MonPing) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Op = MonPingOp(d.U8())
	m.Stamp = d.UTime()
	m.TrackerBL = d.Blob()
	mid := d.Offset()
	pad := d.U32()
	if d.Err() == nil && pad > maxMonPingPadding {
		d.Fail(encoding.Malformedf("mon_ping padding of %d bytes", pad))
	}
	d.Skip(int(pad))
	m.MinMessageSize = pad + uint32(mid)
	return finish(d)
}

func (m *MonPing) String() string {
	return fmt.Sprintf("mon_ping(%s stamp %d.%09d)", m.Op, m.Stamp.Sec, m.Stamp.Nsec)
}
