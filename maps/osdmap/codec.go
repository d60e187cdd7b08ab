package osdmap

import (
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// Helpers for the containers the OSDMap encodes whose key order is not Go's
// natural order (pg_t, entity_addr_t) or whose elements need codecs with
// extra arguments. Ceph's std::map iterates in key order, so encoding sorts
// keys with the comparator of the C++ key type.

func encodeSortedMap[K comparable, V any](e *encoding.Encoder, m map[K]V, compare func(a, b K) int,
	encK func(*encoding.Encoder, K), encV func(*encoding.Encoder, V)) {
	e.Count(len(m))
	keys := slices.SortedFunc(maps.Keys(m), compare)
	for _, k := range keys {
		encK(e, k)
		encV(e, m[k])
	}
}

func encodeSet[K comparable](e *encoding.Encoder, s map[K]struct{}, compare func(a, b K) int,
	encK func(*encoding.Encoder, K)) {
	e.Count(len(s))
	for _, k := range slices.SortedFunc(maps.Keys(s), compare) {
		encK(e, k)
	}
}

func decodeSet[K comparable](d *encoding.Decoder, minSize int, decK func(*encoding.Decoder) K) map[K]struct{} {
	n := d.Count(minSize)
	s := make(map[K]struct{}, n)
	for range n {
		k := decK(d)
		if d.Err() != nil {
			break
		}
		s[k] = struct{}{}
	}
	return s
}

func encI32s(e *encoding.Encoder, v []int32) { encoding.Slice(e, v, encoding.EncI32) }
func decI32s(d *encoding.Decoder) []int32 {
	return encoding.DecodeSlice(d, 4, encoding.DecI32)
}

func encStrMap(e *encoding.Encoder, m map[string]string) {
	encoding.Map(e, m, encoding.EncStr, encoding.EncStr)
}
func decStrMap(d *encoding.Decoder) map[string]string {
	return encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
}

func encStrMapMap(e *encoding.Encoder, m map[string]map[string]string) {
	encoding.Map(e, m, encoding.EncStr, encStrMap)
}
func decStrMapMap(d *encoding.Decoder) map[string]map[string]string {
	return encoding.DecodeMap(d, 8, encoding.DecStr, decStrMap)
}

func encUTime(e *encoding.Encoder, u encoding.UTime) { e.UTime(u) }
func decUTime(d *encoding.Decoder) encoding.UTime    { return d.UTime() }

// Interval is one [Start, Start+Len) run of an interval_set.
type Interval struct {
	Start, Len uint64
}

// IntervalSet is interval_set<snapid_t> (snap_interval_set_t), kept in
// its wire order (ascending starts): a u32 count and (start, length)
// pairs of u64.
type IntervalSet []Interval

func encIntervalSet(e *encoding.Encoder, s IntervalSet) {
	e.Count(len(s))
	for _, iv := range s {
		e.U64(iv.Start)
		e.U64(iv.Len)
	}
}

func decIntervalSet(d *encoding.Decoder) IntervalSet {
	return encoding.DecodeSlice(d, 16, func(d *encoding.Decoder) Interval {
		return Interval{Start: d.U64(), Len: d.U64()}
	})
}

func encPoolIntervals(e *encoding.Encoder, m map[int64]IntervalSet) {
	encoding.Map(e, m, encoding.EncI64, encIntervalSet)
}
func decPoolIntervals(d *encoding.Decoder) map[int64]IntervalSet {
	return encoding.DecodeMap(d, 12, encoding.DecI64, decIntervalSet)
}
