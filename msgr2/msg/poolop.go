package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Pool operations (POOL_OP_* in src/include/rados.h).
const (
	PoolOpCreate          = 0x01
	PoolOpDelete          = 0x02
	PoolOpAuidChange      = 0x03
	PoolOpCreateSnap      = 0x11
	PoolOpDeleteSnap      = 0x12
	PoolOpCreateUnmanaged = 0x21
	PoolOpDeleteUnmanaged = 0x22
)

// PoolOp is MPoolOp (HEAD_VERSION 4, COMPAT_VERSION 2): a pool or pool
// snapshot operation from librados.
type PoolOp struct {
	msgr2.MsgBase
	Paxos     PaxosHeader
	FSID      encoding.UUID
	Pool      uint32
	Name      string
	Op        uint32
	Auid      uint64
	SnapID    uint64
	CrushRule int16
}

func (*PoolOp) Type() uint16              { return TypePoolOp }
func (*PoolOp) Version() (uint16, uint16) { return 4, 2 }
func (m *PoolOp) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	e.U32(m.Pool)
	e.U32(m.Op)
	e.U64(m.Auid)
	e.U64(m.SnapID)
	e.Str(m.Name)
	e.U8(0) // pad, for the v3->v4 encoding change
	e.I16(m.CrushRule)
	return e.Bytes(), nil, nil
}
func (m *PoolOp) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	v := m.Hdr.Version
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	m.Pool = d.U32()
	if v < 2 {
		m.Name = d.Str()
	}
	m.Op = d.U32()
	m.Auid = d.U64()
	m.SnapID = d.U64()
	if v >= 2 {
		m.Name = d.Str()
	}
	m.CrushRule = -1
	if v >= 3 {
		pad := d.U8()
		if v >= 4 {
			m.CrushRule = d.I16()
		} else {
			m.CrushRule = int16(pad)
		}
	}
	return finish(d)
}

// PoolOpReply is MPoolOpReply: the result of a PoolOp, with the osdmap
// epoch that carries it and optional response data.
type PoolOpReply struct {
	msgr2.MsgBase
	Paxos        PaxosHeader
	FSID         encoding.UUID
	ReplyCode    uint32
	Epoch        uint32
	ResponseData []byte
}

func (*PoolOpReply) Type() uint16              { return TypePoolOpReply }
func (*PoolOpReply) Version() (uint16, uint16) { return 1, 0 }
func (m *PoolOpReply) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	e.U32(m.ReplyCode)
	e.U32(m.Epoch)
	if len(m.ResponseData) > 0 {
		e.Bool(true)
		e.Blob(m.ResponseData)
	} else {
		e.Bool(false)
	}
	return e.Bytes(), nil, nil
}
func (m *PoolOpReply) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	m.ReplyCode = d.U32()
	m.Epoch = d.U32()
	if d.Bool() {
		m.ResponseData = d.Blob()
	}
	return finish(d)
}
