package crush

import (
	"fmt"
	"slices"
	"strings"
)

// Name, id and hierarchy lookups of CrushWrapper (get_item_id,
// name_exists, find_roots, subtree_contains, get_immediate_parent_id, ...).

// ItemName returns the name of a device or bucket.
func (m *CrushMap) ItemName(id int32) (string, bool) {
	n, ok := m.ItemNames[id]
	return n, ok
}

// ItemID returns the id named name (get_item_id).
func (m *CrushMap) ItemID(name string) (int32, bool) {
	for id, n := range m.ItemNames {
		if n == name {
			return id, true
		}
	}
	return 0, false
}

// NameExists reports whether an item is named name.
func (m *CrushMap) NameExists(name string) bool {
	_, ok := m.ItemID(name)
	return ok
}

// ItemExists is item_exists: the id has a name.
func (m *CrushMap) ItemExists(id int32) bool {
	_, ok := m.ItemNames[id]
	return ok
}

// TypeID returns the id of a type name.
func (m *CrushMap) TypeID(name string) (int32, bool) {
	for id, n := range m.TypeNames {
		if n == name {
			return id, true
		}
	}
	return 0, false
}

// RuleID returns the id of a rule name.
func (m *CrushMap) RuleID(name string) (int, bool) {
	for id, n := range m.RuleNames {
		if n == name {
			return int(id), true
		}
	}
	return 0, false
}

// BucketByName returns the bucket named name.
func (m *CrushMap) BucketByName(name string) *Bucket {
	id, ok := m.ItemID(name)
	if !ok {
		return nil
	}
	return m.Bucket(id)
}

// SetItemName names an item (set_item_name); the name must be a valid
// crush name.
func (m *CrushMap) SetItemName(id int32, name string) error {
	if !ValidName(name) {
		return fmt.Errorf("%w: name %q", ErrInvalid, name)
	}
	m.ItemNames[id] = name
	return nil
}

// ValidName is is_valid_crush_name: [-_.0-9a-zA-Z]+.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// IsShadow reports whether id is a device-class shadow bucket (its name
// holds a '~', which no valid name can).
func (m *CrushMap) IsShadow(id int32) bool {
	n, ok := m.ItemNames[id]
	return ok && !ValidName(n)
}

// containsItem is _search_item_exists: some bucket holds item.
func (m *CrushMap) containsItem(item int32) bool {
	for _, b := range m.Buckets {
		if b != nil && indexOf(b.Items, item) >= 0 {
			return true
		}
	}
	return false
}

// Roots returns the ids of buckets no bucket contains (find_roots), in
// ascending order.
func (m *CrushMap) Roots() []int32 {
	var roots []int32
	for _, b := range m.Buckets {
		if b != nil && !m.containsItem(b.ID) {
			roots = append(roots, b.ID)
		}
	}
	slices.Sort(roots)
	return roots
}

func (m *CrushMap) rootsShadow(shadow bool) []int32 {
	var out []int32
	for _, r := range m.Roots() {
		if m.IsShadow(r) == shadow {
			out = append(out, r)
		}
	}
	return out
}

// SubtreeContains reports whether item is root or below it.
func (m *CrushMap) SubtreeContains(root, item int32) bool {
	if root == item {
		return true
	}
	b := m.Bucket(root)
	if b == nil {
		return false
	}
	for _, it := range b.Items {
		if m.SubtreeContains(it, item) {
			return true
		}
	}
	return false
}

// ImmediateParent returns the non-shadow bucket holding id
// (get_immediate_parent_id).
func (m *CrushMap) ImmediateParent(id int32) (int32, bool) {
	for _, b := range m.Buckets {
		if b == nil || m.IsShadow(b.ID) {
			continue
		}
		if indexOf(b.Items, id) >= 0 {
			return b.ID, true
		}
	}
	return 0, false
}

// ItemWeight returns an item's 16.16 weight: a bucket's own weight, or a
// device's weight in the first bucket holding it (get_item_weight).
func (m *CrushMap) ItemWeight(id int32) (uint32, bool) {
	for _, b := range m.Buckets {
		if b == nil {
			continue
		}
		if b.ID == id {
			return b.Weight, true
		}
		if i := indexOf(b.Items, id); i >= 0 {
			return b.ItemWeightAt(i), true
		}
	}
	return 0, false
}

// splitIDClass is split_id_class: a shadow bucket's original id and class.
func (m *CrushMap) splitIDClass(id int32) (int32, int32, error) {
	name, ok := m.ItemNames[id]
	if !ok {
		return 0, 0, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	base, class, ok := strings.Cut(name, "~")
	if !ok {
		return id, -1, nil
	}
	orig, ok := m.ItemID(base)
	if !ok {
		return 0, 0, fmt.Errorf("%w: %q", ErrNotFound, base)
	}
	cid, ok := m.ClassID(class)
	if !ok {
		return 0, 0, fmt.Errorf("%w: class %q", ErrNotFound, class)
	}
	return orig, cid, nil
}

// RenameBucket is rename_bucket (`osd crush rename-bucket`).
func (m *CrushMap) RenameBucket(src, dst string) error {
	id, ok := m.ItemID(src)
	if !ok {
		return fmt.Errorf("%w: srcname = '%s' does not exist", ErrNotFound, src)
	}
	if m.NameExists(dst) {
		return fmt.Errorf("%w: dstname = '%s' already exists", ErrExists, dst)
	}
	if !ValidName(dst) {
		return fmt.Errorf("%w: dstname = '%s' does not match [-_.0-9a-zA-Z]+", ErrInvalid, dst)
	}
	if id >= 0 {
		return fmt.Errorf("%w: srcname = '%s' is not a bucket", ErrInvalid, src)
	}
	m.ItemNames[id] = dst
	return nil
}

// FullLocationOrdered is CrushWrapper::get_full_location_ordered_string:
// the buckets above id, from the root down, as "root=default,host=h1";
// empty for an item in no bucket.
func (m *CrushMap) FullLocationOrdered(id int32) string {
	var parts []string
	for cur, seen := id, 0; seen <= len(m.Buckets); seen++ {
		p, ok := m.ImmediateParent(cur)
		if !ok {
			break
		}
		b := m.Bucket(p)
		if b == nil {
			break
		}
		name, _ := m.ItemName(p)
		parts = append(parts, m.TypeNames[int32(b.Type)]+"="+name)
		cur = p
	}
	slices.Reverse(parts)
	return strings.Join(parts, ",")
}

// Children returns a bucket's items (CrushWrapper::get_children); nil
// for a device or an unknown id.
func (m *CrushMap) Children(id int32) []int32 {
	if b := m.Bucket(id); b != nil {
		return b.Items
	}
	return nil
}

// BucketType returns a bucket's type id, or 0 for a device.
func (m *CrushMap) BucketType(id int32) int32 {
	if b := m.Bucket(id); b != nil {
		return int32(b.Type)
	}
	return 0
}

// MaxTypeID is the highest type id that has a name
// (CrushWrapper::get_max_type_id).
func (m *CrushMap) MaxTypeID() int32 {
	var max int32
	for id := range m.TypeNames {
		if id > max {
			max = id
		}
	}
	return max
}
