package crush

import (
	"maps"
	"slices"
)

// Clone returns a deep copy, for a monitor that edits a pending map while
// the committed one stays in use.
func (m *CrushMap) Clone() *CrushMap {
	c := *m
	c.Buckets = make([]*Bucket, len(m.Buckets))
	for i, b := range m.Buckets {
		if b == nil {
			continue
		}
		nb := *b
		nb.Items = slices.Clone(b.Items)
		nb.ItemWeights = slices.Clone(b.ItemWeights)
		nb.SumWeights = slices.Clone(b.SumWeights)
		nb.NodeWeights = slices.Clone(b.NodeWeights)
		nb.Straws = slices.Clone(b.Straws)
		c.Buckets[i] = &nb
	}
	c.Rules = make([]*Rule, len(m.Rules))
	for i, r := range m.Rules {
		if r != nil {
			nr := *r
			nr.Steps = slices.Clone(r.Steps)
			c.Rules[i] = &nr
		}
	}
	c.TypeNames = maps.Clone(m.TypeNames)
	c.ItemNames = maps.Clone(m.ItemNames)
	c.RuleNames = maps.Clone(m.RuleNames)
	c.ClassMap = maps.Clone(m.ClassMap)
	c.ClassNames = maps.Clone(m.ClassNames)
	c.ClassBucket = make(map[int32]map[int32]int32, len(m.ClassBucket))
	for k, v := range m.ClassBucket {
		c.ClassBucket[k] = maps.Clone(v)
	}
	c.ChooseArgs = make(map[int64]ChooseArgMap, len(m.ChooseArgs))
	for k, am := range m.ChooseArgs {
		nam := make(ChooseArgMap, len(am))
		for i, a := range am {
			na := ChooseArg{IDs: slices.Clone(a.IDs)}
			if a.WeightSet != nil {
				na.WeightSet = make([][]uint32, len(a.WeightSet))
				for j, ws := range a.WeightSet {
					na.WeightSet[j] = slices.Clone(ws)
				}
			}
			nam[i] = na
		}
		c.ChooseArgs[k] = nam
	}
	if c.TypeNames == nil {
		c.TypeNames = map[int32]string{}
	}
	if c.ItemNames == nil {
		c.ItemNames = map[int32]string{}
	}
	if c.RuleNames == nil {
		c.RuleNames = map[int32]string{}
	}
	if c.ClassMap == nil {
		c.ClassMap = map[int32]int32{}
	}
	if c.ClassNames == nil {
		c.ClassNames = map[int32]string{}
	}
	return &c
}
