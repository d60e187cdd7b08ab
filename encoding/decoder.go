package encoding

import (
	"encoding/binary"
	"math"
)

// Decoder reads Ceph-encoded values from a byte slice. It never reads past
// its current bound (the end of the input, or of the versioned struct being
// decoded) and keeps the first error it meets: after that every read returns
// a zero value and Err reports the error.
//
// Slices returned by Raw and Blob alias the input and are valid as long as
// the input is; use BlobCopy for a slice that outlives it.
type Decoder struct {
	buf []byte
	off int
	end int // current bound: len(buf) or the end of the innermost struct
	err error
}

// NewDecoder returns a Decoder over b.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b, end: len(b)} }

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Fail records err as the Decoder's error unless one is already recorded.
// Decoders of composite types use it to report validation failures.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Remaining returns the bytes left before the current bound.
func (d *Decoder) Remaining() int {
	if d.err != nil {
		return 0
	}
	return d.end - d.off
}

// Offset returns the number of input bytes consumed.
func (d *Decoder) Offset() int { return d.off }

// Done reports an error if bytes remain unread before the current bound; it
// returns Err otherwise. Top-level decoders use it to reject trailing junk.
func (d *Decoder) Done() error {
	if d.err == nil && d.off != d.end {
		d.err = Malformedf("%d trailing bytes", d.end-d.off)
	}
	return d.err
}

// take returns the next n bytes, or nil after recording ErrShort.
func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.end-d.off {
		d.err = ErrShort
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

func (d *Decoder) U8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *Decoder) U16() uint16 {
	if b := d.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *Decoder) U32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *Decoder) U64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *Decoder) I8() int8         { return int8(d.U8()) }
func (d *Decoder) I16() int16       { return int16(d.U16()) }
func (d *Decoder) I32() int32       { return int32(d.U32()) }
func (d *Decoder) I64() int64       { return int64(d.U64()) }
func (d *Decoder) F32() float32     { return math.Float32frombits(d.U32()) }
func (d *Decoder) F64() float64     { return math.Float64frombits(d.U64()) }
func (d *Decoder) Bool() bool       { return d.U8() != 0 }
func (d *Decoder) Raw(n int) []byte { return d.take(n) }

// Skip discards n bytes.
func (d *Decoder) Skip(n int) { d.take(n) }

// Blob decodes a u32 length and that many bytes, aliasing the input.
func (d *Decoder) Blob() []byte {
	n := d.U32()
	if d.err != nil {
		return nil
	}
	if uint64(n) > uint64(d.end-d.off) {
		d.err = ErrShort
		return nil
	}
	return d.take(int(n))
}

// BlobCopy is Blob into a fresh slice the caller owns.
func (d *Decoder) BlobCopy() []byte {
	b := d.Blob()
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// Str decodes a std::string.
func (d *Decoder) Str() string { return string(d.Blob()) }

// Count decodes a container's u32 element count and checks it against the
// bytes left, given that each element takes at least minSize bytes (at
// least 1 is assumed). It returns 0 with ErrShort recorded when the count
// cannot fit, so callers may allocate the returned count safely.
func (d *Decoder) Count(minSize int) int {
	n := d.U32()
	if d.err != nil {
		return 0
	}
	if minSize < 1 {
		minSize = 1
	}
	if uint64(n)*uint64(minSize) > uint64(d.end-d.off) {
		d.err = ErrShort
		return 0
	}
	return int(n)
}

// Struct is what Start read of a versioned struct's header; pass it to End.
type Struct struct {
	V      uint8 // struct_v: the encoder's version
	Compat uint8 // struct_compat: the oldest version that can decode it
	end    int
	outer  int
}

// Start begins a versioned struct (DECODE_START(supported)): it reads the
// version, compat version and u32 length, fails with *IncompatError when
// the encoding needs a newer decoder than supported, and bounds the Decoder
// to the struct until End.
func (d *Decoder) Start(supported uint8) Struct {
	return d.StartNamed("", supported)
}

// StartNamed is Start with a struct name for the IncompatError.
func (d *Decoder) StartNamed(name string, supported uint8) Struct {
	v := d.U8()
	compat := d.U8()
	if d.err == nil && compat > supported {
		d.err = &IncompatError{Struct: name, Supported: supported, Compat: compat}
	}
	return d.bound(v, compat)
}

// bound reads a u32 struct length and narrows the Decoder to it.
func (d *Decoder) bound(v, compat uint8) Struct {
	n := d.U32()
	if d.err != nil {
		return Struct{end: d.end, outer: d.end}
	}
	if uint64(n) > uint64(d.end-d.off) {
		d.err = ErrShort
		return Struct{end: d.end, outer: d.end}
	}
	s := Struct{V: v, Compat: compat, end: d.off + int(n), outer: d.end}
	d.end = s.end
	return s
}

// StartLegacy begins a struct in one of the DECODE_START_LEGACY_COMPAT_LEN
// forms, for types whose old encodings predate ENCODE_START: the compat
// byte is present only when struct_v >= compatV (otherwise skip bytes of an
// old layout are skipped, 0 for the plain form, 1 for _16, 3 for _32), and
// the u32 length only when struct_v >= lenV. Without a length the struct is
// bounded by the enclosing one.
func (d *Decoder) StartLegacy(supported, compatV, lenV, skip uint8) Struct {
	v := d.U8()
	var compat uint8
	if v >= compatV {
		compat = d.U8()
		if d.err == nil && compat > supported {
			d.err = &IncompatError{Supported: supported, Compat: compat}
		}
	} else if skip > 0 {
		d.Skip(int(skip))
	}
	if v >= lenV {
		return d.bound(v, compat)
	}
	return Struct{V: v, Compat: compat, end: d.end, outer: d.end}
}

// End finishes a struct begun by Start or StartLegacy (DECODE_FINISH): it
// skips whatever a newer encoder appended that this decoder did not read,
// and restores the enclosing bound.
func (d *Decoder) End(s Struct) {
	if d.err == nil {
		d.off = s.end
	}
	d.end = s.outer
}
