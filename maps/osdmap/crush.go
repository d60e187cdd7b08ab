package osdmap

import (
	"fmt"
	"sync"

	"github.com/kelp-ceph/kelp/maps/crush"
)

// crushCache holds the decoded form of the bytes in OSDMap.Crush. Clones
// share it; it re-decodes when Crush has been replaced.
type crushCache struct {
	mu  sync.Mutex
	src []byte
	m   *crush.CrushMap
	err error
}

func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// CrushMap returns the map's CRUSH map, decoded from Crush on first use.
// The result is shared and must not be modified: change the CRUSH map with
// SetCrush. Crush itself is replaced, never modified in place.
func (m *OSDMap) CrushMap() (*crush.CrushMap, error) {
	if m.crush == nil {
		m.crush = &crushCache{}
	}
	c := m.crush
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil && c.err == nil || !sameBytes(c.src, m.Crush) {
		c.src = m.Crush
		c.m, c.err = crush.Decode(m.Crush)
		if c.err != nil {
			c.err = fmt.Errorf("osdmap: crush map: %w", c.err)
		}
	}
	return c.m, c.err
}

// SetCrush replaces the CRUSH map with cm encoded for features.
func (m *OSDMap) SetCrush(cm *crush.CrushMap, features uint64) {
	m.Crush = cm.Encode(features)
	m.crush = &crushCache{src: m.Crush, m: cm}
}

// findRule is CrushWrapper::find_rule: with uniform rule ids a pool's
// crush_rule is the rule id; otherwise the legacy ruleset/type/size mask
// picks the rule (crush_find_rule).
func findRule(c *crush.CrushMap, ruleset uint8, typ PoolType, size uint8) int {
	uniform := true
	for i, r := range c.Rules {
		if r != nil && int(r.Ruleset) != i {
			uniform = false
			break
		}
	}
	if uniform {
		return int(ruleset)
	}
	for i, r := range c.Rules {
		if r != nil && r.Ruleset == ruleset && uint8(r.Type) == uint8(typ) &&
			r.MinSize <= size && r.MaxSize >= size {
			return i
		}
	}
	return -1
}
