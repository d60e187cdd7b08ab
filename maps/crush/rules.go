package crush

import (
	"fmt"
)

// CrushChooseN is CRUSH_CHOOSE_N: a choose step's "0", meaning as many as
// the pool's size.
const CrushChooseN = 0

// AddSimpleRule is CrushWrapper::add_simple_rule_at as Pacific has it, what
// `osd crush rule create-replicated NAME ROOT TYPE [CLASS]` (mode "firstn")
// and create-simple use: take ROOT (or its CLASS shadow), then
// chooseleaf over failure-domain TYPE (plain choose when TYPE is the device
// type), then emit. indep rules first set chooseleaf_tries 5 and
// choose_tries 100. rno < 0 picks the lowest free rule id. It returns the
// rule id.
func (m *CrushMap) AddSimpleRule(name, root, failureDomain, class, mode string, typ RuleType, rno int) (int, error) {
	if _, ok := m.RuleID(name); ok {
		return 0, fmt.Errorf("%w: rule %s exists", ErrExists, name)
	}
	if rno >= 0 {
		if rno < len(m.Rules) && m.Rules[rno] != nil {
			return 0, fmt.Errorf("%w: rule with ruleno %d exists", ErrExists, rno)
		}
	} else {
		for rno = 0; rno < len(m.Rules) && m.Rules[rno] != nil; rno++ {
		}
	}
	rootID, ok := m.ItemID(root)
	if !ok {
		return 0, fmt.Errorf("%w: root item %s does not exist", ErrNotFound, root)
	}
	var ftype int32
	if failureDomain != "" {
		t, ok := m.TypeID(failureDomain)
		if !ok {
			return 0, fmt.Errorf("%w: unknown type %s", ErrInvalid, failureDomain)
		}
		ftype = t
	}
	if class != "" {
		c, ok := m.ClassID(class)
		if !ok {
			return 0, fmt.Errorf("%w: device class %s does not exist", ErrInvalid, class)
		}
		shadow, ok := m.ClassBucket[rootID][c]
		if !ok {
			return 0, fmt.Errorf("%w: root %s has no devices with class %s", ErrInvalid, root, class)
		}
		rootID = shadow
	}
	if mode != "firstn" && mode != "indep" {
		return 0, fmt.Errorf("%w: unknown mode %s", ErrInvalid, mode)
	}
	if rno > 255 {
		return 0, fmt.Errorf("%w: rule id %d does not fit the rule mask", ErrInvalid, rno)
	}
	r := &Rule{Ruleset: uint8(rno), Type: typ, MinSize: 1, MaxSize: 10}
	if mode == "indep" {
		r.MinSize, r.MaxSize = 3, 20
		r.Steps = append(r.Steps, Step{OpSetChooseLeafTries, 5, 0}, Step{OpSetChooseTries, 100, 0})
	}
	r.Steps = append(r.Steps, Step{OpTake, rootID, 0})
	switch {
	case ftype != 0 && mode == "firstn":
		r.Steps = append(r.Steps, Step{OpChooseLeafFirstN, CrushChooseN, ftype})
	case ftype != 0:
		r.Steps = append(r.Steps, Step{OpChooseLeafIndep, CrushChooseN, ftype})
	case mode == "firstn":
		r.Steps = append(r.Steps, Step{OpChooseFirstN, CrushChooseN, 0})
	default:
		r.Steps = append(r.Steps, Step{OpChooseIndep, CrushChooseN, 0})
	}
	r.Steps = append(r.Steps, Step{OpEmit, 0, 0})
	for len(m.Rules) <= rno {
		m.Rules = append(m.Rules, nil)
	}
	m.Rules[rno] = r
	m.RuleNames[int32(rno)] = name
	return rno, nil
}

// RemoveRule is remove_rule (`osd crush rule rm`).
func (m *CrushMap) RemoveRule(rno int) error {
	if rno < 0 || rno >= len(m.Rules) || m.Rules[rno] == nil {
		return fmt.Errorf("%w: rule %d", ErrNotFound, rno)
	}
	m.Rules[rno] = nil
	delete(m.RuleNames, int32(rno))
	m.RebuildRootsWithClasses()
	return nil
}

// FindRule is CrushWrapper::find_rule, how an OSDMap turns a pool's
// crush_rule, type and size into a rule id: when every rule's ruleset
// equals its id, the rule of that id if its type and size range fit;
// otherwise the first rule whose mask matches (crush_find_rule). -1 if
// none does.
func (m *CrushMap) FindRule(ruleset int, typ RuleType, size int) int {
	uniform := true
	for i, r := range m.Rules {
		if r != nil && int(r.Ruleset) != i {
			uniform = false
			break
		}
	}
	fits := func(r *Rule) bool {
		return r.Type == typ && int(r.MinSize) <= size && int(r.MaxSize) >= size
	}
	if uniform && ruleset >= 0 && ruleset < len(m.Rules) && m.Rules[ruleset] != nil && fits(m.Rules[ruleset]) {
		return ruleset
	}
	for i, r := range m.Rules {
		if r != nil && int(r.Ruleset) == ruleset && fits(r) {
			return i
		}
	}
	return -1
}
