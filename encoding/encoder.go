package encoding

import (
	"encoding/binary"
	"math"
)

// Encoder appends Ceph-encoded values to a byte slice. The zero value is
// ready to use. Encoding never fails.
type Encoder struct {
	buf []byte
}

// NewEncoder returns an Encoder that appends to buf (which may be nil), so a
// caller can reuse a buffer's capacity across messages.
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns everything encoded so far. The slice aliases the Encoder's
// buffer and is valid until the next write.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Reset empties the Encoder, keeping its capacity.
func (e *Encoder) Reset() { e.buf = e.buf[:0] }

func (e *Encoder) U8(v uint8)   { e.buf = append(e.buf, v) }
func (e *Encoder) U16(v uint16) { e.buf = binary.LittleEndian.AppendUint16(e.buf, v) }
func (e *Encoder) U32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }
func (e *Encoder) U64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }
func (e *Encoder) I8(v int8)    { e.U8(uint8(v)) }
func (e *Encoder) I16(v int16)  { e.U16(uint16(v)) }
func (e *Encoder) I32(v int32)  { e.U32(uint32(v)) }
func (e *Encoder) I64(v int64)  { e.U64(uint64(v)) }

// Bool encodes a bool as one byte, 0 or 1.
func (e *Encoder) Bool(v bool) {
	if v {
		e.U8(1)
	} else {
		e.U8(0)
	}
}

// F32 and F64 encode IEEE-754 values little-endian, as Ceph's WRITE_RAW_ENCODER
// does for float and double.
func (e *Encoder) F32(v float32) { e.U32(math.Float32bits(v)) }
func (e *Encoder) F64(v float64) { e.U64(math.Float64bits(v)) }

// Raw appends b with no length prefix (a fixed-size array, or a blob whose
// length was encoded separately).
func (e *Encoder) Raw(b []byte) { e.buf = append(e.buf, b...) }

// Zeros appends n zero bytes.
func (e *Encoder) Zeros(n int) {
	for range n {
		e.buf = append(e.buf, 0)
	}
}

// Blob encodes a bufferlist or byte vector: a u32 length and the bytes.
func (e *Encoder) Blob(b []byte) {
	e.U32(uint32(len(b)))
	e.buf = append(e.buf, b...)
}

// Str encodes a std::string: a u32 length and the bytes.
func (e *Encoder) Str(s string) {
	e.U32(uint32(len(s)))
	e.buf = append(e.buf, s...)
}

// Count encodes a container's element count as Ceph does: a u32.
func (e *Encoder) Count(n int) { e.U32(uint32(n)) }

// StructMark remembers where a versioned struct's length goes; see Start.
type StructMark int

// Start begins a versioned struct (ENCODE_START(v, compat)): it writes the
// struct version, the oldest version that can decode it, and a placeholder
// for the u32 length that End fills in.
func (e *Encoder) Start(v, compat uint8) StructMark {
	e.buf = append(e.buf, v, compat, 0, 0, 0, 0)
	return StructMark(len(e.buf))
}

// End finishes the struct begun by Start (ENCODE_FINISH).
func (e *Encoder) End(m StructMark) {
	n := len(e.buf) - int(m)
	binary.LittleEndian.PutUint32(e.buf[int(m)-4:], uint32(n))
}

// LenMark remembers where a u32 length goes; see BeginLen.
type LenMark int

// BeginLen reserves a u32 length for a nested blob (a bufferlist encoded in
// place), which EndLen fills in with the number of bytes written since.
func (e *Encoder) BeginLen() LenMark {
	e.buf = append(e.buf, 0, 0, 0, 0)
	return LenMark(len(e.buf))
}

// EndLen fills in the length reserved by BeginLen.
func (e *Encoder) EndLen(m LenMark) {
	binary.LittleEndian.PutUint32(e.buf[int(m)-4:], uint32(len(e.buf)-int(m)))
}
