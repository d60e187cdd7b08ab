package osdmap

import (
	"cmp"
	"slices"
)

// normalize sorts the intervals and merges overlapping or adjacent ones,
// the form interval_set keeps.
func (s IntervalSet) normalize() IntervalSet {
	iv := slices.Clone(s)
	slices.SortFunc(iv, func(a, b Interval) int { return cmp.Compare(a.Start, b.Start) })
	var out IntervalSet
	for _, x := range iv {
		if x.Len == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Start+out[n-1].Len >= x.Start {
			if end := x.Start + x.Len; end > out[n-1].Start+out[n-1].Len {
				out[n-1].Len = end - out[n-1].Start
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// Union returns s ∪ o (interval_set::union_of).
func (s IntervalSet) Union(o IntervalSet) IntervalSet {
	return append(slices.Clone(s), o...).normalize()
}

// Subtract returns s minus o.
func (s IntervalSet) Subtract(o IntervalSet) IntervalSet {
	out := s.normalize()
	for _, r := range o.normalize() {
		var next IntervalSet
		rEnd := r.Start + r.Len
		for _, x := range out {
			xEnd := x.Start + x.Len
			if xEnd <= r.Start || x.Start >= rEnd {
				next = append(next, x)
				continue
			}
			if x.Start < r.Start {
				next = append(next, Interval{x.Start, r.Start - x.Start})
			}
			if xEnd > rEnd {
				next = append(next, Interval{rEnd, xEnd - rEnd})
			}
		}
		out = next
	}
	return out
}

// Contains reports whether v lies in one of the intervals.
func (s IntervalSet) Contains(v uint64) bool {
	for _, x := range s {
		if v >= x.Start && v-x.Start < x.Len {
			return true
		}
	}
	return false
}
