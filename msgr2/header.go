package msgr2

import (
	"encoding/binary"

	"github.com/kelp-ceph/kelp/encoding"
)

// Message priorities (CEPH_MSG_PRIO_* in src/include/msgr.h).
const (
	PrioLow     = 64
	PrioDefault = 127
	PrioHigh    = 196
	PrioHighest = 255
)

// header2Len is sizeof(struct ceph_msg_header2) (src/include/msgr.h): the
// first segment of every MESSAGE frame.
const header2Len = 41

// MsgHeader is what a message carries besides its payload. On the wire it
// is ceph_msg_header2: seq, tid, type, priority, version,
// data_pre_padding_len, data_off, ack_seq, flags, compat_version, reserved.
// Segment lengths live in the preamble and the source in the session
// (CLIENT_IDENT/SERVER_IDENT), so unlike msgr1's ceph_msg_header neither is
// here; the msgr1 footer's crcs and "complete" flag are replaced by the
// frame's crcs or auth tags and the epilogue's late status.
type MsgHeader struct {
	Seq           uint64
	Tid           uint64
	Type          uint16
	Priority      uint16
	Version       uint16
	CompatVersion uint16
	DataOff       uint16
	Flags         uint8
	// Src is the sender as the session identified it (entity_name_t:
	// peer type and the gid from its ident frame); set on receipt.
	Src encoding.EntityNameT
}

// appendHeader2 encodes ceph_msg_header2 with the connection's ack_seq.
func appendHeader2(b []byte, h *MsgHeader, ackSeq uint64) []byte {
	b = binary.LittleEndian.AppendUint64(b, h.Seq)
	b = binary.LittleEndian.AppendUint64(b, h.Tid)
	b = binary.LittleEndian.AppendUint16(b, h.Type)
	b = binary.LittleEndian.AppendUint16(b, h.Priority)
	b = binary.LittleEndian.AppendUint16(b, h.Version)
	b = binary.LittleEndian.AppendUint32(b, 0) // data_pre_padding_len
	b = binary.LittleEndian.AppendUint16(b, h.DataOff)
	b = binary.LittleEndian.AppendUint64(b, ackSeq)
	b = append(b, h.Flags)
	b = binary.LittleEndian.AppendUint16(b, h.CompatVersion)
	return binary.LittleEndian.AppendUint16(b, 0) // reserved
}

// decodeHeader2 parses ceph_msg_header2 and returns the ack_seq it carries.
func decodeHeader2(b []byte) (h MsgHeader, ackSeq uint64, err error) {
	if len(b) != header2Len {
		return h, 0, protoErr("message header is %d bytes, want %d", len(b), header2Len)
	}
	h.Seq = binary.LittleEndian.Uint64(b)
	h.Tid = binary.LittleEndian.Uint64(b[8:])
	h.Type = binary.LittleEndian.Uint16(b[16:])
	h.Priority = binary.LittleEndian.Uint16(b[18:])
	h.Version = binary.LittleEndian.Uint16(b[20:])
	if pad := binary.LittleEndian.Uint32(b[22:]); pad != 0 {
		return h, 0, protoErr("data_pre_padding_len %d not supported", pad)
	}
	h.DataOff = binary.LittleEndian.Uint16(b[26:])
	ackSeq = binary.LittleEndian.Uint64(b[28:])
	h.Flags = b[36]
	h.CompatVersion = binary.LittleEndian.Uint16(b[37:])
	return h, ackSeq, nil
}
