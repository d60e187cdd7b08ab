package osdmap

import "github.com/kelp-ceph/kelp/encoding"

// SignificantFeatures is OSDMap::SIGNIFICANT_FEATURES: the feature bits
// that change how an OSDMap (or its pools, addresses and CRUSH map)
// encodes. Maps for peers with equal significant bits are equal bytes.
const SignificantFeatures = uint64(encoding.FeaturePGID64 | encoding.FeaturePGPool3 |
	encoding.FeatureOSDEnc | encoding.FeatureOSDMapEnc | encoding.FeatureOSDPoolResend |
	encoding.FeatureNewOSDOpEncoding | encoding.FeatureMsgAddr2 | encoding.FeatureCrushTunables5 |
	encoding.FeatureCrushChooseArgs | encoding.FeatureServerLuminous | encoding.FeatureServerMimic |
	encoding.FeatureServerNautilus | encoding.FeatureServerOctopus)

// EncodingFeatures is OSDMap::get_encoding_features: the features a
// monitor encodes this map and its incrementals with, so that the encoding
// stays readable by the oldest OSD release the map requires.
func (m *OSDMap) EncodingFeatures() uint64 {
	f := SignificantFeatures
	clear := func(fs ...encoding.Feature) {
		for _, x := range fs {
			f &^= uint64(x)
		}
	}
	r := m.RequireOSDRelease
	if r < encoding.ReleaseOctopus {
		clear(encoding.FeatureServerOctopus)
	}
	if r < encoding.ReleaseNautilus {
		clear(encoding.FeatureServerNautilus)
	}
	if r < encoding.ReleaseMimic {
		clear(encoding.FeatureServerMimic)
	}
	if r < encoding.ReleaseLuminous {
		clear(encoding.FeatureServerLuminous, encoding.FeatureCrushChooseArgs)
	}
	if r < 11 { // kraken
		clear(encoding.FeatureServerKraken, encoding.FeatureMsgAddr2)
	}
	if r < 10 { // jewel
		clear(encoding.FeatureServerJewel, encoding.FeatureNewOSDOpEncoding, encoding.FeatureCrushTunables5)
	}
	return f
}
