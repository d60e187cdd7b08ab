package encoding

import (
	"cmp"
	"maps"
	"slices"
)

// The container helpers follow Ceph's encodings of std::vector, std::list,
// std::set, std::map and their flat/mempool variants: a u32 count followed
// by the elements. Ceph's ordered containers iterate in key order, so maps
// are encoded with their keys sorted to give the same bytes.

// Slice encodes a vector, list or set held as a slice in its wire order.
func Slice[T any](e *Encoder, s []T, enc func(*Encoder, T)) {
	e.Count(len(s))
	for _, v := range s {
		enc(e, v)
	}
}

// DecodeSlice decodes a vector, list or set. minSize is the least number of
// bytes one element occupies on the wire; it bounds the allocation.
func DecodeSlice[T any](d *Decoder, minSize int, dec func(*Decoder) T) []T {
	n := d.Count(minSize)
	if n == 0 {
		return nil
	}
	s := make([]T, 0, n)
	for range n {
		v := dec(d)
		if d.err != nil {
			return nil
		}
		s = append(s, v)
	}
	return s
}

// Map encodes a std::map with keys in ascending order.
func Map[K cmp.Ordered, V any](e *Encoder, m map[K]V, encK func(*Encoder, K), encV func(*Encoder, V)) {
	e.Count(len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		encK(e, k)
		encV(e, m[k])
	}
}

// DecodeMap decodes a std::map. minSize is the least number of bytes a key
// and its value occupy together.
func DecodeMap[K comparable, V any](d *Decoder, minSize int, decK func(*Decoder) K, decV func(*Decoder) V) map[K]V {
	n := d.Count(minSize)
	m := make(map[K]V, n)
	for range n {
		k := decK(d)
		v := decV(d)
		if d.err != nil {
			return m
		}
		m[k] = v
	}
	return m
}

// Optional encodes std::optional / boost::optional: a presence byte and,
// when present, the value.
func Optional[T any](e *Encoder, v *T, enc func(*Encoder, T)) {
	if v == nil {
		e.U8(0)
		return
	}
	e.U8(1)
	enc(e, *v)
}

// DecodeOptional decodes what Optional encodes.
func DecodeOptional[T any](d *Decoder, dec func(*Decoder) T) *T {
	if !d.Bool() || d.err != nil {
		return nil
	}
	v := dec(d)
	if d.err != nil {
		return nil
	}
	return &v
}

// Element codecs for the common key and value types, to pass to the
// container helpers.
func EncU8(e *Encoder, v uint8)    { e.U8(v) }
func EncU16(e *Encoder, v uint16)  { e.U16(v) }
func EncU32(e *Encoder, v uint32)  { e.U32(v) }
func EncU64(e *Encoder, v uint64)  { e.U64(v) }
func EncI32(e *Encoder, v int32)   { e.I32(v) }
func EncI64(e *Encoder, v int64)   { e.I64(v) }
func EncStr(e *Encoder, v string)  { e.Str(v) }
func EncBlob(e *Encoder, v []byte) { e.Blob(v) }
func DecU8(d *Decoder) uint8       { return d.U8() }
func DecU16(d *Decoder) uint16     { return d.U16() }
func DecU32(d *Decoder) uint32     { return d.U32() }
func DecU64(d *Decoder) uint64     { return d.U64() }
func DecI32(d *Decoder) int32      { return d.I32() }
func DecI64(d *Decoder) int64      { return d.I64() }
func DecStr(d *Decoder) string     { return d.Str() }
func DecBlob(d *Decoder) []byte    { return d.BlobCopy() }
