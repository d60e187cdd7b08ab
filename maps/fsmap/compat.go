package fsmap

import "github.com/kelp-ceph/kelp/encoding"

// FeatureSet is CompatSet::FeatureSet (src/include/CompatSet.h): feature
// ids with names. The in-memory mask always has bit 0 set, which the
// encoding clears; kelp keeps only the names, from which the mask follows.
type FeatureSet map[uint64]string

// CompatSet is the three feature sets an MDS map advertises.
type CompatSet struct {
	Compat, ROCompat, Incompat FeatureSet
}

func encodeFeatureSet(e *encoding.Encoder, f FeatureSet) {
	var mask uint64
	for id := range f {
		if id < 64 {
			mask |= 1 << id
		}
	}
	e.U64(mask &^ 1)
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
