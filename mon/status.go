package mon

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// The `status` (`ceph -s`) command assembles what every service knows
// (Monitor::get_cluster_status). Without a manager the data section is
// the empty digest a mgr-less Pacific mon reports: pools, objects and
// usage are the manager's numbers, not the monitor's.

// statusJSON is `status -f json`.
type statusJSON struct {
	FSID          string         `json:"fsid"`
	Health        healthJSON     `json:"health"`
	ElectionEpoch uint32         `json:"election_epoch"`
	Quorum        []int          `json:"quorum"`
	QuorumNames   []string       `json:"quorum_names"`
	QuorumAge     int64          `json:"quorum_age"`
	Monmap        monmapSummary  `json:"monmap"`
	OSDMap        osdmapSummary  `json:"osdmap"`
	PGMap         pgmapSummary   `json:"pgmap"`
	FSMap         any            `json:"fsmap"` // FSMap::print_summary
	MgrMap        mgrmapSummary  `json:"mgrmap"`
	ServiceMap    servicemapJSON `json:"servicemap"`
	Progress      map[string]any `json:"progress_events"`
}

type monmapSummary struct {
	Epoch             uint32 `json:"epoch"`
	MinMonReleaseName string `json:"min_mon_release_name"`
	NumMons           int    `json:"num_mons"`
}

type osdmapSummary struct {
	Epoch          uint32 `json:"epoch"`
	NumOSDs        int    `json:"num_osds"`
	NumUpOSDs      int    `json:"num_up_osds"`
	OSDUpSince     int64  `json:"osd_up_since"`
	NumInOSDs      int    `json:"num_in_osds"`
	OSDInSince     int64  `json:"osd_in_since"`
	NumRemappedPGs int    `json:"num_remapped_pgs"`
}

type pgmapSummary struct {
	PGsByState []any  `json:"pgs_by_state"`
	NumPGs     int    `json:"num_pgs"`
	NumPools   int    `json:"num_pools"`
	NumObjects uint64 `json:"num_objects"`
	DataBytes  uint64 `json:"data_bytes"`
	BytesUsed  uint64 `json:"bytes_used"`
	BytesAvail uint64 `json:"bytes_avail"`
	BytesTotal uint64 `json:"bytes_total"`
}

type mgrmapSummary struct {
	Available   bool           `json:"available"`
	NumStandbys int            `json:"num_standbys"`
	Modules     []string       `json:"modules"`
	Services    map[string]any `json:"services"`
}

type servicemapJSON struct {
	Epoch    uint32         `json:"epoch"`
	Modified string         `json:"modified"`
	Services map[string]any `json:"services"`
}

func (m *Monitor) status(now time.Time) statusJSON {
	mm := m.monmap.current
	st := statusJSON{
		FSID: mm.FSID.String(), Health: m.health.report(false, now),
		ElectionEpoch: m.electionEpoch, Quorum: m.quorumRanks(), QuorumNames: m.quorumNames(),
		QuorumAge: int64(now.Sub(m.quorumSince).Seconds()),
		Monmap:    monmapSummary{mm.Epoch, mm.MinMonRelease.String(), len(mm.Mons)},
		PGMap:     pgmapSummary{PGsByState: []any{}},
		MgrMap:    mgrmapSummary{Modules: []string{}, Services: map[string]any{}},
		// The service map lives with the manager digest; with no manager
		// it stays at its first epoch, made with the cluster.
		ServiceMap: servicemapJSON{Epoch: 1, Modified: mm.Created.String(), Services: map[string]any{}},
		Progress:   map[string]any{},
	}
	epoch, num, up, in, _, _ := m.osd.osdSummary()
	st.OSDMap = osdmapSummary{Epoch: epoch, NumOSDs: num, NumUpOSDs: up, NumInOSDs: in}
	if fm := m.mds.fsSummary(); fm != nil {
		st.FSMap = fm.SummaryJSON()
	}
	avail, _, mgrStandbys := m.mgr.mgrSummary()
	st.MgrMap.Available, st.MgrMap.NumStandbys = avail, mgrStandbys
	if mods := m.mgr.enabledModules(); mods != nil {
		st.MgrMap.Modules = mods
	}
	return st
}

// bytesStr prints a byte count as Ceph's byte_u_t does ("0 B", "1.5 KiB").
func bytesStr(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + " " + units[u]
}

// statusText renders `ceph -s` (Monitor::get_cluster_status, plain).
func (m *Monitor) statusText(now time.Time) string {
	st := m.status(now)
	var b strings.Builder
	b.WriteString("  cluster:\n")
	fmt.Fprintf(&b, "    id:     %s\n", st.FSID)
	fmt.Fprintf(&b, "    health: %s\n", st.Health.Status)
	checks := m.health.checks()
	for _, code := range slices.Sorted(maps.Keys(checks)) {
		if !m.health.muted(code, now) {
			fmt.Fprintf(&b, "            %s\n", checks[code].Summary)
		}
	}
	b.WriteString(" \n  services:\n")
	fmt.Fprintf(&b, "    mon: %d daemons, quorum %s (age %s)\n", st.Monmap.NumMons,
		strings.Join(st.QuorumNames, ","), encoding.TimespanStr(now.Sub(m.quorumSince)))
	if avail, active, standbys := m.mgr.mgrSummary(); avail || active != "" {
		line := "    mgr: " + active
		if !avail {
			line += "(unavailable)"
		}
		if standbys > 0 {
			line += fmt.Sprintf(", standbys: %d", standbys)
		}
		b.WriteString(line + "\n")
	} else {
		b.WriteString("    mgr: no daemons active\n")
	}
	fm := m.mds.fsSummary()
	if fm != nil && len(fm.Filesystems) > 0 {
		fmt.Fprintf(&b, "    mds: %s\n", fm.DaemonSummary())
	}
	o := st.OSDMap
	fmt.Fprintf(&b, "    osd: %d osds: %d up, %d in", o.NumOSDs, o.NumUpOSDs, o.NumInOSDs)
	if flags := visibleFlags(m.osd.osdFlags()); flags != "" {
		fmt.Fprintf(&b, "\n         flags %s", flags)
	}
	b.WriteString("\n \n  data:\n")
	if fm != nil && len(fm.Filesystems) > 0 {
		b.WriteString("    " + fm.VolumesSummary() + "\n")
	}
	p := st.PGMap
	fmt.Fprintf(&b, "    pools:   %d pools, %d pgs\n", p.NumPools, p.NumPGs)
	fmt.Fprintf(&b, "    objects: %d objects, %s\n", p.NumObjects, bytesStr(p.DataBytes))
	fmt.Fprintf(&b, "    usage:   %s used, %s / %s avail\n", bytesStr(p.BytesUsed), bytesStr(p.BytesAvail), bytesStr(p.BytesTotal))
	b.WriteString("    pgs:     \n \n")
	return b.String()
}

// statusCommand serves `status` / `-s` and `health`-adjacent summaries.
func (s *monCmds) statusCommand(req *request) bool {
	m := s.m
	now := time.Now()
	switch req.prefix {
	case "status":
		if f := req.formatOf(fmtPlain); isJSON(f) {
			req.replyJSONVia(streamed, 0, "", m.status(now), f)
		} else {
			req.respond(0, "", []byte(m.statusText(now)))
		}
	case "df":
		if f := req.formatOf(fmtPlain); isJSON(f) {
			out := dfJSON{StatsByClass: map[string]any{}, Pools: []any{}}
			req.replyJSONVia(streamed, 0, "", out, f)
		} else {
			req.respond(0, "", []byte(dfText(req.strOr("detail", "") == "detail")))
		}
	default:
		return false
	}
	return true
}

// semihiddenFlags are the OSDMap flags every current cluster carries, which
// the summary leaves out (CEPH_OSDMAP_SEMIHIDDEN_FLAGS).
var semihiddenFlags = []string{"sortbitwise", "recovery_deletes", "purged_snapdirs", "pglog_hardlimit",
	"require_jewel_osds", "require_kraken_osds", "require_luminous_osds"}

func visibleFlags(flags string) string {
	var out []string
	for _, f := range strings.Split(flags, ",") {
		if f != "" && !slices.Contains(semihiddenFlags, f) {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// dfJSON is `df -f json` (MgrStatMonitor's dump of the manager digest).
type dfJSON struct {
	Stats struct {
		TotalBytes         uint64 `json:"total_bytes"`
		TotalAvailBytes    uint64 `json:"total_avail_bytes"`
		TotalUsedBytes     uint64 `json:"total_used_bytes"`
		TotalUsedRawBytes  uint64 `json:"total_used_raw_bytes"`
		TotalUsedRawRatio  uint64 `json:"total_used_raw_ratio"`
		NumOSDs            int    `json:"num_osds"`
		NumPerPoolOSDs     int    `json:"num_per_pool_osds"`
		NumPerPoolOmapOSDs int    `json:"num_per_pool_omap_osds"`
	} `json:"stats"`
	StatsByClass map[string]any `json:"stats_by_class"`
	Pools        []any          `json:"pools"`
}

// dfText renders `df [detail]` from the manager digest. Until a manager
// reports, the digest is empty: the totals are zero and no pool is
// listed, as a mgr-less ceph-mon prints it.
func dfText(detail bool) string {
	var b strings.Builder
	b.WriteString("--- RAW STORAGE ---\n")
	b.WriteString(textTableAligned([][]string{
		{"CLASS", "SIZE", "AVAIL", "USED", "RAW USED", "%RAW USED"},
		{"TOTAL", bytesStr(0), bytesStr(0), bytesStr(0), bytesStr(0), "0"},
	}))
	b.WriteString(" \n--- POOLS ---\n")
	hdr := []string{"POOL", "ID", "PGS", "STORED", "OBJECTS", "USED", "%USED", "MAX AVAIL"}
	if detail {
		hdr = []string{"POOL", "ID", "PGS", "STORED", "(DATA)", "(OMAP)", "OBJECTS", "USED", "(DATA)", "(OMAP)",
			"%USED", "MAX AVAIL", "QUOTA OBJECTS", "QUOTA BYTES", "DIRTY", "USED COMPR", "UNDER COMPR"}
	}
	b.WriteString(textTableAligned([][]string{hdr}))
	return b.String()
}
