package crush

import (
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// Encode returns the map's encoding for a peer with the given features,
// following CrushWrapper::encode: chooseleaf_stable needs CRUSH_TUNABLES5,
// device classes and choose_args need SERVER_LUMINOUS, and a peer without
// CRUSH_CHOOSE_ARGS gets the first weight set of the first choose_args map
// folded into the straw2 weights.
func (m *CrushMap) Encode(features uint64) []byte {
	e := encoding.NewEncoder(nil)
	m.EncodeTo(e, features)
	return e.Bytes()
}

// EncodeTo appends the encoding to e.
func (m *CrushMap) EncodeTo(e *encoding.Encoder, features uint64) {
	e.U32(Magic)
	e.I32(int32(len(m.Buckets)))
	e.U32(uint32(len(m.Rules)))
	e.I32(m.MaxDevices)

	var compat ChooseArgMap
	if len(m.ChooseArgs) > 0 && !encoding.HasFeature(features, encoding.FeatureCrushChooseArgs) {
		compat = m.ChooseArgs[slices.Min(slices.Collect(maps.Keys(m.ChooseArgs)))]
	}

	for i, b := range m.Buckets {
		if b == nil {
			e.U32(0)
			continue
		}
		e.U32(uint32(b.Alg))
		e.I32(b.ID)
		e.U16(b.Type)
		e.U8(uint8(b.Alg))
		e.U8(uint8(b.Hash))
		e.U32(b.Weight)
		e.U32(uint32(len(b.Items)))
		for _, it := range b.Items {
			e.I32(it)
		}
		switch b.Alg {
		case BucketUniform:
			e.U32(b.ItemWeight)
		case BucketList:
			for j := range b.Items {
				e.U32(b.ItemWeights[j])
				e.U32(b.SumWeights[j])
			}
		case BucketTree:
			e.U8(b.NumNodes)
			for _, w := range b.NodeWeights {
				e.U32(w)
			}
		case BucketStraw:
			for j := range b.Items {
				e.U32(b.ItemWeights[j])
				e.U32(b.Straws[j])
			}
		case BucketStraw2:
			w := b.ItemWeights
			if a, ok := compat[int32(i)]; ok && len(a.WeightSet) > 0 {
				w = a.WeightSet[0]
			}
			for j := range b.Items {
				e.U32(w[j])
			}
		}
	}

	for _, r := range m.Rules {
		if r == nil {
			e.U32(0)
			continue
		}
		e.U32(1)
		e.U32(uint32(len(r.Steps)))
		e.U8(r.Ruleset)
		e.U8(uint8(r.Type))
		e.U8(r.MinSize)
		e.U8(r.MaxSize)
		for _, s := range r.Steps {
			e.U32(uint32(s.Op))
			e.I32(s.Arg1)
			e.I32(s.Arg2)
		}
	}

	encoding.Map(e, m.TypeNames, encoding.EncI32, encoding.EncStr)
	encoding.Map(e, m.ItemNames, encoding.EncI32, encoding.EncStr)
	encoding.Map(e, m.RuleNames, encoding.EncI32, encoding.EncStr)

	t := m.Tunables
	e.U32(t.ChooseLocalTries)
	e.U32(t.ChooseLocalFallbackTries)
	e.U32(t.ChooseTotalTries)
	e.U32(t.ChooseLeafDescendOnce)
	e.U8(t.ChooseLeafVaryR)
	e.U8(t.StrawCalcVersion)
	e.U32(t.AllowedBucketAlgs)
	// CrushWrapper tests this bit without HAVE_FEATURE's incarnation mask.
	if features&uint64(encoding.FeatureCrushTunables5) != 0 {
		e.U8(t.ChooseLeafStable)
	}

	if !encoding.HasFeature(features, encoding.FeatureServerLuminous) {
		return
	}
	encoding.Map(e, m.ClassMap, encoding.EncI32, encoding.EncI32)
	encoding.Map(e, m.ClassNames, encoding.EncI32, encoding.EncStr)
	encoding.Map(e, m.ClassBucket, encoding.EncI32, func(e *encoding.Encoder, v map[int32]int32) {
		encoding.Map(e, v, encoding.EncI32, encoding.EncI32)
	})

	e.U32(uint32(len(m.ChooseArgs)))
	for _, key := range slices.Sorted(maps.Keys(m.ChooseArgs)) {
		am := m.ChooseArgs[key]
		e.I64(key)
		idx := make([]int32, 0, len(am))
		for i, a := range am {
			if !a.empty() {
				idx = append(idx, i)
			}
		}
		slices.Sort(idx)
		e.U32(uint32(len(idx)))
		for _, i := range idx {
			a := am[i]
			e.U32(uint32(i))
			e.U32(uint32(len(a.WeightSet)))
			for _, ws := range a.WeightSet {
				e.U32(uint32(len(ws)))
				for _, w := range ws {
					e.U32(w)
				}
			}
			e.U32(uint32(len(a.IDs)))
			for _, id := range a.IDs {
				e.I32(id)
			}
		}
	}
}
