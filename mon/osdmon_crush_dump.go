package mon

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/maps/crush"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// The read side of CRUSH: `osd tree`, `osd crush tree`, `osd crush dump`,
// `osd crush rule ls|dump`, following CrushWrapper::dump and
// CrushTreeDumper (src/crush/CrushWrapper.cc, CrushTreeDumper.h) and
// OSDMap's OSDTreePlainDumper/OSDTreeFormattingDumper.

func (s *osdMon) crushRead(req *request, f string) {
	m := s.osdmap
	if req.prefix == "osd tree" {
		var ok bool
		if m, _, ok = s.mapForEpoch(req); !ok {
			return
		}
	}
	cm, err := m.CrushMap()
	if err != nil {
		req.respond(errno(5), err.Error(), nil)
		return
	}
	switch req.prefix {
	case "osd tree":
		out := crushTree(cm, m, true, isJSON(f), false)
		s.replyTree(req, streamed, out, f)
	case "osd crush tree":
		out := crushTree(cm, nil, false, isJSON(f), req.strOr("shadow", "") != "")
		s.replyTree(req, flushed, out, f)
	case "osd crush dump":
		req.replyJSONVia(newlined, 0, "", dumpCrush(cm), req.formatOf(fmtJSONPretty))
	case "osd crush rule ls":
		var names []string
		for i, r := range cm.Rules {
			if r != nil {
				names = append(names, cm.RuleNames[int32(i)])
			}
		}
		if isJSON(f) {
			req.replyJSON(0, "", nonNilStrs(names), f)
		} else {
			var b strings.Builder
			for _, n := range names {
				b.WriteString(n + "\n")
			}
			req.respond(0, "", []byte(b.String()))
		}
	case "osd crush rule dump":
		if name, ok := req.str("name"); ok && name != "" {
			id, ok := cm.RuleID(name)
			if !ok {
				req.respond(errno(2), fmt.Sprintf("unknown crush rule '%s'", name), nil)
				return
			}
			req.replyJSONVia(newlined, 0, "", dumpRule(cm, id), req.formatOf(fmtJSONPretty))
			return
		}
		rules := []ruleJSON{}
		for i, r := range cm.Rules {
			if r != nil {
				rules = append(rules, dumpRule(cm, i))
			}
		}
		req.replyJSONVia(newlined, 0, "", rules, req.formatOf(fmtJSONPretty))
	}
}

// replyTree answers `osd tree` (written into a stream in Ceph) and `osd
// crush tree` (flushed into the reply) with the text or JSON tree in out.
func (s *osdMon) replyTree(req *request, via sink, out any, f string) {
	if str, ok := out.(string); ok {
		req.respond(0, "", []byte(str))
		return
	}
	req.replyJSONVia(via, 0, "", out, f)
}

func nonNilStrs(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

type ruleStepJSON struct {
	Op       string  `json:"op"`
	Item     *int32  `json:"item,omitempty"`
	ItemName *string `json:"item_name,omitempty"`
	Num      *int32  `json:"num,omitempty"`
	Type     *string `json:"type,omitempty"`
}

type ruleJSON struct {
	RuleID   int            `json:"rule_id"`
	RuleName string         `json:"rule_name"`
	Ruleset  uint8          `json:"ruleset"`
	Type     uint8          `json:"type"`
	MinSize  uint8          `json:"min_size"`
	MaxSize  uint8          `json:"max_size"`
	Steps    []ruleStepJSON `json:"steps"`
}

func dumpRule(cm *crush.CrushMap, id int) ruleJSON {
	r := cm.Rules[id]
	j := ruleJSON{RuleID: id, RuleName: cm.RuleNames[int32(id)], Ruleset: r.Ruleset, Type: uint8(r.Type),
		MinSize: r.MinSize, MaxSize: r.MaxSize, Steps: []ruleStepJSON{}}
	for _, st := range r.Steps {
		sj := ruleStepJSON{Op: st.Op.String()}
		a1, a2 := st.Arg1, st.Arg2
		switch st.Op {
		case crush.OpTake:
			name, _ := cm.ItemName(a1)
			sj.Item, sj.ItemName = &a1, &name
		case crush.OpChooseFirstN, crush.OpChooseIndep, crush.OpChooseLeafFirstN, crush.OpChooseLeafIndep:
			t := cm.TypeNames[a2]
			sj.Num, sj.Type = &a1, &t
		case crush.OpEmit, crush.OpNoop:
		default:
			sj.Num = &a1
		}
		j.Steps = append(j.Steps, sj)
	}
	return j
}

type crushItemJSON struct {
	ID     int32  `json:"id"`
	Weight uint32 `json:"weight"`
	Pos    int    `json:"pos"`
}

type crushBucketJSON struct {
	ID       int32           `json:"id"`
	Name     string          `json:"name"`
	TypeID   uint16          `json:"type_id"`
	TypeName string          `json:"type_name"`
	Weight   uint32          `json:"weight"`
	Alg      string          `json:"alg"`
	Hash     string          `json:"hash"`
	Items    []crushItemJSON `json:"items"`
}

type crushDeviceJSON struct {
	ID    int32  `json:"id"`
	Name  string `json:"name"`
	Class string `json:"class,omitempty"`
}

type crushTypeJSON struct {
	TypeID int32  `json:"type_id"`
	Name   string `json:"name"`
}

type crushDumpJSON struct {
	Devices    []crushDeviceJSON `json:"devices"`
	Types      []crushTypeJSON   `json:"types"`
	Buckets    []crushBucketJSON `json:"buckets"`
	Rules      []ruleJSON        `json:"rules"`
	Tunables   *orderedObject    `json:"tunables"`
	ChooseArgs map[string]any    `json:"choose_args"`
}

// dumpCrush is CrushWrapper::dump.
func dumpCrush(cm *crush.CrushMap) crushDumpJSON {
	j := crushDumpJSON{Devices: []crushDeviceJSON{}, Types: []crushTypeJSON{}, Buckets: []crushBucketJSON{},
		Rules: []ruleJSON{}, Tunables: dumpTunables(cm.Tunables), ChooseArgs: map[string]any{}}
	for d := int32(0); d < cm.MaxDevices; d++ {
		name, ok := cm.ItemName(d)
		if !ok {
			continue
		}
		c, _ := cm.ItemClass(d)
		j.Devices = append(j.Devices, crushDeviceJSON{d, name, c})
	}
	for _, t := range slices.Sorted(maps.Keys(cm.TypeNames)) {
		j.Types = append(j.Types, crushTypeJSON{t, cm.TypeNames[t]})
	}
	for _, b := range cm.Buckets {
		if b == nil {
			continue
		}
		bj := crushBucketJSON{ID: b.ID, Name: cm.ItemNames[b.ID], TypeID: b.Type, TypeName: cm.TypeNames[int32(b.Type)],
			Weight: b.Weight, Alg: b.Alg.String(), Hash: b.Hash.String(), Items: []crushItemJSON{}}
		for i, it := range b.Items {
			bj.Items = append(bj.Items, crushItemJSON{it, b.ItemWeightAt(i), i})
		}
		j.Buckets = append(j.Buckets, bj)
	}
	for i, r := range cm.Rules {
		if r != nil {
			j.Rules = append(j.Rules, dumpRule(cm, i))
		}
	}
	return j
}

// dumpTunables is CrushWrapper::dump_tunables for the profiles a Pacific
// cluster uses (jewel, the optimal one) and a best reading of others.
func dumpTunables(t crush.Tunables) *orderedObject {
	o := newOrderedObject()
	o.set("choose_local_tries", t.ChooseLocalTries)
	o.set("choose_local_fallback_tries", t.ChooseLocalFallbackTries)
	o.set("choose_total_tries", t.ChooseTotalTries)
	o.set("chooseleaf_descend_once", t.ChooseLeafDescendOnce)
	o.set("chooseleaf_vary_r", t.ChooseLeafVaryR)
	o.set("chooseleaf_stable", t.ChooseLeafStable)
	o.set("straw_calc_version", t.StrawCalcVersion)
	o.set("allowed_bucket_algs", t.AllowedBucketAlgs)
	optimal, legacy := t == crush.OptimalTunables(), t == crush.LegacyTunables()
	profile := "unknown"
	switch {
	case optimal:
		profile = "jewel"
	case legacy:
		profile = "argonaut"
	}
	o.set("profile", profile)
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	o.set("optimal_tunables", b2i(optimal))
	o.set("legacy_tunables", b2i(legacy))
	minVersion := "argonaut"
	switch {
	case t.ChooseLeafStable != 0:
		minVersion = "jewel"
	case t.ChooseLeafVaryR != 0:
		minVersion = "firefly"
	case !legacy:
		minVersion = "bobtail"
	}
	o.set("minimum_required_version", minVersion)
	tun1 := t.ChooseLocalTries != 2 || t.ChooseLocalFallbackTries != 5 || t.ChooseTotalTries != 19
	o.set("require_feature_tunables", b2i(tun1))
	o.set("require_feature_tunables2", b2i(t.ChooseLeafDescendOnce != 0))
	o.set("has_v2_rules", 0)
	o.set("require_feature_tunables3", b2i(t.ChooseLeafVaryR != 0))
	o.set("has_v3_rules", 0)
	o.set("has_v4_buckets", 1)
	o.set("require_feature_tunables5", b2i(t.ChooseLeafStable != 0))
	o.set("has_v5_rules", 0)
	return o
}

// weightStr prints a weight as the tree dumpers do: "%.5f", and a bare
// 0 for zero.
func weightStr(w float64) string {
	if w == 0 {
		return "0"
	}
	return fmt.Sprintf("%.5f", w)
}

// treeItem is one node the tree dumper visits.
type treeItem struct {
	id       int32
	parent   int32 // 0 for roots
	depth    int
	weight   float64
	children []int32
}

// walkTree visits the hierarchy as CrushTreeDumper does: roots in id
// order, each bucket's children sorted by (class, name).
func walkTree(cm *crush.CrushMap, shadow bool, visit func(treeItem)) map[int32]bool {
	seen := map[int32]bool{}
	var roots []int32
	for _, r := range cm.Roots() {
		if shadow || !cm.IsShadow(r) {
			roots = append(roots, r)
		}
	}
	slices.Sort(roots)
	var walk func(it treeItem)
	walk = func(it treeItem) {
		seen[it.id] = true
		b := cm.Bucket(it.id)
		type child struct {
			class, name string
			id          int32
			w           float64
		}
		var kids []child
		if b != nil {
			for i, c := range b.Items {
				cls, _ := cm.ItemClass(c)
				name, _ := cm.ItemName(c)
				kids = append(kids, child{cls, name, c, crush.WeightFloat(b.ItemWeightAt(i))})
			}
		}
		slices.SortStableFunc(kids, func(a, b child) int {
			if c := strings.Compare(a.class, b.class); c != 0 {
				return c
			}
			return strings.Compare(a.name, b.name)
		})
		for i := len(kids) - 1; i >= 0; i-- {
			it.children = append(it.children, kids[i].id)
		}
		if b != nil && it.children == nil {
			it.children = []int32{}
		}
		visit(it)
		for _, k := range kids {
			walk(treeItem{id: k.id, parent: it.id, depth: it.depth + 1, weight: k.w})
		}
	}
	for _, r := range roots {
		w := 0.0
		if b := cm.Bucket(r); b != nil {
			w = crush.WeightFloat(b.Weight)
		}
		walk(treeItem{id: r, weight: w})
	}
	return seen
}

// crushTree renders `osd tree` (withOSD: status, reweight and primary
// affinity from m, stray OSDs) or `osd crush tree`, as text or as the
// JSON document.
func crushTree(cm *crush.CrushMap, m *osdmap.OSDMap, withOSD, asJSON, shadow bool) any {
	type row = []string
	var rows [][]string
	var nodes []*orderedObject
	osdFields := func(o *orderedObject, id int32) {
		if m == nil {
			return
		}
		if m.Exists(id) {
			o.set("exists", 1)
		} else {
			o.set("exists", 0)
		}
		status := "down"
		switch {
		case m.IsDestroyed(id):
			status = "destroyed"
		case m.IsUp(id):
			status = "up"
		}
		o.set("status", status)
		o.set("reweight", cephFloat(m.Weight(id)))
		o.set("primary_affinity", cephFloat(float64(m.PrimaryAffinityOf(id))/float64(osdmap.MaxPrimaryAffinity)))
	}
	osdCols := func(id int32) []string {
		if !withOSD {
			return nil
		}
		if id < 0 || !m.Exists(id) {
			if id >= 0 {
				return []string{"DNE", "0", ""}
			}
			return []string{"", "", ""}
		}
		status := "down"
		switch {
		case m.IsDestroyed(id):
			status = "destroyed"
		case m.IsUp(id):
			status = "up"
		}
		return []string{status, fmt.Sprintf("%.5f", m.Weight(id)),
			fmt.Sprintf("%.5f", float64(m.PrimaryAffinityOf(id))/float64(osdmap.MaxPrimaryAffinity))}
	}
	seen := walkTree(cm, shadow, func(it treeItem) {
		cls, _ := cm.ItemClass(it.id)
		name, _ := cm.ItemName(it.id)
		var typeID int32
		if b := cm.Bucket(it.id); b != nil {
			typeID = int32(b.Type)
		}
		typeName := cm.TypeNames[typeID]
		if asJSON {
			o := newOrderedObject()
			o.set("id", it.id)
			if cls != "" {
				o.set("device_class", cls)
			}
			o.set("name", name)
			o.set("type", typeName)
			o.set("type_id", typeID)
			if it.id >= 0 {
				o.set("crush_weight", cephFloat(it.weight))
				o.set("depth", it.depth)
			}
			if it.parent < 0 {
				o.set("pool_weights", map[string]any{})
			}
			if it.id >= 0 && withOSD {
				osdFields(o, it.id)
			}
			if it.id < 0 {
				o.set("children", it.children)
			}
			nodes = append(nodes, o)
			return
		}
		label := typeName + " " + name
		if it.id >= 0 {
			label = name // devices are listed by name alone
		}
		r := row{fmt.Sprint(it.id), cls, weightStr(it.weight), strings.Repeat("    ", it.depth) + label}
		rows = append(rows, append(r, osdCols(it.id)...))
	})
	// Stray OSDs: in the map but not in the CRUSH hierarchy.
	var stray []*orderedObject
	if withOSD {
		for o := int32(0); o < m.MaxOSD; o++ {
			if !m.Exists(o) || seen[o] {
				continue
			}
			cls, _ := cm.ItemClass(o)
			if asJSON {
				j := newOrderedObject()
				j.set("id", o)
				if cls != "" {
					j.set("device_class", cls)
				}
				j.set("name", fmt.Sprintf("osd.%d", o))
				j.set("type", cm.TypeNames[0])
				j.set("type_id", 0)
				j.set("crush_weight", cephFloat(0))
				j.set("depth", 0)
				osdFields(j, o)
				stray = append(stray, j)
				continue
			}
			r := row{fmt.Sprint(o), cls, "0", fmt.Sprintf("osd.%d", o)}
			rows = append(rows, append(r, osdCols(o)...))
		}
	}
	if asJSON {
		out := newOrderedObject()
		out.set("nodes", nonNilObjs(nodes))
		out.set("stray", nonNilObjs(stray))
		return out
	}
	header := row{"ID", "CLASS", "WEIGHT", "TYPE NAME"}
	if withOSD {
		header = append(header, "STATUS", "REWEIGHT", "PRI-AFF")
	}
	return treeTable(header, rows, map[int]bool{3: true})
}

func nonNilObjs(v []*orderedObject) []*orderedObject {
	if v == nil {
		return []*orderedObject{}
	}
	return v
}

// treeTable renders rows as Ceph's TextTable does: columns two spaces
// apart, each as wide as its widest cell, right-aligned unless left says
// otherwise (headers are always left-aligned); every line has every
// column.
func treeTable(header []string, rows [][]string, left map[int]bool) string {
	cols := len(header)
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = len(h)
	}
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	line := func(r []string, isHeader bool) {
		for i := range cols {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			if i > 0 {
				b.WriteString("  ")
			}
			if left[i] || isHeader {
				b.WriteString(c + strings.Repeat(" ", width[i]-len(c)))
			} else {
				b.WriteString(strings.Repeat(" ", width[i]-len(c)) + c)
			}
		}
		b.WriteByte('\n')
	}
	line(header, true)
	for _, r := range rows {
		line(r, false)
	}
	return b.String()
}
