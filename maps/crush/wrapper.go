package crush

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The item and hierarchy management of src/crush/CrushWrapper.cc that the
// monitor's `osd crush ...` commands use. Method names follow CrushWrapper's.
// Every method that changes the hierarchy rebuilds the device-class shadow
// trees afterwards, as CrushWrapper does, so shadow bucket ids and contents
// come out as a real monitor's would.

var (
	ErrNotFound = errors.New("crush: no such item")
	ErrExists   = errors.New("crush: already exists")
	ErrInvalid  = errors.New("crush: invalid argument")
	ErrNotEmpty = errors.New("crush: bucket not empty")
	ErrBusy     = errors.New("crush: bucket in use")
)

// WeightFixed converts a weight as the CLI gives it (1.0 = one unit) to
// 16.16 fixed point the way CrushWrapper does: in single precision,
// truncated ((int)(weight * (float)0x10000)).
func WeightFixed(w float64) uint32 {
	return uint32(int32(float32(w) * float32(0x10000)))
}

// WeightFloat is the inverse, as get_item_weightf computes it.
func WeightFloat(w uint32) float64 {
	return float64(float32(w) / float32(0x10000))
}

// Location is a CRUSH location: type name -> bucket name, e.g.
// {"host": "node1", "root": "default"}.
type Location map[string]string

// ParseLocation parses "type=name" arguments (parse_loc_map).
func ParseLocation(args []string) (Location, error) {
	loc := Location{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || v == "" {
			return nil, fmt.Errorf("%w: location %q", ErrInvalid, a)
		}
		loc[k] = v
	}
	return loc, nil
}

// checkItemLoc is check_item_loc: is item directly inside the bucket that
// loc names for the lowest type loc mentions? It returns its weight there.
func (m *CrushMap) checkItemLoc(item int32, loc Location) (bool, uint32) {
	for _, t := range slices.Sorted(maps.Keys(m.TypeNames)) {
		if t == 0 {
			continue
		}
		name, ok := loc[m.TypeNames[t]]
		if !ok {
			continue
		}
		id, ok := m.ItemID(name)
		if !ok || id >= 0 {
			return false, 0
		}
		b := m.Bucket(id)
		if b == nil {
			return false, 0
		}
		if i := indexOf(b.Items, item); i >= 0 {
			return true, b.ItemWeightAt(i)
		}
		return false, 0
	}
	return false, 0
}

// AddBucket is CrushWrapper::add_bucket plus naming: create an empty
// bucket of the given type (alg 0 means straw2, Ceph's default) and name
// it. It returns the new id. The bucket is not linked anywhere.
func (m *CrushMap) AddBucket(id int32, alg BucketAlg, typ int32, name string) (int32, error) {
	if m.NameExists(name) {
		return 0, fmt.Errorf("%w: %q", ErrExists, name)
	}
	if !ValidName(name) {
		return 0, fmt.Errorf("%w: name %q", ErrInvalid, name)
	}
	if _, ok := m.TypeNames[typ]; !ok || typ == 0 {
		return 0, fmt.Errorf("%w: bucket type %d", ErrInvalid, typ)
	}
	id, err := m.addBucket(id, alg, uint16(typ), nil, nil)
	if err != nil {
		return 0, err
	}
	m.ItemNames[id] = name
	return id, nil
}

func (m *CrushMap) addBucket(id int32, alg BucketAlg, typ uint16, items []int32, weights []uint32) (int32, error) {
	if alg == 0 {
		alg = BucketStraw2
	}
	b, err := m.NewBucket(alg, HashRjenkins1, typ, items, weights)
	if err != nil {
		return 0, err
	}
	id, err = m.addBucketAt(id, b)
	if err != nil {
		return 0, err
	}
	// New buckets with items get weight sets from their weights.
	if len(items) > 0 {
		for _, am := range m.ChooseArgs {
			am[-1-id] = ChooseArg{WeightSet: repeatWeights(weights, chooseArgsPositions(am))}
		}
	}
	return id, nil
}

// InsertItem is insert_item: put item (a device, or a detached bucket)
// with a weight at loc, creating the missing buckets of loc from the
// bottom up and linking the chain to the first existing one.
func (m *CrushMap) InsertItem(item int32, weight uint32, name string, loc Location) error {
	if !ValidName(name) {
		return fmt.Errorf("%w: name %q", ErrInvalid, name)
	}
	for k, v := range loc {
		if !ValidName(k) || !ValidName(v) {
			return fmt.Errorf("%w: location %s=%s", ErrInvalid, k, v)
		}
	}
	if id, ok := m.ItemID(name); ok {
		if id != item {
			return fmt.Errorf("%w: name %q is id %d", ErrExists, name, id)
		}
	} else {
		m.ItemNames[item] = name
	}
	cur := item
	for _, t := range slices.Sorted(maps.Keys(m.TypeNames)) {
		if t == 0 {
			continue
		}
		bname, ok := loc[m.TypeNames[t]]
		if !ok {
			continue
		}
		id, ok := m.ItemID(bname)
		if !ok {
			nid, err := m.addBucket(0, 0, uint16(t), []int32{cur}, []uint32{0})
			if err != nil {
				return err
			}
			m.ItemNames[nid] = bname
			cur = nid
			continue
		}
		b := m.Bucket(id)
		if b == nil {
			return fmt.Errorf("%w: %q is not a bucket", ErrInvalid, bname)
		}
		if m.SubtreeContains(id, cur) {
			return fmt.Errorf("%w: %d already beneath %q", ErrInvalid, cur, bname)
		}
		if int32(b.Type) != t {
			return fmt.Errorf("%w: bucket %q has type %q, not %q", ErrInvalid, bname, m.TypeNames[int32(b.Type)], m.TypeNames[t])
		}
		if m.SubtreeContains(cur, id) {
			return fmt.Errorf("%w: %d contains %q; cannot form a loop", ErrInvalid, cur, bname)
		}
		if err := m.wrapperAddItem(b, cur, 0); err != nil {
			return err
		}
		break
	}
	// Weight sets get the device's weight too (init_weight_sets, as
	// osd_crush_update_weight_set defaults); a moved bucket keeps its own.
	if m.adjustItemWeightInLoc(item, weight, loc, item >= 0) > 0 {
		if item >= m.MaxDevices {
			m.MaxDevices = item + 1
		}
		m.RebuildRootsWithClasses()
		return nil
	}
	return fmt.Errorf("%w: nowhere to add item %d in %v", ErrInvalid, item, loc)
}

// adjustItemWeightInLoc is adjust_item_weight_in_loc: set item's weight in
// each bucket named by loc that holds it; returns how many changed.
func (m *CrushMap) adjustItemWeightInLoc(item int32, weight uint32, loc Location, updateWeightSets bool) int {
	changed := 0
	for _, k := range slices.Sorted(maps.Keys(loc)) {
		id, ok := m.ItemID(loc[k])
		if !ok || m.Bucket(id) == nil {
			continue
		}
		if m.adjustItemWeightInBucket(item, weight, id, updateWeightSets) > 0 {
			changed++
		}
	}
	return changed
}

// adjustItemWeightInBucket is adjust_item_weight_in_bucket: set item's
// weight in one bucket (and, with updateWeightSets, in its weight sets),
// propagate the bucket's new weight to every bucket above it, and keep the
// bucket's weight sets summing up the tree.
func (m *CrushMap) adjustItemWeightInBucket(item int32, weight uint32, bucketID int32, updateWeightSets bool) int {
	b := m.Bucket(bucketID)
	if b == nil {
		return 0
	}
	changed := 0
	for i := 0; i < len(b.Items); i++ {
		if b.Items[i] == item {
			m.wrapperAdjustItemWeight(b, item, weight, updateWeightSets)
			m.adjustItemWeightAll(bucketID, b.Weight, false)
			changed++
		}
	}
	m.propagateWeightSets(b)
	return changed
}

// adjustItemWeightAll is adjust_item_weight: set id's weight in every
// bucket holding it. It returns how many buckets changed.
func (m *CrushMap) adjustItemWeightAll(id int32, weight uint32, updateWeightSets bool) int {
	changed := 0
	for _, b := range m.Buckets {
		if b != nil && m.adjustItemWeightInBucket(id, weight, b.ID, updateWeightSets) > 0 {
			changed++
		}
	}
	return changed
}

// AdjustItemWeight sets a device's (or bucket's) weight everywhere it
// appears and updates every ancestor, then rebuilds the shadow trees
// (`osd crush reweight`).
func (m *CrushMap) AdjustItemWeight(id int32, weight uint32) error {
	if m.adjustItemWeightAll(id, weight, true) == 0 {
		return fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	m.RebuildRootsWithClasses()
	return nil
}

// CreateOrMoveItem is create_or_move_item (`osd crush create-or-move`, what
// a booting OSD asks for): if item is not already at loc, it is unlinked
// from where it is (keeping its current weight) and inserted at loc. It
// reports whether the map changed.
func (m *CrushMap) CreateOrMoveItem(item int32, weight uint32, name string, loc Location) (bool, error) {
	if !ValidName(name) {
		return false, fmt.Errorf("%w: name %q", ErrInvalid, name)
	}
	if ok, _ := m.checkItemLoc(item, loc); ok {
		return false, nil
	}
	if m.containsItem(item) {
		weight, _ = m.ItemWeight(item)
		weight = WeightFixed(WeightFloat(weight))
		if err := m.RemoveItem(item, true); err != nil {
			return false, err
		}
	}
	if err := m.InsertItem(item, weight, name, loc); err != nil {
		return false, err
	}
	return true, nil
}

// UpdateItem is update_item (`osd crush set`): set the weight if item is
// already at loc, else move it there with that weight.
func (m *CrushMap) UpdateItem(item int32, weight uint32, name string, loc Location) (bool, error) {
	if !ValidName(name) {
		return false, fmt.Errorf("%w: name %q", ErrInvalid, name)
	}
	if ok, old := m.checkItemLoc(item, loc); ok {
		changed := false
		if old != weight {
			m.adjustItemWeightInLoc(item, weight, loc, true)
			m.RebuildRootsWithClasses()
			changed = true
		}
		if m.ItemNames[item] != name {
			m.ItemNames[item] = name
			changed = true
		}
		return changed, nil
	}
	if m.ItemExists(item) {
		if err := m.RemoveItem(item, true); err != nil && !errors.Is(err, ErrNotFound) {
			return false, err
		}
	}
	if err := m.InsertItem(item, weight, name, loc); err != nil {
		return false, err
	}
	return true, nil
}

// MoveBucket is move_bucket (`osd crush move`): detach a bucket and insert
// it at loc with its weight.
func (m *CrushMap) MoveBucket(id int32, loc Location) error {
	if id >= 0 {
		return fmt.Errorf("%w: %d is not a bucket", ErrInvalid, id)
	}
	name, ok := m.ItemNames[id]
	if !ok || m.Bucket(id) == nil {
		return fmt.Errorf("%w: bucket %d", ErrNotFound, id)
	}
	w := m.detachBucket(id)
	return m.InsertItem(id, WeightFixed(float64(float32(w)/float32(0x10000))), name, loc)
}

// detachBucket is detach_bucket: unlink a bucket from its parent, returning
// its weight.
func (m *CrushMap) detachBucket(id int32) uint32 {
	b := m.Bucket(id)
	w := b.Weight
	if p, ok := m.ImmediateParent(id); ok {
		m.adjustItemWeightInBucket(id, 0, p, true)
		_ = m.wrapperRemoveItem(m.Bucket(p), id)
	}
	return w
}

// LinkBucket is link_bucket (`osd crush link`): add an existing bucket
// under loc as well, keeping its other links.
func (m *CrushMap) LinkBucket(id int32, loc Location) error {
	b := m.Bucket(id)
	if b == nil {
		return fmt.Errorf("%w: bucket %d", ErrNotFound, id)
	}
	return m.InsertItem(id, WeightFixed(float64(float32(b.Weight)/float32(0x10000))), m.ItemNames[id], loc)
}

// RemoveItem is remove_item (`osd crush rm`/`unlink`): take item out of
// every bucket; unless unlinkOnly, also delete an (empty) bucket and the
// item's name and class once no bucket refers to it.
func (m *CrushMap) RemoveItem(item int32, unlinkOnly bool) error {
	if item < 0 && !unlinkOnly {
		b := m.Bucket(item)
		if b == nil {
			return fmt.Errorf("%w: bucket %d", ErrNotFound, item)
		}
		if len(b.Items) > 0 {
			return fmt.Errorf("%w: bucket %d has %d items", ErrNotEmpty, item, len(b.Items))
		}
		if m.bucketInUse(item) {
			return fmt.Errorf("%w: %d", ErrBusy, item)
		}
	}
	found := false
	for _, b := range m.Buckets {
		if b == nil {
			continue
		}
		// One pass, as Ceph: a tree bucket keeps a removed item's slot
		// (with weight 0) unless it was the last one.
		for i := 0; i < len(b.Items); i++ {
			if b.Items[i] == item {
				m.adjustItemWeightInBucket(item, 0, b.ID, true)
				_ = m.wrapperRemoveItem(b, item)
				found = true
			}
		}
	}
	if m.maybeRemoveLastInstance(item, unlinkOnly) {
		found = true
	}
	if !found {
		return fmt.Errorf("%w: %d", ErrNotFound, item)
	}
	return nil
}

// maybeRemoveLastInstance is _maybe_remove_last_instance.
func (m *CrushMap) maybeRemoveLastInstance(item int32, unlinkOnly bool) bool {
	if m.containsItem(item) {
		return false
	}
	if item < 0 && m.bucketInUse(item) {
		return false
	}
	if item < 0 && !unlinkOnly {
		m.Buckets[-1-item] = nil
		delete(m.ClassBucket, item)
		delete(m.ClassMap, item)
		m.fixChooseArgs()
	}
	if (item >= 0 || !unlinkOnly) && m.ItemExists(item) {
		delete(m.ItemNames, item)
		if item >= 0 && !unlinkOnly {
			delete(m.ClassMap, item)
		}
	}
	m.RebuildRootsWithClasses()
	return true
}

// bucketInUse is _bucket_is_in_use: a shadow of some class, or the root
// (or the original of a shadow root) a rule takes.
func (m *CrushMap) bucketInUse(item int32) bool {
	for _, cb := range m.ClassBucket {
		for _, id := range cb {
			if id == item {
				return true
			}
		}
	}
	for _, r := range m.Rules {
		for _, s := range r.GetSteps() {
			if s.Op != OpTake {
				continue
			}
			orig, _, err := m.splitIDClass(s.Arg1)
			if err != nil {
				return false
			}
			if s.Arg1 == item || orig == item {
				return true
			}
		}
	}
	return false
}

// Reweight is CrushWrapper::reweight (`osd crush reweight-all`): recompute
// every bucket weight from the devices up.
func (m *CrushMap) Reweight() error {
	for _, r := range m.rootsShadow(false) {
		b := m.Bucket(r)
		if err := m.reweightBucket(b); err != nil {
			return err
		}
		for _, key := range slices.Sorted(maps.Keys(m.ChooseArgs)) {
			m.reweightWeightSets(b, m.ChooseArgs[key])
		}
	}
	m.RebuildRootsWithClasses()
	return nil
}

// RemoveItemUnder is remove_item_under (`osd crush rm|unlink ITEM
// ANCESTOR`): take item out of ancestor's subtree only.
func (m *CrushMap) RemoveItemUnder(item, ancestor int32, unlinkOnly bool) error {
	if !unlinkOnly && m.bucketInUse(item) {
		return fmt.Errorf("%w: %d", ErrBusy, item)
	}
	if err := m.removeItemUnder(item, ancestor); err != nil {
		return err
	}
	if item < 0 && !unlinkOnly {
		b := m.Bucket(item)
		if b == nil {
			return fmt.Errorf("%w: bucket %d", ErrNotFound, item)
		}
		if len(b.Items) > 0 {
			return fmt.Errorf("%w: bucket %d has %d items", ErrNotEmpty, item, len(b.Items))
		}
	}
	m.maybeRemoveLastInstance(item, unlinkOnly)
	return nil
}

func (m *CrushMap) removeItemUnder(item, ancestor int32) error {
	b := m.Bucket(ancestor)
	if b == nil {
		return fmt.Errorf("%w: ancestor %d", ErrInvalid, ancestor)
	}
	found := false
	for i := 0; i < len(b.Items); i++ {
		id := b.Items[i]
		if id == item {
			m.adjustItemWeightInBucket(item, 0, b.ID, true)
			_ = m.wrapperRemoveItem(b, item)
			found = true
		} else if id < 0 {
			if m.removeItemUnder(item, id) == nil {
				found = true
			}
		}
	}
	if !found {
		return fmt.Errorf("%w: %d under %d", ErrNotFound, item, ancestor)
	}
	return nil
}
