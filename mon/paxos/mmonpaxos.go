package paxos

import (
	"fmt"
	"strconv"

	"github.com/kelp-ceph/kelp/encoding"
)

// MsgMonPaxos is the message type of MMonPaxos (MSG_MON_PAXOS,
// src/msg/Message.h).
const MsgMonPaxos = 66

// MMonPaxos header versions (src/messages/MMonPaxos.h): version 4 added
// feature_map; 3 is the oldest a decoder must accept.
const (
	MMonPaxosHeadVersion   = 4
	MMonPaxosCompatVersion = 3
)

// Op is an MMonPaxos op.
type Op int32

const (
	OpCollect  Op = 1 // leader: start a round with a new pn
	OpLast     Op = 2 // peon: reply to collect
	OpBegin    Op = 3 // leader: value proposed for last_committed+1
	OpAccept   Op = 4 // peon: value accepted
	OpCommit   Op = 5 // leader: value(s) committed
	OpLease    Op = 6 // leader: extend the peons' read lease
	OpLeaseAck Op = 7 // peon: lease acknowledged
)

// String returns Ceph's op name (MMonPaxos::get_opname).
func (o Op) String() string {
	switch o {
	case OpCollect:
		return "collect"
	case OpLast:
		return "last"
	case OpBegin:
		return "begin"
	case OpAccept:
		return "accept"
	case OpCommit:
		return "commit"
	case OpLease:
		return "lease"
	case OpLeaseAck:
		return "lease_ack"
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// MMonPaxos is the Paxos message between monitors, field for field as
// src/messages/MMonPaxos.h. Values are encoded MonitorDBStore
// transactions keyed by version.
type MMonPaxos struct {
	Epoch          uint32 // the monitor's election epoch
	Op             Op
	FirstCommitted uint64
	LastCommitted  uint64
	PNFrom         uint64 // pn_from: last_committed when the pn was chosen
	PN             uint64
	UncommittedPN  uint64 // with OpLast: the pn of an uncommitted value
	LeaseTimestamp encoding.UTime
	SentTimestamp  encoding.UTime
	LatestVersion  uint64
	LatestValue    []byte
	Values         map[uint64][]byte
	FeatureMap     []byte // an encoded FeatureMap, opaque to Paxos
}

// String prints m as Ceph's MMonPaxos::print does.
func (m *MMonPaxos) String() string {
	s := fmt.Sprintf("paxos(%s lc %d fc %d pn %d opn %d", m.Op, m.LastCommitted, m.FirstCommitted, m.PN, m.UncommittedPN)
	if m.LatestVersion != 0 {
		s += fmt.Sprintf(" latest %d (%d bytes)", m.LatestVersion, len(m.LatestValue))
	}
	return s + ")"
}

// EncodePayload appends the message payload (MMonPaxos::encode_payload);
// the header version to send with it is MMonPaxosHeadVersion.
func (m *MMonPaxos) EncodePayload(e *encoding.Encoder) {
	e.U32(m.Epoch)
	e.I32(int32(m.Op))
	e.U64(m.FirstCommitted)
	e.U64(m.LastCommitted)
	e.U64(m.PNFrom)
	e.U64(m.PN)
	e.U64(m.UncommittedPN)
	e.UTime(m.LeaseTimestamp)
	e.UTime(m.SentTimestamp)
	e.U64(m.LatestVersion)
	e.Blob(m.LatestValue)
	encoding.Map(e, m.Values, encoding.EncU64, encoding.EncBlob)
	e.Blob(m.FeatureMap)
}

// MarshalPayload returns the encoded payload.
func (m *MMonPaxos) MarshalPayload() []byte {
	var e encoding.Encoder
	m.EncodePayload(&e)
	return e.Bytes()
}

// DecodeMMonPaxos decodes a payload sent with the given header version
// (feature_map is present from version 4). Byte slices are copies.
func DecodeMMonPaxos(payload []byte, headerVersion uint16) (*MMonPaxos, error) {
	if headerVersion < MMonPaxosCompatVersion {
		return nil, fmt.Errorf("paxos: MMonPaxos header version %d is older than %d", headerVersion, MMonPaxosCompatVersion)
	}
	d := encoding.NewDecoder(payload)
	m := &MMonPaxos{}
	m.Epoch = d.U32()
	m.Op = Op(d.I32())
	m.FirstCommitted = d.U64()
	m.LastCommitted = d.U64()
	m.PNFrom = d.U64()
	m.PN = d.U64()
	m.UncommittedPN = d.U64()
	m.LeaseTimestamp = d.UTime()
	m.SentTimestamp = d.UTime()
	m.LatestVersion = d.U64()
	m.LatestValue = d.BlobCopy()
	// A map entry is at least a u64 key and a u32 length.
	m.Values = encoding.DecodeMap(d, 12, encoding.DecU64, encoding.DecBlob)
	if headerVersion >= 4 {
		m.FeatureMap = d.BlobCopy()
	}
	// Ceph ignores bytes after the fields it knows (a newer sender).
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("paxos: decoding MMonPaxos: %w", err)
	}
	return m, nil
}
