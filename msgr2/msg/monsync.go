package msg

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// SyncOp is an MMonSync op (src/messages/MMonSync.h).
type SyncOp uint32

const (
	SyncOpGetCookieFull   SyncOp = 1 // requester: start a full store copy
	SyncOpGetCookieRecent SyncOp = 2 // requester: only recent paxos versions
	SyncOpCookie          SyncOp = 3 // provider: here is your cookie
	SyncOpGetChunk        SyncOp = 4 // requester: next keys, please
	SyncOpChunk           SyncOp = 5 // provider: some keys
	SyncOpLastChunk       SyncOp = 6 // provider: the last keys
	SyncOpNoCookie        SyncOp = 8 // provider: unknown or expired cookie
)

func (o SyncOp) String() string {
	switch o {
	case SyncOpGetCookieFull:
		return "get_cookie_full"
	case SyncOpGetCookieRecent:
		return "get_cookie_recent"
	case SyncOpCookie:
		return "cookie"
	case SyncOpGetChunk:
		return "get_chunk"
	case SyncOpChunk:
		return "chunk"
	case SyncOpLastChunk:
		return "last_chunk"
	case SyncOpNoCookie:
		return "no_cookie"
	}
	return fmt.Sprintf("op(%d)", uint32(o))
}

// MonSync is MMonSync (HEAD_VERSION 2, COMPAT_VERSION 2): the store copy
// a monitor too far behind makes from a peer (Monitor::sync_start,
// handle_sync_*). ChunkBL is an encoded MonitorDBStore transaction
// (mon/store.Transaction) holding the chunk's keys; LastKey is the
// (prefix, key) after which the next chunk starts.
//
// ReplyTo is a defunct entity_inst_t Ceph still encodes (blank).
type MonSync struct {
	msgr2.MsgBase
	Op            SyncOp
	Cookie        uint64
	LastCommitted uint64
	LastKey       [2]string
	ChunkBL       []byte
	ReplyTo       EntityInst
}

func (*MonSync) Type() uint16              { return TypeMonSync }
func (*MonSync) Version() (uint16, uint16) { return 2, 2 }

func (m *MonSync) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U32(uint32(m.Op))
	e.U64(m.Cookie)
	e.U64(m.LastCommitted)
	e.Str(m.LastKey[0])
	e.Str(m.LastKey[1])
	e.Blob(m.ChunkBL)
	m.ReplyTo.encode(&e, features)
	return e.Bytes(), nil, nil
}

func (m *MonSync) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Op = SyncOp(d.U32())
	m.Cookie = d.U64()
	m.LastCommitted = d.U64()
	m.LastKey[0] = d.Str()
	m.LastKey[1] = d.Str()
	m.ChunkBL = d.Blob()
	m.ReplyTo.decode(d)
	return finish(d)
}

// String prints m as MMonSync::print does.
func (m *MonSync) String() string {
	s := "mon_sync(" + m.Op.String()
	if m.Cookie != 0 {
		s += fmt.Sprintf(" cookie %d", m.Cookie)
	}
	if m.LastCommitted > 0 {
		s += fmt.Sprintf(" lc %d", m.LastCommitted)
	}
	if len(m.ChunkBL) > 0 {
		s += fmt.Sprintf(" bl %d bytes", len(m.ChunkBL))
	}
	if m.LastKey[0] != "" || m.LastKey[1] != "" {
		s += " last_key " + m.LastKey[0] + "," + m.LastKey[1]
	}
	return s + ")"
}
