package crush

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The device-class edits behind `osd crush class create|rm|rename|ls|ls-osd`
// (CrushWrapper: get_or_create_class_id, remove_class_name, rename_class,
// class_is_in_use, get_devices_by_class; src/crush/CrushWrapper.{h,cc}).

// ClassExists is class_exists.
func (m *CrushMap) ClassExists(name string) bool {
	_, ok := m.ClassID(name)
	return ok
}

// Classes returns the class names ordered by class id, as the class_name
// map iterates.
func (m *CrushMap) Classes() []string {
	var names []string
	for _, id := range slices.Sorted(maps.Keys(m.ClassNames)) {
		names = append(names, m.ClassNames[id])
	}
	return names
}

// CreateClass is get_or_create_class_id: the id of the class, made one past
// the highest id when it is new. A class made this way has no devices and
// so no shadow trees; the next rebuild of the shadow trees drops it again
// unless a device or rule uses it by then, as Ceph's does.
func (m *CrushMap) CreateClass(name string) int32 { return m.getOrCreateClassID(name) }

// RemoveClassName is remove_class_name: forget a class name (its devices
// and shadow trees are the caller's business).
func (m *CrushMap) RemoveClassName(name string) error {
	id, ok := m.ClassID(name)
	if !ok {
		return fmt.Errorf("%w: class %s", ErrNotFound, name)
	}
	delete(m.ClassNames, id)
	return nil
}

// RenameClass is rename_class: the class keeps its id, and its shadow
// buckets ("bucket~src") are renamed "bucket~dst" in place.
func (m *CrushMap) RenameClass(src, dst string) error {
	id, ok := m.ClassID(src)
	if !ok {
		return fmt.Errorf("%w: class %s", ErrNotFound, src)
	}
	if m.ClassExists(dst) {
		return fmt.Errorf("%w: class %s", ErrExists, dst)
	}
	for item, c := range m.ClassMap {
		if item >= 0 || c != id {
			continue
		}
		name := m.ItemNames[item]
		base, _, ok := strings.Cut(name, "~")
		if !ok {
			return fmt.Errorf("%w: shadow bucket %d is named %q", ErrInvalid, item, name)
		}
		m.ItemNames[item] = base + "~" + dst
	}
	m.ClassNames[id] = dst
	return nil
}

// ClassRules is class_is_in_use: the names of the rules that take one of
// the class's shadow roots, in rule order, a rule once per such step.
func (m *CrushMap) ClassRules(class int32) []string {
	var names []string
	for i, r := range m.Rules {
		if r == nil {
			continue
		}
		for _, s := range r.GetSteps() {
			if s.Op != OpTake {
				continue
			}
			for _, orig := range slices.Sorted(maps.Keys(m.ClassBucket)) {
				if id, ok := m.ClassBucket[orig][class]; ok && id == s.Arg1 {
					names = append(names, m.RuleNames[int32(i)])
				}
			}
		}
	}
	return names
}

// DevicesByClass is get_devices_by_class: the devices of a class in
// ascending order, none for an unknown class.
func (m *CrushMap) DevicesByClass(name string) []int32 {
	id, ok := m.ClassID(name)
	if !ok {
		return nil
	}
	var devs []int32
	for item, c := range m.ClassMap {
		if item >= 0 && c == id {
			devs = append(devs, item)
		}
	}
	slices.Sort(devs)
	return devs
}
