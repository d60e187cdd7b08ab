package monmap

import (
	"math/bits"

	"github.com/kelp-ceph/kelp/encoding"
)

// MonFeatures is mon_feature_t (src/mon/mon_types.h): the monitor
// cluster's own feature bits, separate from the connection features.
type MonFeatures uint64

// Monitor features (ceph::features::mon).
const (
	MonFeatureKraken         MonFeatures = 1 << 0
	MonFeatureLuminous       MonFeatures = 1 << 1
	MonFeatureMimic          MonFeatures = 1 << 2
	MonFeatureOSDMapPrune    MonFeatures = 1 << 3
	MonFeatureNautilus       MonFeatures = 1 << 4
	MonFeatureOctopus        MonFeatures = 1 << 5
	MonFeaturePacific        MonFeatures = 1 << 6
	MonFeatureElectorPinging MonFeatures = 1 << 7
)

// MonFeaturesPacific is what a Pacific monitor cluster persists once all
// its monitors run Pacific (ceph::features::mon::get_persistent()).
const MonFeaturesPacific = MonFeatureKraken | MonFeatureLuminous | MonFeatureMimic |
	MonFeatureOSDMapPrune | MonFeatureNautilus | MonFeatureOctopus | MonFeaturePacific |
	MonFeatureElectorPinging

var monFeatureNames = []string{"kraken", "luminous", "mimic", "osdmap-prune", "nautilus",
	"octopus", "pacific", "elector-pinging"}

// Names lists the features by Ceph's names, lowest bit first; unknown bits
// print as "unknown".
func (f MonFeatures) Names() []string {
	out := []string{}
	for v := uint64(f); v != 0; v &= v - 1 {
		b := bits.TrailingZeros64(v)
		if b < len(monFeatureNames) {
			out = append(out, monFeatureNames[b])
		} else {
			out = append(out, "unknown")
		}
	}
	return out
}

func encodeMonFeatures(e *encoding.Encoder, f MonFeatures) {
	m := e.Start(1, 1)
	e.U64(uint64(f))
	e.End(m)
}

func decodeMonFeatures(d *encoding.Decoder) MonFeatures {
	s := d.StartNamed("mon_feature_t", 1)
	f := d.U64()
	d.End(s)
	return MonFeatures(f)
}
