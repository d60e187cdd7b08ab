package monmap

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

// Print writes the text `monmaptool --print` and `ceph mon dump` show
// (MonMap::print).
func (m *MonMap) Print() string {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %d\n", m.Epoch)
	fmt.Fprintf(&b, "fsid %s\n", m.FSID)
	fmt.Fprintf(&b, "last_changed %s\n", m.LastChanged)
	fmt.Fprintf(&b, "created %s\n", m.Created)
	fmt.Fprintf(&b, "min_mon_release %d (%s)\n", m.MinMonRelease, m.MinMonRelease)
	fmt.Fprintf(&b, "election_strategy: %d\n", m.Strategy)
	if m.StretchMode {
		fmt.Fprintf(&b, "stretch_mode_enabled %t\n", m.StretchMode)
		fmt.Fprintf(&b, "tiebreaker_mon %s\n", m.TiebreakerMon)
	}
	if len(m.DisallowedLeaders) > 0 || m.StretchMode {
		fmt.Fprintf(&b, "disallowed_leaders %s\n", strings.Join(m.DisallowedLeaders, ","))
	}
	for r, name := range m.Ranks {
		fmt.Fprintf(&b, "%d: %s mon.%s\n", r, m.Mons[name].PublicAddrs, name)
	}
	return b.String()
}

// JSON is MonMap::dump as `ceph mon dump -f json` shows it (the command
// adds "quorum").
type JSON struct {
	Epoch             uint32        `json:"epoch"`
	FSID              string        `json:"fsid"`
	Modified          string        `json:"modified"`
	Created           string        `json:"created"`
	MinMonRelease     uint8         `json:"min_mon_release"`
	MinMonReleaseName string        `json:"min_mon_release_name"`
	ElectionStrategy  uint8         `json:"election_strategy"`
	DisallowedLeaders string        `json:"disallowed_leaders: "`
	StretchMode       bool          `json:"stretch_mode"`
	TiebreakerMon     string        `json:"tiebreaker_mon"`
	RemovedRanks      string        `json:"removed_ranks: "`
	Features          FeaturesJSON  `json:"features"`
	Mons              []MonInfoJSON `json:"mons"`
}

// FeaturesJSON lists the monitor features by name.
type FeaturesJSON struct {
	Persistent []string `json:"persistent"`
	Optional   []string `json:"optional"`
}

// MonInfoJSON is one monitor in MonMap::dump.
type MonInfoJSON struct {
	Rank          int                  `json:"rank"`
	Name          string               `json:"name"`
	PublicAddrs   encoding.AddrVecJSON `json:"public_addrs"`
	Addr          string               `json:"addr"`
	PublicAddr    string               `json:"public_addr"`
	Priority      uint16               `json:"priority"`
	Weight        uint16               `json:"weight"`
	CrushLocation string               `json:"crush_location"`
}

// Dump returns the map in the shape of MonMap::dump.
func (m *MonMap) Dump() JSON {
	removed := make([]string, len(m.RemovedRanks))
	for i, r := range m.RemovedRanks {
		removed[i] = fmt.Sprint(r)
	}
	j := JSON{
		Epoch: m.Epoch, FSID: m.FSID.String(),
		Modified: m.LastChanged.GMTime(), Created: m.Created.GMTime(),
		MinMonRelease: uint8(m.MinMonRelease), MinMonReleaseName: m.MinMonRelease.String(),
		ElectionStrategy:  uint8(m.Strategy),
		DisallowedLeaders: strings.Join(m.DisallowedLeaders, ","),
		StretchMode:       m.StretchMode, TiebreakerMon: m.TiebreakerMon,
		RemovedRanks: strings.Join(removed, ","),
		Features: FeaturesJSON{Persistent: m.PersistentFeatures.Names(),
			Optional: m.OptionalFeatures.Names()},
		Mons: []MonInfoJSON{},
	}
	for r, name := range m.Ranks {
		mi := m.Mons[name]
		legacy := mi.PublicAddrs.LegacyOrFront().LegacyString()
		j.Mons = append(j.Mons, MonInfoJSON{
			Rank: r, Name: name, PublicAddrs: mi.PublicAddrs.JSON(),
			Addr: legacy, PublicAddr: legacy, Priority: mi.Priority, Weight: mi.Weight,
			CrushLocation: crushLocString(mi.CrushLoc),
		})
	}
	return j
}

// crushLocString prints a map<string,string> as Ceph's operator<< does.
func crushLocString(loc map[string]string) string {
	parts := make([]string, 0, len(loc))
	for _, k := range slices.Sorted(maps.Keys(loc)) {
		parts = append(parts, k+"="+loc[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}
