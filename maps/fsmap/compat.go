package fsmap

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

// FeatureSet is CompatSet::FeatureSet (src/include/CompatSet.h): feature
// ids with names. The in-memory mask always has bit 0 set, which the
// encoding clears; kelp keeps only the names, from which the mask follows.
type FeatureSet map[uint64]string

// CompatSet is the three feature sets an MDS map advertises.
type CompatSet struct {
	Compat, ROCompat, Incompat FeatureSet
}

func encodeFeatureSet(e *encoding.Encoder, f FeatureSet) {
	e.U64(f.mask() &^ 1)
	encoding.Map(e, f, encoding.EncU64, encoding.EncStr)
}

func decodeFeatureSet(d *encoding.Decoder) FeatureSet {
	d.U64() // the mask, implied by the names
	return encoding.DecodeMap(d, 12, encoding.DecU64, encoding.DecStr)
}

func encodeCompatSet(e *encoding.Encoder, c CompatSet) {
	encodeFeatureSet(e, c.Compat)
	encodeFeatureSet(e, c.ROCompat)
	encodeFeatureSet(e, c.Incompat)
}

func decodeCompatSet(d *encoding.Decoder) CompatSet {
	return CompatSet{Compat: decodeFeatureSet(d), ROCompat: decodeFeatureSet(d), Incompat: decodeFeatureSet(d)}
}

// DefaultMDSCompat is MDSMap::get_compat_set_default in Pacific: the
// incompat features every new file system map starts with.
func DefaultMDSCompat() CompatSet {
	return CompatSet{
		Compat:   FeatureSet{},
		ROCompat: FeatureSet{},
		Incompat: FeatureSet{
			1:  "base v0.20",
			2:  "client writeable ranges",
			3:  "default file layouts on dirs",
			4:  "dir inode in separate object",
			5:  "mds uses versioned encoding",
			6:  "dirfrag is stored in omap",
			8:  "no anchor table",
			9:  "file layout v2",
			10: "snaprealm v2",
		},
	}
}

// mask is FeatureSet's in-memory mask: bit 0 always, and one bit for each
// feature id below 64.
func (f FeatureSet) mask() uint64 {
	m := uint64(1)
	for id := range f {
		if id < 64 {
			m |= 1 << id
		}
	}
	return m
}

// Clone returns a copy of c that shares no maps with it.
func (c CompatSet) Clone() CompatSet {
	return CompatSet{Compat: maps.Clone(c.Compat), ROCompat: maps.Clone(c.ROCompat), Incompat: maps.Clone(c.Incompat)}
}

// String prints c as CompatSet's operator<< does:
// compat={},rocompat={},incompat={1=base v0.20,...}.
func (c CompatSet) String() string {
	set := func(fs FeatureSet) string {
		parts := []string{}
		for _, id := range slices.Sorted(maps.Keys(fs)) {
			parts = append(parts, fmt.Sprintf("%d=%s", id, fs[id]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return "compat=" + set(c.Compat) + ",rocompat=" + set(c.ROCompat) + ",incompat=" + set(c.Incompat)
}

// PrintLite is CompatSet::printlite: the three masks in hex.
func (c CompatSet) PrintLite() string {
	return fmt.Sprintf("{c=[%x],r=[%x],i=[%x]}", c.Compat.mask(), c.ROCompat.mask(), c.Incompat.mask())
}
