package fsmap

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/internal/cephjson"
)

// Summaries for `ceph mds stat` and `ceph status` (FSMap::print_summary,
// print_daemon_summary, print_fs_summary).

type rankRole struct {
	fscid int32
	rank  int32
}

// daemonsByRole walks mds_roles as print_summary does: the daemons with a
// file system, in gid order.
func (m *FSMap) daemonsByRole() []*MDSInfo {
	var out []*MDSInfo
	for _, gid := range slices.Sorted(maps.Keys(m.MDSRoles)) {
		fscid := m.MDSRoles[gid]
		if f, ok := m.Filesystems[fscid]; ok && fscid != FSClusterIDNone {
			if in, ok := f.MDSMap.Info[gid]; ok {
				out = append(out, in)
			}
		}
	}
	return out
}

func stateName(in *MDSInfo) string {
	s := in.State.String()
	if in.Laggy() {
		s += "(laggy or crashed)"
	}
	return s
}

// SummaryText is print_summary's text, what `ceph mds stat` prints.
func (m *FSMap) SummaryText() string {
	var b strings.Builder
	ids := m.FSCIDs()
	if len(ids) <= 3 {
		for i, id := range ids {
			if i > 0 {
				b.WriteString(" ")
			}
			mm := m.Filesystems[id].MDSMap
			if mm.IsDegraded() {
				fmt.Fprintf(&b, "%s:%d/%d", mm.FSName, len(mm.Up), len(mm.In))
			} else {
				fmt.Fprintf(&b, "%s:%d", mm.FSName, len(mm.In))
			}
		}
	} else {
		fmt.Fprintf(&b, "%d fs", len(ids))
		var degraded []string
		for _, id := range ids {
			if mm := m.Filesystems[id].MDSMap; mm.IsDegraded() {
				degraded = append(degraded, fmt.Sprintf("%s:%d/%d", mm.FSName, len(mm.Up), len(mm.In)))
			}
		}
		if n := len(degraded); n > 3 {
			fmt.Fprintf(&b, " (degraded: %d fs)", n)
		} else if n > 0 {
			b.WriteString(" (degraded: " + strings.Join(degraded, "") + ")")
		}
	}
	byState := map[MDSState]int{StateStandby: len(m.StandbyDaemons)}
	byRank := map[rankRole]*MDSInfo{}
	for _, in := range m.daemonsByRole() {
		if in.State != StateStandbyReplay {
			byRank[rankRole{m.MDSRoles[in.GID], in.Rank}] = in
		}
		byState[in.State]++
	}
	if n := len(byRank); n > 0 && n < 5 {
		roles := slices.SortedFunc(maps.Keys(byRank), func(a, c rankRole) int {
			if a.fscid != c.fscid {
				return int(a.fscid) - int(c.fscid)
			}
			return int(a.rank) - int(c.rank)
		})
		type entry struct{ key, val string }
		var entries []entry
		for _, r := range roles {
			in := byRank[r]
			key := fmt.Sprint(r.rank)
			if len(ids) > 1 {
				key = m.Filesystems[r.fscid].MDSMap.FSName + ":" + key
			}
			entries = append(entries, entry{key, in.Name + "=" + stateName(in)})
			byState[in.State]--
		}
		if len(ids) > 1 {
			slices.SortFunc(entries, func(a, c entry) int { return strings.Compare(a.key, c.key) })
		}
		parts := make([]string, len(entries))
		for i, e := range entries {
			parts[i] = e.key + "=" + e.val
		}
		b.WriteString(" {" + strings.Join(parts, ",") + "}")
	}
	for _, st := range slices.Sorted(maps.Keys(byState)) {
		if n := byState[st]; n > 0 {
			fmt.Fprintf(&b, " %d %s", n, st)
		}
	}
	failed, damaged := m.failedDamaged()
	if failed > 0 {
		fmt.Fprintf(&b, ", %d failed", failed)
	}
	if damaged > 0 {
		fmt.Fprintf(&b, ", %d damaged", damaged)
	}
	return b.String()
}

func (m *FSMap) failedDamaged() (failed, damaged int) {
	for _, f := range m.Filesystems {
		failed += len(f.MDSMap.Failed)
		damaged += len(f.MDSMap.Damaged)
	}
	return failed, damaged
}

// SummaryJSON is print_summary's Formatter form, the "fsmap" section of
// `ceph status`. With several file systems Ceph repeats the id, up, in and
// max keys; a JSON object keeps the last file system's.
func (m *FSMap) SummaryJSON() *cephjson.Object {
	o := cephjson.NewObject().Set("epoch", m.Epoch)
	for _, id := range m.FSCIDs() {
		mm := m.Filesystems[id].MDSMap
		o.Set("id", id).Set("up", len(mm.Up)).Set("in", len(mm.In)).Set("max", mm.MaxMDS)
	}
	byRank := []any{}
	for _, in := range m.daemonsByRole() {
		byRank = append(byRank, cephjson.NewObject().Set("filesystem_id", m.MDSRoles[in.GID]).
			Set("rank", in.Rank).Set("name", in.Name).Set("status", stateName(in)).Set("gid", in.GID))
	}
	o.Set("by_rank", byRank)
	o.Set(StateStandby.String(), len(m.StandbyDaemons))
	failed, damaged := m.failedDamaged()
	if failed > 0 {
		o.Set("failed", failed)
	}
	if damaged > 0 {
		o.Set("damaged", damaged)
	}
	return o
}

// DaemonSummary is print_daemon_summary, the "mds:" line of `ceph status`.
func (m *FSMap) DaemonSummary() string {
	var up, in, failed, standbyReplay int
	for _, f := range m.Filesystems {
		mm := f.MDSMap
		up += len(mm.Up)
		in += len(mm.In)
		failed += len(mm.Failed)
		for _, d := range mm.Info {
			if d.State == StateStandbyReplay {
				standbyReplay++
			}
		}
	}
	s := fmt.Sprintf("%d/%d daemons up", up, in)
	if failed > 0 {
		s += fmt.Sprintf(" (%d failed)", failed)
	}
	if n := len(m.StandbyDaemons); n > 0 {
		s += fmt.Sprintf(", %d standby", n)
	}
	if standbyReplay > 0 {
		s += fmt.Sprintf(", %d hot standby", standbyReplay)
	}
	return s
}

// VolumesSummary is print_fs_summary, the "volumes:" line of `ceph
// status`, without its indentation; empty without file systems.
func (m *FSMap) VolumesSummary() string {
	if len(m.Filesystems) == 0 {
		return ""
	}
	var failed, recovering, stopped, healthy, damaged int
	for _, f := range m.Filesystems {
		mm := f.MDSMap
		if len(mm.Damaged) > 0 {
			damaged++
		}
		switch {
		case len(mm.Failed) > 0:
			failed++
		case mm.IsDegraded():
			recovering++
		case mm.MaxMDS == 0:
			stopped++
		default:
			healthy++
		}
	}
	s := fmt.Sprintf("volumes: %d/%d healthy", healthy, len(m.Filesystems))
	if recovering > 0 {
		s += fmt.Sprintf(", %d recovering", recovering)
	}
	if failed > 0 {
		s += fmt.Sprintf(", %d failed", failed)
	}
	if stopped > 0 {
		s += fmt.Sprintf(", %d stopped", stopped)
	}
	if damaged > 0 {
		s += fmt.Sprintf("; %d damaged", damaged)
	}
	return s
}
