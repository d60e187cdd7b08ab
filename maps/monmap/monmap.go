// Package monmap is Ceph's MonMap (src/mon/MonMap.{h,cc}): which monitors
// form the cluster, their addresses and ranks, and the features and
// election settings they share. Encoding is byte-exact with Ceph for the
// features a peer announces.
package monmap

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

// ElectionStrategy is MonMap::election_strategy.
type ElectionStrategy uint8

const (
	StrategyClassic      ElectionStrategy = 1
	StrategyDisallow     ElectionStrategy = 2
	StrategyConnectivity ElectionStrategy = 3
)

// MonInfo is mon_info_t: one monitor's name, addresses and election
// preferences.
type MonInfo struct {
	Name        string
	PublicAddrs encoding.EntityAddrVec
	Priority    uint16
	Weight      uint16
	CrushLoc    map[string]string
}

// MonMap is the map of monitors.
type MonMap struct {
	FSID               encoding.UUID
	Epoch              uint32
	LastChanged        encoding.UTime
	Created            encoding.UTime
	PersistentFeatures MonFeatures
	OptionalFeatures   MonFeatures
	Mons               map[string]*MonInfo
	// Ranks lists monitor names by rank.
	Ranks             []string
	MinMonRelease     encoding.Release
	RemovedRanks      []int32 // a std::set<int>: kept sorted
	Strategy          ElectionStrategy
	DisallowedLeaders []string // a std::set<std::string>: kept sorted
	StretchMode       bool
	TiebreakerMon     string
	StretchMarkedDown []string // a std::set<std::string>: kept sorted
}

// New returns an empty map with fsid, created and last changed at now, the
// classic election strategy, and no monitors, as `monmaptool --create`
// starts one.
func New(fsid encoding.UUID, now encoding.UTime) *MonMap {
	return &MonMap{FSID: fsid, Created: now, LastChanged: now, Mons: map[string]*MonInfo{},
		Strategy: StrategyClassic}
}

// Add adds a monitor and recomputes the ranks.
func (m *MonMap) Add(name string, addrs encoding.EntityAddrVec) error {
	if _, ok := m.Mons[name]; ok {
		return fmt.Errorf("monmap: mon.%s already exists", name)
	}
	m.Mons[name] = &MonInfo{Name: name, PublicAddrs: addrs}
	m.CalcLegacyRanks()
	return nil
}

// Remove removes a monitor and recomputes the ranks.
func (m *MonMap) Remove(name string) error {
	if _, ok := m.Mons[name]; !ok {
		return fmt.Errorf("monmap: mon.%s does not exist", name)
	}
	delete(m.Mons, name)
	m.CalcLegacyRanks()
	return nil
}

// CalcLegacyRanks orders ranks as MonMap::calc_legacy_ranks does: by each
// monitor's legacy (or else first) address compared as Ceph compares
// entity_addr_t (memcmp of the in-memory struct), then by name.
func (m *MonMap) CalcLegacyRanks() {
	names := slices.Collect(maps.Keys(m.Mons))
	slices.SortFunc(names, func(a, b string) int {
		ka, kb := addrSortKey(m.Mons[a].PublicAddrs), addrSortKey(m.Mons[b].PublicAddrs)
		if c := strings.Compare(ka, kb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	m.Ranks = names
}

// addrSortKey returns the bytes of entity_addr_t as it lies in memory on
// Linux (type and nonce in host order, then the sockaddr union with the
// family in host order), so comparing keys compares as memcmp does.
func addrSortKey(v encoding.EntityAddrVec) string {
	a := v.Front()
	if l, ok := v.Of(encoding.AddrLegacy); ok {
		a = l
	}
	var e encoding.Encoder
	e.U32(uint32(a.Type))
	e.U32(a.Nonce)
	// The MSG_ADDR2 body is family (LE) followed by the sockaddr bytes:
	// exactly the union's layout on a little-endian host.
	var ae encoding.Encoder
	ae.EntityAddr(a, encoding.FeaturesPacific)
	body := ae.Bytes()[1+6+12:] // marker, struct header, type, nonce, elen
	e.Raw(body)
	for e.Len() < 8+28 {
		e.U8(0)
	}
	return string(e.Bytes())
}

// Clone returns a deep copy of m, which can be changed without touching m
// (a monitor's next epoch).
func (m *MonMap) Clone() *MonMap {
	c := *m
	c.Mons = make(map[string]*MonInfo, len(m.Mons))
	for name, mi := range m.Mons {
		ci := *mi
		ci.PublicAddrs = slices.Clone(mi.PublicAddrs)
		ci.CrushLoc = maps.Clone(mi.CrushLoc)
		c.Mons[name] = &ci
	}
	c.Ranks = slices.Clone(m.Ranks)
	c.RemovedRanks = slices.Clone(m.RemovedRanks)
	c.DisallowedLeaders = slices.Clone(m.DisallowedLeaders)
	c.StretchMarkedDown = slices.Clone(m.StretchMarkedDown)
	return &c
}

// Rank returns a monitor's rank, or -1.
func (m *MonMap) Rank(name string) int { return slices.Index(m.Ranks, name) }

// AddrsOfRank returns the addresses of the monitor at rank r.
func (m *MonMap) AddrsOfRank(r int) encoding.EntityAddrVec {
	if r < 0 || r >= len(m.Ranks) {
		return nil
	}
	if mi := m.Mons[m.Ranks[r]]; mi != nil {
		return mi.PublicAddrs
	}
	return nil
}
