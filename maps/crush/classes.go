package crush

import (
	"fmt"
	"maps"
	"slices"
)

// Device classes and their shadow trees (CrushWrapper::populate_classes,
// device_class_clone, rebuild_roots_with_classes): for every root and
// every class, a copy of the hierarchy named "bucket~class" holding only
// that class's devices, which class-restricted rules take.

// ClassID returns the id of a class name.
func (m *CrushMap) ClassID(name string) (int32, bool) {
	for id, n := range m.ClassNames {
		if n == name {
			return id, true
		}
	}
	return 0, false
}

// ItemClass returns the class name of a device (or shadow bucket).
func (m *CrushMap) ItemClass(id int32) (string, bool) {
	c, ok := m.ClassMap[id]
	if !ok {
		return "", false
	}
	n, ok := m.ClassNames[c]
	return n, ok
}

// getOrCreateClassID is get_or_create_class_id; new ids are one past the
// highest (_alloc_class_id).
func (m *CrushMap) getOrCreateClassID(name string) int32 {
	if id, ok := m.ClassID(name); ok {
		return id
	}
	var id int32
	if len(m.ClassNames) > 0 {
		id = slices.Max(slices.Collect(maps.Keys(m.ClassNames))) + 1
	}
	m.ClassNames[id] = name
	return id
}

// UpdateDeviceClass is update_device_class (`osd crush set-device-class`):
// the device must already have a name (the monitor names it first when it
// is new) and no other class. It reports whether the map changed.
func (m *CrushMap) UpdateDeviceClass(id int32, class string) (bool, error) {
	if !m.ItemExists(id) {
		return false, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	if old, ok := m.ItemClass(id); ok && old != class {
		return false, fmt.Errorf("%w: osd.%d has already bound to class '%s', can not reset class to '%s'; use 'ceph osd crush rm-device-class <id>' to remove old class first",
			ErrBusy, id, old, class)
	}
	cid := m.getOrCreateClassID(class)
	if id < 0 {
		return false, fmt.Errorf("%w: id %d is negative", ErrInvalid, id)
	}
	if c, ok := m.ClassMap[id]; ok && c == cid {
		return false, nil
	}
	m.ClassMap[id] = cid
	m.RebuildRootsWithClasses()
	return true, nil
}

// RemoveDeviceClass is remove_device_class (`osd crush rm-device-class`).
func (m *CrushMap) RemoveDeviceClass(id int32) error {
	if !m.ItemExists(id) {
		return fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	if _, ok := m.ClassMap[id]; !ok {
		return nil
	}
	delete(m.ClassMap, id)
	m.RebuildRootsWithClasses()
	return nil
}

// RebuildRootsWithClasses is rebuild_roots_with_classes: drop classes no
// device or rule uses, delete every shadow tree and clone them again,
// reusing each shadow's previous id.
func (m *CrushMap) RebuildRootsWithClasses() {
	old := m.ClassBucket
	m.cleanupDeadClasses()
	for _, r := range m.rootsShadow(true) {
		m.removeRoot(r)
	}
	m.ClassBucket = map[int32]map[int32]int32{}
	m.populateClasses(old)
}

// cleanupDeadClasses is cleanup_dead_classes.
func (m *CrushMap) cleanupDeadClasses() {
	for _, c := range slices.Sorted(maps.Keys(m.ClassNames)) {
		if m.classIsDead(c) {
			delete(m.ClassNames, c)
		}
	}
}

func (m *CrushMap) classIsDead(c int32) bool {
	for id, cc := range m.ClassMap {
		if id >= 0 && cc == c {
			return false
		}
	}
	for _, r := range m.Rules {
		for _, s := range r.GetSteps() {
			if s.Op != OpTake {
				continue
			}
			for _, cb := range m.ClassBucket {
				if id, ok := cb[c]; ok && id == s.Arg1 {
					return false
				}
			}
		}
	}
	return true
}

// removeRoot is remove_root: delete a shadow tree bucket by bucket.
func (m *CrushMap) removeRoot(id int32) {
	b := m.Bucket(id)
	if b == nil {
		return // already gone through another link
	}
	for _, it := range b.Items {
		if it < 0 {
			m.removeRoot(it)
		}
	}
	m.Buckets[-1-id] = nil
	delete(m.ItemNames, id)
	delete(m.ClassBucket, id)
	delete(m.ClassMap, id)
	m.fixChooseArgs()
}

// populateClasses is populate_classes.
func (m *CrushMap) populateClasses(old map[int32]map[int32]int32) {
	used := map[int32]bool{}
	for _, cb := range old {
		for _, id := range cb {
			used[id] = true
		}
	}
	// Weight-set sums of the shadow buckets made so far, per choose_args.
	itemWeights := map[int64]map[int32][]uint32{}
	for _, r := range m.rootsShadow(false) {
		for _, c := range slices.Sorted(maps.Keys(m.ClassNames)) {
			m.deviceClassClone(r, c, old, used, itemWeights)
		}
	}
}

// deviceClassClone is device_class_clone: the class-c shadow of bucket
// orig, made depth first so children get their ids before parents.
func (m *CrushMap) deviceClassClone(orig, c int32, old map[int32]map[int32]int32, used map[int32]bool, itemWeights map[int64]map[int32][]uint32) (int32, bool) {
	name, ok := m.ItemNames[orig]
	if !ok {
		return 0, false
	}
	cname, ok := m.ClassNames[c]
	if !ok {
		return 0, false
	}
	copyName := name + "~" + cname
	if id, ok := m.ItemID(copyName); ok {
		return id, true
	}
	o := m.Bucket(orig)
	if o == nil {
		return 0, false
	}
	cp, err := m.NewBucket(o.Alg, o.Hash, o.Type, nil, nil)
	if err != nil {
		return 0, false
	}
	var origPos []int // copy position -> original position
	for i, it := range o.Items {
		w := o.ItemWeightAt(i)
		if it >= 0 {
			if cc, ok := m.ClassMap[it]; ok && cc == c {
				if m.bucketAddItem(cp, it, w) != nil {
					return 0, false
				}
				origPos = append(origPos, i)
			}
			continue
		}
		child, ok := m.deviceClassClone(it, c, old, used, itemWeights)
		if !ok {
			return 0, false
		}
		if m.bucketAddItem(cp, child, m.Bucket(child).Weight) != nil {
			return 0, false
		}
		origPos = append(origPos, i)
	}
	var bno int32
	if id, ok := old[orig][c]; ok {
		bno = id
	} else {
		// A fresh id used neither now nor by any earlier shadow.
		bno = -1
		for (int(-1-bno) < len(m.Buckets) && m.Buckets[-1-bno] != nil) || used[bno] {
			bno--
		}
	}
	id, err := m.addBucketAt(bno, cp)
	if err != nil {
		return 0, false
	}
	m.ClassMap[id] = c
	m.ItemNames[id] = copyName
	if m.ClassBucket[orig] == nil {
		m.ClassBucket[orig] = map[int32]int32{}
	}
	m.ClassBucket[orig][c] = id
	m.cloneWeightSets(orig, id, cp, origPos, itemWeights)
	return id, true
}

// cloneWeightSets is the choose_args part of device_class_clone: the shadow
// gets the original's weight sets for its devices and its shadow children's
// sums for its buckets. Like Ceph, the recorded sum of a multi-position set
// keeps only the last position's total.
func (m *CrushMap) cloneWeightSets(orig, id int32, cp *Bucket, origPos []int, itemWeights map[int64]map[int32][]uint32) {
	for _, key := range sortedKeys64(m.ChooseArgs) {
		am := m.ChooseArgs[key]
		o := am[-1-orig]
		positions := len(o.WeightSet)
		n := ChooseArg{}
		if positions > 0 {
			n.WeightSet = make([][]uint32, positions)
		}
		for s := range n.WeightSet {
			n.WeightSet[s] = make([]uint32, len(cp.Items))
		}
		if itemWeights[key] == nil {
			itemWeights[key] = map[int32][]uint32{}
		}
		for s := range n.WeightSet {
			sums := make([]uint32, positions)
			for i, it := range cp.Items {
				var w uint32
				if it >= 0 {
					if p := origPos[i]; p < len(o.WeightSet[s]) {
						w = o.WeightSet[s][p]
					}
				} else if cw, ok := itemWeights[key][it]; ok && s < len(cw) {
					w = cw[s]
				}
				n.WeightSet[s][i] = w
				sums[s] += w
			}
			itemWeights[key][id] = sums
		}
		if positions > 0 {
			am[-1-id] = n
		} else {
			delete(am, -1-id)
		}
	}
}
