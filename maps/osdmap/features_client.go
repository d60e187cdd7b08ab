package osdmap

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/crush"
)

// crushFeatures returns the client feature bits the CRUSH map demands
// (the crush part of OSDMap::get_features), and those of the rules pools
// use.
func (m *OSDMap) clientFeatures() uint64 {
	var f uint64
	add := func(x encoding.Feature) { f |= uint64(x) }
	c, err := m.CrushMap()
	if err == nil && c != nil {
		t := c.Tunables
		if t.ChooseLocalTries != 2 || t.ChooseLocalFallbackTries != 5 || t.ChooseTotalTries != 19 {
			add(encoding.FeatureCrushTunables)
		}
		if t.ChooseLeafDescendOnce != 0 {
			add(encoding.FeatureCrushTunables2)
		}
		if t.ChooseLeafVaryR != 0 {
			add(encoding.FeatureCrushTunables3)
		}
		for _, b := range c.Buckets {
			if b != nil && b.Alg == crush.BucketStraw2 {
				add(encoding.FeatureCrushV4)
				break
			}
		}
		if t.ChooseLeafStable != 0 {
			add(encoding.FeatureCrushTunables5)
		}
		if incompatChooseArgs(c) {
			add(encoding.FeatureCrushChooseArgs)
		}
	}
	if len(m.PGUpmap) > 0 || len(m.PGUpmapItems) > 0 {
		add(encoding.FeatureOSDMapPGUpmap)
	}
	for _, p := range m.Pools {
		if p.HasFlag(PoolFlagHashPSPool) {
			add(encoding.FeatureOSDHashPSPool)
		}
		if len(p.Tiers) > 0 || p.TierOf >= 0 {
			add(encoding.FeatureOSDCachePool)
		}
		if c == nil || int(p.CrushRule) >= len(c.Rules) || c.Rules[p.CrushRule] == nil {
			continue
		}
		for _, s := range c.Rules[p.CrushRule].Steps {
			switch s.Op {
			case crush.OpChooseIndep, crush.OpChooseLeafIndep, crush.OpSetChooseTries, crush.OpSetChooseLeafTries:
				add(encoding.FeatureCrushV2)
			case crush.OpSetChooseLeafVaryR:
				add(encoding.FeatureCrushTunables3)
			case crush.OpSetChooseLeafStable:
				add(encoding.FeatureCrushTunables5)
			}
		}
	}
	for _, a := range m.PrimaryAffinity {
		if a != DefaultPrimaryAffinity {
			add(encoding.FeatureOSDPrimaryAffinity)
			break
		}
	}
	return f
}

func incompatChooseArgs(c *crush.CrushMap) bool {
	if len(c.ChooseArgs) == 0 {
		return false
	}
	if len(c.ChooseArgs) > 1 {
		return true
	}
	args, ok := c.ChooseArgs[crush.DefaultChooseArgs]
	if !ok {
		return true
	}
	for _, a := range args {
		if len(a.WeightSet) == 0 && len(a.IDs) == 0 {
			continue
		}
		if len(a.WeightSet) != 1 || len(a.IDs) != 0 {
			return true
		}
	}
	return false
}

// MinCompatClient is OSDMap::get_min_compat_client: the oldest client
// release that can use this map.
func (m *OSDMap) MinCompatClient() encoding.Release {
	f := m.clientFeatures()
	has := func(x encoding.Feature) bool { return encoding.HasFeature(f, x) }
	switch {
	case has(encoding.FeatureOSDMapPGUpmap), has(encoding.FeatureCrushChooseArgs):
		return encoding.ReleaseLuminous
	case has(encoding.FeatureCrushTunables5):
		return 10 // jewel
	case has(encoding.FeatureCrushV4):
		return 8 // hammer
	case has(encoding.FeatureOSDPrimaryAffinity), has(encoding.FeatureCrushTunables3), has(encoding.FeatureOSDCachePool):
		return 6 // firefly
	case has(encoding.FeatureCrushTunables2), has(encoding.FeatureOSDHashPSPool):
		return 4 // dumpling
	}
	return 1 // argonaut
}
