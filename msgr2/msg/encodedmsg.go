package msg

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// EncodedMessage is a whole message as encode_message writes it inside
// another one (src/msg/Message.cc): the msgr1 ceph_msg_header (53 bytes),
// the old footer (front, middle and data crcs and flags, 13 bytes) and
// the three segments as length-prefixed buffers. MForward and MRoute
// carry the forwarded request and the routed reply this way.
//
// The header's segment lengths are derived from the segments; the other
// fields round-trip as received. Segments alias the decoded payload.
type EncodedMessage struct {
	Seq           uint64
	Tid           uint64
	Type          uint16
	Priority      uint16
	Version       uint16
	DataOff       uint16
	Src           encoding.EntityNameT
	CompatVersion uint16
	HeaderCRC     uint32
	FrontCRC      uint32
	MiddleCRC     uint32
	DataCRC       uint32
	FooterFlags   uint8
	Front         []byte
	Middle        []byte
	Data          []byte
}

// msgHeaderLen is sizeof(struct ceph_msg_header) (src/include/msgr.h).
const msgHeaderLen = 53

// Footer flags (CEPH_MSG_FOOTER_*).
const (
	FooterComplete = 1
	FooterNoCRC    = 2
	FooterSigned   = 4
)

// EncodeMessage wraps m, encoded for features, with the source src, as
// Ceph's encode_message does: header and footer crcs computed, footer
// complete.
func EncodeMessage(m msgr2.Message, features uint64, src encoding.EntityNameT) *EncodedMessage {
	front, middle, data := m.EncodePayload(features)
	head, compat := m.Version()
	h := m.Header()
	em := &EncodedMessage{
		Seq: h.Seq, Tid: h.Tid, Type: m.Type(), Priority: h.Priority, Version: head,
		CompatVersion: compat, DataOff: h.DataOff, Src: src,
		Front: front, Middle: middle, Data: data,
		FrontCRC:    encoding.CRC32C(0, front),
		MiddleCRC:   encoding.CRC32C(0, middle),
		DataCRC:     encoding.CRC32C(0, data),
		FooterFlags: FooterComplete,
	}
	em.HeaderCRC = em.computeHeaderCRC()
	return em
}

func (m *EncodedMessage) appendHeader(e *encoding.Encoder, crc uint32) {
	e.U64(m.Seq)
	e.U64(m.Tid)
	e.U16(m.Type)
	e.U16(m.Priority)
	e.U16(m.Version)
	e.U32(uint32(len(m.Front)))
	e.U32(uint32(len(m.Middle)))
	e.U32(uint32(len(m.Data)))
	e.U16(m.DataOff)
	e.EntityNameT(m.Src)
	e.U16(m.CompatVersion)
	e.U16(0) // reserved
	e.U32(crc)
}

// computeHeaderCRC is ceph_msg_header's crc: crc32c of every byte before
// the crc field.
func (m *EncodedMessage) computeHeaderCRC() uint32 {
	var e encoding.Encoder
	m.appendHeader(&e, 0)
	b := e.Bytes()
	return encoding.CRC32C(0, b[:msgHeaderLen-4])
}

// CheckCRC reports whether the header and footer crcs match the content
// (decode_message does when asked to; MForward's decoder does not).
func (m *EncodedMessage) CheckCRC() error {
	if got := m.computeHeaderCRC(); got != m.HeaderCRC {
		return fmt.Errorf("msg: encoded message header crc %#x, computed %#x", m.HeaderCRC, got)
	}
	if m.FooterFlags&FooterNoCRC != 0 {
		return nil
	}
	if encoding.CRC32C(0, m.Front) != m.FrontCRC || encoding.CRC32C(0, m.Middle) != m.MiddleCRC ||
		encoding.CRC32C(0, m.Data) != m.DataCRC {
		return fmt.Errorf("msg: encoded message of type %d: segment crc mismatch", m.Type)
	}
	return nil
}

func (m *EncodedMessage) encode(e *encoding.Encoder) {
	m.appendHeader(e, m.HeaderCRC)
	e.U32(m.FrontCRC)
	e.U32(m.MiddleCRC)
	e.U32(m.DataCRC)
	e.U8(m.FooterFlags)
	e.Blob(m.Front)
	e.Blob(m.Middle)
	e.Blob(m.Data)
}

func (m *EncodedMessage) decode(d *encoding.Decoder) {
	m.Seq = d.U64()
	m.Tid = d.U64()
	m.Type = d.U16()
	m.Priority = d.U16()
	m.Version = d.U16()
	frontLen, middleLen, dataLen := d.U32(), d.U32(), d.U32()
	m.DataOff = d.U16()
	m.Src = d.EntityNameT()
	m.CompatVersion = d.U16()
	d.U16() // reserved
	m.HeaderCRC = d.U32()
	m.FrontCRC = d.U32()
	m.MiddleCRC = d.U32()
	m.DataCRC = d.U32()
	m.FooterFlags = d.U8()
	m.Front = d.Blob()
	m.Middle = d.Blob()
	m.Data = d.Blob()
	if d.Err() == nil && (uint32(len(m.Front)) != frontLen || uint32(len(m.Middle)) != middleLen || uint32(len(m.Data)) != dataLen) {
		d.Fail(encoding.Malformedf("encoded message: header lengths %d/%d/%d, segments %d/%d/%d",
			frontLen, middleLen, dataLen, len(m.Front), len(m.Middle), len(m.Data)))
	}
}

// Decode decodes the carried message with r's constructor for its type,
// as it would have arrived from a peer with features.
// Raw returns the message undecoded, to be sent on as it is: a routed
// reply of a type this side never decodes (maps, acks) reaches the
// client byte for byte as the leader encoded it for that client.
func (m *EncodedMessage) Raw() *msgr2.RawMessage {
	r := &msgr2.RawMessage{Front: m.Front, Middle: m.Middle, Data: m.Data}
	h := r.Header()
	h.Tid, h.Type, h.Priority = m.Tid, m.Type, m.Priority
	h.Version, h.CompatVersion, h.DataOff, h.Src = m.Version, m.CompatVersion, m.DataOff, m.Src
	return r
}

func (m *EncodedMessage) Decode(r *msgr2.Registry, features uint64) (msgr2.Message, error) {
	t, ok := r.Lookup(m.Type)
	if !ok {
		return nil, fmt.Errorf("msg: encoded message of unregistered type %d", m.Type)
	}
	inner := t.New()
	h := inner.Header()
	h.Seq, h.Tid, h.Type, h.Priority = m.Seq, m.Tid, m.Type, m.Priority
	h.Version, h.CompatVersion, h.DataOff, h.Src = m.Version, m.CompatVersion, m.DataOff, m.Src
	if err := inner.DecodePayload(features, m.Front, m.Middle, m.Data); err != nil {
		return nil, err
	}
	return inner, nil
}
