package mon

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/maps/crush"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// downChecks adds the checks of down OSDs to out, as the first part of
// OSDMap::check_health (src/osd/OSDMap.cc): OSD_DOWN for OSDs that are in
// but down (not those created and never booted), OSD_<TYPE>_DOWN for each
// CRUSH type with subtrees whose OSDs are all down, and OSD_ORPHAN for
// OSDs the CRUSH map holds and the OSDMap does not.
func downChecks(m *osdmap.OSDMap, cm *crush.CrushMap, out map[string]healthCheck) {
	w := downWalk{m: m, cm: cm, downIn: map[int32]bool{}, upIn: map[int32]bool{},
		subtreeUp: map[int32]bool{}, subtreeDown: map[int32]map[int32]bool{}}
	var orphans []int32
	for o := int32(0); o < m.MaxOSD; o++ {
		if !m.Exists(o) {
			if cm.ItemExists(o) {
				orphans = append(orphans, o)
			}
			continue
		}
		if m.IsOut(o) || m.OSDState[o]&osdmap.StateNew != 0 || w.downIn[o] || w.upIn[o] || m.IsUp(o) {
			continue
		}
		w.downIn[o] = true
		// Walk up while the enclosing subtree is down too.
		for cur := o; ; {
			parent, ok := cm.ImmediateParent(cur)
			if !ok || w.subtreeUp[parent] || !w.isDown(parent, cm.BucketType(parent)) {
				break
			}
			cur = parent
		}
	}

	// OSDs in each down subtree, lower types first so that a subtree can
	// add up its child subtrees.
	maxType := cm.MaxTypeID()
	count := map[int32]int{}
	for t := int32(1); t <= maxType; t++ {
		if _, ok := cm.TypeNames[t]; !ok {
			continue
		}
		for id := range w.subtreeDown[t] {
			n := 0
			for _, c := range cm.Children(id) {
				if c >= 0 {
					n++
				} else {
					n += count[c]
				}
			}
			count[id] = n
		}
	}
	if len(w.downIn) > 0 {
		for t := maxType; t > 0; t-- {
			name, ok := cm.TypeNames[t]
			if !ok || len(w.subtreeDown[t]) == 0 {
				continue
			}
			ids := slices.Sorted(maps.Keys(w.subtreeDown[t]))
			slices.Reverse(ids) // Ceph lists them from the highest id down
			total := 0
			var detail []string
			for _, id := range ids {
				total += count[id]
				item, _ := cm.ItemName(id)
				loc := ""
				if t != maxType {
					loc = " (" + cm.FullLocationOrdered(id) + ")"
				}
				detail = append(detail, fmt.Sprintf("%s %s%s (%d osds) is down", name, item, loc, count[id]))
			}
			plural := ""
			if len(ids) > 1 {
				plural = "s"
			}
			out["OSD_"+strings.ToUpper(name)+"_DOWN"] = healthCheck{Severity: healthWarn,
				Summary: fmt.Sprintf("%d %s%s (%d osds) down", len(ids), name, plural, total),
				Count:   len(ids), Detail: detail}
		}
		var detail []string
		for _, o := range slices.Sorted(maps.Keys(w.downIn)) {
			detail = append(detail, fmt.Sprintf("osd.%d (%s) is down", o, cm.FullLocationOrdered(o)))
		}
		out["OSD_DOWN"] = healthCheck{Severity: healthWarn, Summary: fmt.Sprintf("%d osds down", len(detail)),
			Count: len(detail), Detail: detail}
	}
	if len(orphans) > 0 {
		detail := make([]string, len(orphans))
		for i, o := range orphans {
			detail[i] = fmt.Sprintf("osd.%d exists in crush map but not in osdmap", o)
		}
		out["OSD_ORPHAN"] = healthCheck{Severity: healthWarn,
			Summary: fmt.Sprintf("%d osds exist in the crush map but not in the osdmap", len(orphans)),
			Count:   len(orphans), Detail: detail}
	}
}

// downWalk is the state of OSDMap::subtree_type_is_down across one
// check: the in OSDs seen down and up, the subtrees found up, and the
// subtrees found down by type.
type downWalk struct {
	m            *osdmap.OSDMap
	cm           *crush.CrushMap
	downIn, upIn map[int32]bool
	subtreeUp    map[int32]bool
	subtreeDown  map[int32]map[int32]bool // type -> bucket ids
}

// isDown reports whether every OSD under id is down, recording what it
// visits (subtree_type_is_down). typ is id's bucket type.
func (w *downWalk) isDown(id, typ int32) bool {
	if id >= 0 {
		down := w.m.IsDown(id)
		if !w.m.IsOut(id) {
			if down {
				w.downIn[id] = true
			} else {
				w.upIn[id] = true
			}
		}
		return down
	}
	if w.subtreeDown[typ][id] {
		return true
	}
	for _, c := range w.cm.Children(id) {
		if !w.isDown(c, w.cm.BucketType(c)) {
			w.subtreeUp[id] = true
			return false
		}
	}
	if w.subtreeDown[typ] == nil {
		w.subtreeDown[typ] = map[int32]bool{}
	}
	w.subtreeDown[typ][id] = true
	return true
}
