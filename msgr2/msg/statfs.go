package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Message types of the cluster statistics requests (src/include/ceph_fs.h).
const (
	TypeStatfs      = 13
	TypeStatfsReply = 14
)

// Statfs is MStatfs (PaxosServiceMessage, HEAD_VERSION 2): librados'
// rados_cluster_stat asks for the cluster's (or one data pool's) usage.
type Statfs struct {
	msgr2.MsgBase
	Paxos    PaxosHeader
	FSID     encoding.UUID
	DataPool *int64 // boost::optional<int64_t>, from version 2
}

func (*Statfs) Type() uint16              { return TypeStatfs }
func (*Statfs) Version() (uint16, uint16) { return 2, 0 }
func (m *Statfs) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	encoding.Optional(&e, m.DataPool, encoding.EncI64)
	return e.Bytes(), nil, nil
}
func (m *Statfs) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	if m.Hdr.Version >= 2 {
		m.DataPool = encoding.DecodeOptional(d, encoding.DecI64)
	}
	return finish(d)
}

// CephStatfs is struct ceph_statfs: sizes in KiB and the object count.
type CephStatfs struct {
	KB, KBUsed, KBAvail, NumObjects uint64
}

// StatfsReply is MStatfsReply: ceph_mon_statfs_reply encoded raw (fsid,
// version, ceph_statfs), 56 bytes.
type StatfsReply struct {
	msgr2.MsgBase
	FSID       encoding.UUID
	MapVersion uint64
	St         CephStatfs
}

func (*StatfsReply) Type() uint16              { return TypeStatfsReply }
func (*StatfsReply) Version() (uint16, uint16) { return 1, 0 }
func (m *StatfsReply) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.UUID(m.FSID)
	e.U64(m.MapVersion)
	e.U64(m.St.KB)
	e.U64(m.St.KBUsed)
	e.U64(m.St.KBAvail)
	e.U64(m.St.NumObjects)
	return e.Bytes(), nil, nil
}
func (m *StatfsReply) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.FSID = d.UUID()
	m.MapVersion = d.U64()
	m.St = CephStatfs{d.U64(), d.U64(), d.U64(), d.U64()}
	return finish(d)
}

// RegisterStatfs adds MStatfs and MStatfsReply to a registry.
func RegisterStatfs(r *msgr2.Registry) {
	r.Register(msgr2.MessageType{Type: TypeStatfs, Name: "statfs", New: func() msgr2.Message { return &Statfs{} }})
	r.Register(msgr2.MessageType{Type: TypeStatfsReply, Name: "statfs_reply", New: func() msgr2.Message { return &StatfsReply{} }})
}
