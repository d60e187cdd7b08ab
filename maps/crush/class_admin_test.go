package crush

import (
	"errors"
	"slices"
	"testing"
)

// TestClassAdmin checks the class lookups and edits behind `osd crush class`
// on testdata/src/classes.txt (hdd, ssd, nvme; rules taking hdd and ssd).
func TestClassAdmin(t *testing.T) {
	m, _ := loadMap(t, "testdata/bin/classes.bin")
	if got, want := m.Classes(), []string{"hdd", "ssd", "nvme"}; !slices.Equal(got, want) {
		t.Errorf("Classes() = %v, want %v", got, want)
	}
	if got, want := m.DevicesByClass("ssd"), []int32{1, 4, 7}; !slices.Equal(got, want) {
		t.Errorf("DevicesByClass(ssd) = %v, want %v", got, want)
	}
	if got := m.DevicesByClass("nope"); got != nil {
		t.Errorf("DevicesByClass(nope) = %v", got)
	}
	hdd, _ := m.ClassID("hdd")
	if got, want := m.ClassRules(hdd), []string{"hdd_rule", "ec_hdd"}; !slices.Equal(got, want) {
		t.Errorf("ClassRules(hdd) = %v, want %v", got, want)
	}
	nvme, _ := m.ClassID("nvme")
	if got := m.ClassRules(nvme); got != nil {
		t.Errorf("ClassRules(nvme) = %v", got)
	}
	if err := m.RenameClass("nope", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RenameClass(nope): %v", err)
	}
	if err := m.RenameClass("ssd", "hdd"); !errors.Is(err, ErrExists) {
		t.Errorf("RenameClass(ssd, hdd): %v", err)
	}
	if id := m.CreateClass("fast"); id != 3 || !m.ClassExists("fast") {
		t.Errorf("CreateClass(fast) = %d", id)
	}
	if id := m.CreateClass("hdd"); id != hdd {
		t.Errorf("CreateClass(hdd) = %d, want %d", id, hdd)
	}
	if err := m.RemoveClassName("fast"); err != nil || m.ClassExists("fast") {
		t.Errorf("RemoveClassName(fast): %v", err)
	}
	if err := m.RemoveClassName("fast"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveClassName(fast) again: %v", err)
	}
}
