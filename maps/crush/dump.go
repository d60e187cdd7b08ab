package crush

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Dump is CrushWrapper::dump: the body of `ceph osd crush dump` (and of
// `crushtool --dump`), an object with devices, types, buckets, rules,
// tunables and choose_args.
func (m *CrushMap) Dump() *Object {
	o := NewObject()
	devices := []any{}
	for i := int32(0); i < m.MaxDevices; i++ {
		d := NewObject().Set("id", i)
		if n, ok := m.ItemNames[i]; ok {
			d.Set("name", n)
		} else {
			d.Set("name", fmt.Sprintf("device%d", i))
		}
		if c, ok := m.ItemClass(i); ok {
			d.Set("class", c)
		}
		devices = append(devices, d)
	}
	o.Set("devices", devices)

	types := []any{}
	n := len(m.TypeNames)
	for i := int32(0); n > 0; i++ {
		name, ok := m.TypeNames[i]
		if !ok {
			if i == 0 {
				types = append(types, NewObject().Set("type_id", 0).Set("name", "device"))
			}
			continue
		}
		n--
		types = append(types, NewObject().Set("type_id", i).Set("name", name))
	}
	o.Set("types", types)

	buckets := []any{}
	for i, b := range m.Buckets {
		if b == nil {
			continue
		}
		id := int32(-1 - i)
		bo := NewObject().Set("id", id)
		if name, ok := m.ItemNames[id]; ok {
			bo.Set("name", name)
		}
		bo.Set("type_id", int(b.Type))
		if tn, ok := m.TypeNames[int32(b.Type)]; ok {
			bo.Set("type_name", tn)
		}
		bo.Set("weight", b.Weight)
		bo.Set("alg", b.Alg.String())
		bo.Set("hash", b.Hash.String())
		items := []any{}
		for j, it := range b.Items {
			items = append(items, NewObject().Set("id", it).Set("weight", b.ItemWeightAt(j)).Set("pos", j))
		}
		bo.Set("items", items)
		buckets = append(buckets, bo)
	}
	o.Set("buckets", buckets)

	rules := []any{}
	for i, r := range m.Rules {
		if r != nil {
			rules = append(rules, m.DumpRule(i))
		}
	}
	o.Set("rules", rules)
	o.Set("tunables", m.DumpTunables())
	o.Set("choose_args", m.dumpChooseArgs())
	return o
}

// DumpRule is CrushWrapper::dump_rule (`osd crush rule dump NAME`).
func (m *CrushMap) DumpRule(id int) *Object {
	r := m.Rules[id]
	o := NewObject().Set("rule_id", id)
	if name, ok := m.RuleNames[int32(id)]; ok {
		o.Set("rule_name", name)
	}
	o.Set("ruleset", int(r.Ruleset))
	o.Set("type", int(r.Type))
	o.Set("min_size", int(r.MinSize))
	o.Set("max_size", int(r.MaxSize))
	steps := []any{}
	for _, s := range r.Steps {
		so := NewObject()
		switch s.Op {
		case OpNoop, OpEmit:
			so.Set("op", s.Op.String())
		case OpTake:
			so.Set("op", "take").Set("item", s.Arg1).Set("item_name", m.ItemNames[s.Arg1])
		case OpChooseFirstN, OpChooseIndep, OpChooseLeafFirstN, OpChooseLeafIndep:
			so.Set("op", s.Op.String()).Set("num", s.Arg1).Set("type", m.TypeNames[s.Arg2])
		case OpSetChooseTries, OpSetChooseLeafTries:
			so.Set("op", s.Op.String()).Set("num", s.Arg1)
		default:
			// dump_rule names no other op, not even the other set_* steps.
			so.Set("opcode", uint32(s.Op)).Set("arg1", s.Arg1).Set("arg2", s.Arg2)
		}
		steps = append(steps, so)
	}
	o.Set("steps", steps)
	return o
}

// Tunables profile checks (CrushWrapper.h has_*_tunables).
func (t Tunables) common(localTries, fallback, total, descend uint32, varyR, stable uint8, algs uint32) bool {
	return t.ChooseLocalTries == localTries && t.ChooseLocalFallbackTries == fallback &&
		t.ChooseTotalTries == total && t.ChooseLeafDescendOnce == descend &&
		t.ChooseLeafVaryR == varyR && t.ChooseLeafStable == stable && t.AllowedBucketAlgs == algs
}

// Profile names the tunables profile these tunables match, or "unknown".
func (t Tunables) Profile() string {
	switch {
	case t.common(0, 0, 50, 1, 1, 1, DefaultAllowedBucketAlgs):
		return "jewel"
	case t.common(0, 0, 50, 1, 1, 0, DefaultAllowedBucketAlgs):
		return "hammer"
	case t.common(0, 0, 50, 1, 1, 0, LegacyAllowedBucketAlgs):
		return "firefly"
	case t.common(0, 0, 50, 1, 0, 0, LegacyAllowedBucketAlgs):
		return "bobtail"
	case t.common(2, 5, 19, 0, 0, 0, LegacyAllowedBucketAlgs):
		return "argonaut"
	}
	return "unknown"
}

func (m *CrushMap) hasRuleOp(ops ...RuleOp) bool {
	for _, r := range m.Rules {
		for _, s := range r.GetSteps() {
			if slices.Contains(ops, s.Op) {
				return true
			}
		}
	}
	return false
}

func (m *CrushMap) hasV4Buckets() bool {
	for _, b := range m.Buckets {
		if b != nil && b.Alg == BucketStraw2 {
			return true
		}
	}
	return false
}

// MinRequiredVersion is get_min_required_version: the oldest release
// whose clients can use this map.
func (m *CrushMap) MinRequiredVersion() string {
	t := m.Tunables
	switch {
	case m.hasRuleOp(OpSetChooseLeafStable) || t.ChooseLeafStable != 0:
		return "jewel"
	case m.hasV4Buckets():
		return "hammer"
	case t.ChooseLeafVaryR != 0:
		return "firefly"
	case t.ChooseLeafDescendOnce != 0 || t.ChooseLocalTries != 2 || t.ChooseLocalFallbackTries != 5 || t.ChooseTotalTries != 19:
		return "bobtail"
	}
	return "argonaut"
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DumpTunables is CrushWrapper::dump_tunables (`osd crush show-tunables`).
func (m *CrushMap) DumpTunables() *Object {
	t := m.Tunables
	profile := t.Profile()
	return NewObject().
		Set("choose_local_tries", t.ChooseLocalTries).
		Set("choose_local_fallback_tries", t.ChooseLocalFallbackTries).
		Set("choose_total_tries", t.ChooseTotalTries).
		Set("chooseleaf_descend_once", t.ChooseLeafDescendOnce).
		Set("chooseleaf_vary_r", t.ChooseLeafVaryR).
		Set("chooseleaf_stable", t.ChooseLeafStable).
		Set("straw_calc_version", t.StrawCalcVersion).
		Set("allowed_bucket_algs", t.AllowedBucketAlgs).
		Set("profile", profile).
		Set("optimal_tunables", b2i(profile == "jewel")).
		Set("legacy_tunables", b2i(profile == "argonaut")).
		Set("minimum_required_version", m.MinRequiredVersion()).
		Set("require_feature_tunables", b2i(t.ChooseLocalTries != 2 || t.ChooseLocalFallbackTries != 5 || t.ChooseTotalTries != 19)).
		Set("require_feature_tunables2", b2i(t.ChooseLeafDescendOnce != 0)).
		Set("has_v2_rules", b2i(m.hasRuleOp(OpChooseIndep, OpChooseLeafIndep, OpSetChooseTries, OpSetChooseLeafTries))).
		Set("require_feature_tunables3", b2i(t.ChooseLeafVaryR != 0)).
		Set("has_v3_rules", b2i(m.hasRuleOp(OpSetChooseLeafVaryR))).
		Set("has_v4_buckets", b2i(m.hasV4Buckets())).
		Set("require_feature_tunables5", b2i(t.ChooseLeafStable != 0)).
		Set("has_v5_rules", b2i(m.hasRuleOp(OpSetChooseLeafStable)))
}

// dumpChooseArgs is CrushWrapper::dump_choose_args.
func (m *CrushMap) dumpChooseArgs() *Object {
	o := NewObject()
	for _, key := range slices.Sorted(maps.Keys(m.ChooseArgs)) {
		am := m.ChooseArgs[key]
		list := []any{}
		for _, i := range slices.Sorted(maps.Keys(am)) {
			a := am[i]
			if a.empty() {
				continue
			}
			ao := NewObject().Set("bucket_id", -1-i)
			if len(a.WeightSet) > 0 {
				sets := []any{}
				for _, ws := range a.WeightSet {
					w := []any{}
					for _, x := range ws {
						w = append(w, Float(float32(x)/float32(0x10000)))
					}
					sets = append(sets, w)
				}
				ao.Set("weight_set", sets)
			}
			if len(a.IDs) > 0 {
				ao.Set("ids", a.IDs)
			}
			list = append(list, ao)
		}
		o.Set(strconv.FormatInt(key, 10), list)
	}
	return o
}
