package osdmap

import (
	"fmt"
	"slices"

	"github.com/kelp-ceph/kelp/maps/crush"
)

// Derived per-OSD state, as OSDMap's inline accessors compute it.

// Exists reports whether osd is in the map (CEPH_OSD_EXISTS).
func (m *OSDMap) Exists(osd int32) bool {
	return osd >= 0 && osd < m.MaxOSD && m.OSDState[osd]&StateExists != 0
}

// IsUp reports whether osd exists and is up.
func (m *OSDMap) IsUp(osd int32) bool { return m.Exists(osd) && m.OSDState[osd]&StateUp != 0 }

// IsDown reports !IsUp.
func (m *OSDMap) IsDown(osd int32) bool { return !m.IsUp(osd) }

// IsOut reports whether osd is absent or has weight 0.
func (m *OSDMap) IsOut(osd int32) bool { return !m.Exists(osd) || m.OSDWeight[osd] == WeightOut }

// IsIn reports !IsOut.
func (m *OSDMap) IsIn(osd int32) bool { return !m.IsOut(osd) }

// IsDestroyed reports whether osd is marked destroyed.
func (m *OSDMap) IsDestroyed(osd int32) bool {
	return m.Exists(osd) && m.OSDState[osd]&StateDestroyed != 0
}

// Weight returns osd's in-weight as a fraction (get_weightf).
func (m *OSDMap) Weight(osd int32) float64 { return float64(m.OSDWeight[osd]) / float64(WeightIn) }

// PrimaryAffinityOf returns osd's primary affinity (16.16 fixed point).
func (m *OSDMap) PrimaryAffinityOf(osd int32) uint32 {
	if m.PrimaryAffinity == nil {
		return DefaultPrimaryAffinity
	}
	return m.PrimaryAffinity[osd]
}

// Counts returns the number of OSDs that exist, are up, and are in
// (calc_num_osds).
func (m *OSDMap) Counts() (num, up, in int) {
	for o := int32(0); o < m.MaxOSD; o++ {
		if !m.Exists(o) {
			continue
		}
		num++
		if m.IsUp(o) {
			up++
		}
		if m.OSDWeight[o] != WeightOut {
			in++
		}
	}
	return
}

// NumPGs returns the total pg_num over all pools.
func (m *OSDMap) NumPGs() int {
	n := 0
	for _, p := range m.Pools {
		n += int(p.PGNum)
	}
	return n
}

// LookupPool returns the id of the pool named name.
func (m *OSDMap) LookupPool(name string) (int64, bool) {
	for id, n := range m.PoolNames {
		if n == name {
			return id, true
		}
	}
	return 0, false
}

// HashKey is pg_pool_t::hash_key: the placement hash of an object name
// (or locator key) in a namespace, namespace and name joined by 0x1f.
func (p *PGPool) HashKey(key, ns string) uint32 {
	if ns == "" {
		return crush.StrHash(int(p.ObjectHash), []byte(key))
	}
	b := make([]byte, 0, len(ns)+1+len(key))
	b = append(append(append(b, ns...), 0x1f), key...)
	return crush.StrHash(int(p.ObjectHash), b)
}

// RawPGToPG folds a raw placement seed onto the pool's pg_num.
func (p *PGPool) RawPGToPG(pg PG) PG {
	pg.Seed = crush.StableMod(pg.Seed, p.PGNum, p.PGNumMask())
	return pg
}

// RawPGToPPS is pg_pool_t::raw_pg_to_pps: the CRUSH input for a PG,
// mixing in the pool id so pools do not overlap.
func (p *PGPool) RawPGToPPS(pg PG) uint32 {
	ps := crush.StableMod(pg.Seed, p.PGPNum, p.PGPNumMask())
	if p.HasFlag(PoolFlagHashPSPool) {
		return crush.Hash32_2(ps, uint32(pg.Pool))
	}
	return ps + uint32(pg.Pool)
}

// ObjectToPG is OSDMap::map_to_pg: the raw PG of an object (its seed is
// the full hash; RawPGToPG folds it). key, when set, replaces the name as
// the locator.
func (m *OSDMap) ObjectToPG(pool int64, name, key, ns string) (PG, error) {
	p, ok := m.Pools[pool]
	if !ok {
		return PG{}, fmt.Errorf("osdmap: no pool %d", pool)
	}
	if key == "" {
		key = name
	}
	return PG{Pool: uint64(pool), Seed: p.HashKey(key, ns)}, nil
}

// Mapping is the placement of one PG.
type Mapping struct {
	Up            []int32
	UpPrimary     int32
	Acting        []int32
	ActingPrimary int32
}

// Mapper computes PG placements for one map; it reuses CRUSH scratch
// space, so it is not safe for concurrent use.
type Mapper struct {
	m  *OSDMap
	c  *crush.CrushMap
	cm *crush.Mapper
}

// NewMapper returns a Mapper for m, decoding its CRUSH map.
func (m *OSDMap) NewMapper() (*Mapper, error) {
	c, err := m.CrushMap()
	if err != nil {
		return nil, err
	}
	return &Mapper{m: m, c: c, cm: crush.NewMapper(c)}, nil
}

func (p *Mapper) removeNonexistent(pool *PGPool, osds []int32) []int32 {
	m := p.m
	if pool.CanShiftOSDs() {
		out := osds[:0]
		for _, o := range osds {
			if m.Exists(o) {
				out = append(out, o)
			}
		}
		return out
	}
	for i, o := range osds {
		if !m.Exists(o) {
			osds[i] = crushItemNone
		}
	}
	return osds
}

// rawOSDs is _pg_to_raw_osds: the CRUSH result for pg, minus OSDs that
// do not exist; it also returns the placement seed.
func (p *Mapper) rawOSDs(pool *PGPool, pg PG) ([]int32, uint32) {
	pps := pool.RawPGToPPS(pg)
	var osds []int32
	if rule := findRule(p.c, pool.CrushRule, pool.Type, pool.Size); rule >= 0 {
		osds = p.cm.DoRule(rule, int32(pps), p.m.OSDWeight, int(pool.Size), p.c.ChooseArgsFor(int64(pg.Pool)))
		osds = slices.Clone(osds)
	}
	return p.removeNonexistent(pool, osds), pps
}

func pickPrimary(osds []int32) int32 {
	for _, o := range osds {
		if o != crushItemNone {
			return o
		}
	}
	return -1
}

// applyUpmap is _apply_upmap: explicit pg_upmap, then pg_upmap_items,
// ignoring targets that are marked out.
func (p *Mapper) applyUpmap(pool *PGPool, rawPG PG, raw []int32) []int32 {
	m := p.m
	pg := pool.RawPGToPG(rawPG)
	markedOut := func(o int32) bool {
		return o != crushItemNone && o < m.MaxOSD && o >= 0 && m.OSDWeight[o] == 0
	}
	if up, ok := m.PGUpmap[pg]; ok {
		rejected := false
		for _, o := range up {
			if markedOut(o) {
				rejected = true
				break
			}
		}
		if rejected {
			return raw
		}
		raw = slices.Clone(up)
	}
	for _, it := range m.PGUpmapItems[pg] {
		exists := false
		pos := -1
		for i, o := range raw {
			if o == it.To {
				exists = true
				break
			}
			if o == it.From && pos < 0 && !markedOut(it.To) {
				pos = i
			}
		}
		if !exists && pos >= 0 {
			raw[pos] = it.To
		}
	}
	return raw
}

// rawToUp is _raw_to_up_osds: drop (or blank) OSDs that are down.
func (p *Mapper) rawToUp(pool *PGPool, raw []int32) []int32 {
	m := p.m
	if pool.CanShiftOSDs() {
		up := make([]int32, 0, len(raw))
		for _, o := range raw {
			if m.IsUp(o) {
				up = append(up, o)
			}
		}
		return up
	}
	up := make([]int32, len(raw))
	for i, o := range raw {
		if m.IsUp(o) {
			up[i] = o
		} else {
			up[i] = crushItemNone
		}
	}
	return up
}

// applyPrimaryAffinity is _apply_primary_affinity: an OSD with affinity
// below 1 declines a proportional share of the PGs it would lead.
func (p *Mapper) applyPrimaryAffinity(seed uint32, pool *PGPool, osds []int32, primary int32) int32 {
	m := p.m
	if m.PrimaryAffinity == nil {
		return primary
	}
	any := false
	for _, o := range osds {
		if o != crushItemNone && m.PrimaryAffinity[o] != DefaultPrimaryAffinity {
			any = true
			break
		}
	}
	if !any {
		return primary
	}
	pos := -1
	for i, o := range osds {
		if o == crushItemNone {
			continue
		}
		a := m.PrimaryAffinity[o]
		if a < MaxPrimaryAffinity && crush.Hash32_2(seed, uint32(o))>>16 >= a {
			if pos < 0 {
				pos = i
			}
		} else {
			pos = i
			break
		}
	}
	if pos < 0 {
		return primary
	}
	primary = osds[pos]
	if pool.CanShiftOSDs() && pos > 0 {
		copy(osds[1:pos+1], osds[:pos])
		osds[0] = primary
	}
	return primary
}

// tempOSDs is _get_temp_osds: the pg_temp and primary_temp overrides.
func (p *Mapper) tempOSDs(pool *PGPool, pg PG) ([]int32, int32) {
	m := p.m
	pg = pool.RawPGToPG(pg)
	var temp []int32
	for _, o := range m.PGTemp[pg] {
		if m.IsUp(o) {
			temp = append(temp, o)
		} else if !pool.CanShiftOSDs() {
			temp = append(temp, crushItemNone)
		}
	}
	if pt, ok := m.PrimaryTemp[pg]; ok {
		return temp, pt
	}
	return temp, pickPrimary(temp)
}

// RawUp is pg_to_raw_up: the up set before pg_temp.
func (p *Mapper) RawUp(pg PG) ([]int32, int32) {
	pool := p.m.Pools[int64(pg.Pool)]
	if pool == nil {
		return nil, -1
	}
	raw, pps := p.rawOSDs(pool, pg)
	raw = p.applyUpmap(pool, pg, raw)
	up := p.rawToUp(pool, raw)
	primary := pickPrimary(raw)
	primary = p.applyPrimaryAffinity(pps, pool, up, primary)
	return up, primary
}

// Map is pg_to_up_acting_osds: the up and acting sets of pg and their
// primaries. pg may be raw (any seed); PGs of missing pools map nowhere.
func (p *Mapper) Map(pg PG) Mapping {
	pool := p.m.Pools[int64(pg.Pool)]
	if pool == nil {
		return Mapping{UpPrimary: -1, ActingPrimary: -1}
	}
	acting, actingPrimary := p.tempOSDs(pool, pg)
	raw, pps := p.rawOSDs(pool, pg)
	raw = p.applyUpmap(pool, pg, raw)
	up := p.rawToUp(pool, raw)
	upPrimary := pickPrimary(up)
	upPrimary = p.applyPrimaryAffinity(pps, pool, up, upPrimary)
	if len(acting) == 0 {
		acting = slices.Clone(up)
		if actingPrimary == -1 {
			actingPrimary = upPrimary
		}
	}
	return Mapping{Up: up, UpPrimary: upPrimary, Acting: acting, ActingPrimary: actingPrimary}
}

// RawOSDs is pg_to_raw_osds: the CRUSH placement of pg alone, and its
// first OSD.
func (p *Mapper) RawOSDs(pg PG) ([]int32, int32) {
	pool := p.m.Pools[int64(pg.Pool)]
	if pool == nil {
		return nil, -1
	}
	raw, _ := p.rawOSDs(pool, pg)
	return raw, pickPrimary(raw)
}
