package mon

import (
	"fmt"
	"maps"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/kelp-ceph/kelp/maps/monmap"
)

// monCmds answers the commands Monitor::handle_command serves itself
// rather than through a PaxosService: quorum_status, features,
// versions, mon metadata... It keeps no state of its own.
type monCmds struct {
	m *Monitor
	// The data directory's free space as of the last tick.
	availPct int
	sampled  bool
	// monMetadata is every monitor's metadata by rank as committed, and
	// pendingMetadata what a new leader proposes (moncmd_metadata.go).
	monMetadata     map[int]map[string]string
	pendingMetadata map[int]map[string]string
}

func (s *monCmds) name() string         { return "monitor" }
func (s *monCmds) createInitial() error { return nil }

// versionString is what kelp-mon reports as its ceph_version: Ceph's
// form, so tools that parse it keep working, naming kelp in the place of
// Ceph's git hash.
func versionString() string {
	rev := kelpRevision()
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return fmt.Sprintf("ceph version %s (kelp-mon %s) pacific (stable)", cephVersion, rev)
}

// metadata is what a monitor reports about itself
// (Monitor::collect_metadata and collect_sys_info): its version, address
// and the host it runs on.
func (m *Monitor) metadata() map[string]string {
	host, _ := os.Hostname()
	var addrs string
	for _, mm := range []*monmap.MonMap{m.monmap.current, m.startMonmap()} {
		if mm != nil && mm.Mons[m.name] != nil {
			addrs = mm.Mons[m.name].PublicAddrs.String()
			break
		}
	}
	md := map[string]string{
		"addrs":                  addrs,
		"arch":                   unameArch(),
		"ceph_release":           "pacific",
		"ceph_version":           versionString(),
		"ceph_version_short":     cephVersion,
		"compression_algorithms": "none, snappy, zlib, zstd, lz4",
		"hostname":               host,
		"os":                     strings.ToUpper(runtime.GOOS[:1]) + runtime.GOOS[1:],
		"container_name":         os.Getenv("CONTAINER_NAME"),
		"device_ids":             "",
		"device_paths":           "",
		"devices":                "",
	}
	maps.Copy(md, sysInfo())
	return md
}

// sysInfo reads what Ceph's collect_sys_info reports of the host from
// /proc and /etc/os-release; fields it cannot read are left empty.
func sysInfo() map[string]string {
	md := map[string]string{"kernel_version": "", "kernel_description": "", "cpu": "",
		"mem_total_kb": "", "mem_swap_kb": "", "distro": "", "distro_description": "", "distro_version": ""}
	read := func(p string) string {
		b, _ := os.ReadFile(p)
		return strings.TrimSpace(string(b))
	}
	md["kernel_version"] = read("/proc/sys/kernel/osrelease")
	md["kernel_description"] = read("/proc/sys/kernel/version")
	for _, line := range strings.Split(read("/proc/cpuinfo"), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			md["cpu"] = strings.TrimSpace(v)
			break
		}
	}
	for _, line := range strings.Split(read("/proc/meminfo"), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			md["mem_total_kb"] = f[1]
		} else if len(f) >= 2 && f[0] == "SwapTotal:" {
			md["mem_swap_kb"] = f[1]
		}
	}
	for _, line := range strings.Split(read("/etc/os-release"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch k {
		case "ID":
			md["distro"] = v
		case "PRETTY_NAME":
			md["distro_description"] = v
		case "VERSION_ID":
			md["distro_version"] = v
		}
	}
	return md
}

func (s *monCmds) command(req *request) bool {
	if s.statusCommand(req) {
		return true
	}
	m := s.m
	f := req.formatOf(fmtJSONPretty)
	switch req.prefix {
	case "quorum_status":
		out := struct {
			ElectionEpoch    uint32      `json:"election_epoch"`
			Quorum           []int       `json:"quorum"`
			QuorumNames      []string    `json:"quorum_names"`
			QuorumLeaderName string      `json:"quorum_leader_name"`
			QuorumAge        int64       `json:"quorum_age"`
			Features         any         `json:"features"`
			Monmap           monmap.JSON `json:"monmap"`
		}{m.electionEpoch, m.quorumRanks(), m.quorumNames(), m.leaderName(),
			int64(time.Since(m.quorumSince).Seconds()),
			struct {
				QuorumCon string   `json:"quorum_con"`
				QuorumMon []string `json:"quorum_mon"`
			}{m.features().QuorumCon, m.features().QuorumMon},
			m.monmap.current.Dump()}
		req.replyJSONVia(streamed, 0, "", out, f)
	case "features":
		req.replyJSON(0, "", m.featureMap(true), f)
	case "time-sync-status":
		req.replyJSON(0, "", m.timeSyncStatus(), f)
	case "mon metadata":
		s.metadataCommand(req, f)
	case "mon versions":
		req.replyJSONVia(streamed, 0, "", map[string]int{versionString(): len(m.quorum)}, f)
	case "versions":
		counts := map[string]int{versionString(): len(m.quorum)}
		req.replyJSON(0, "", newOrderedObjectFrom(
			"mon", counts, "mgr", map[string]int{}, "osd", map[string]int{}, "mds", map[string]int{},
			"overall", counts), f)
	case "mon feature ls":
		mm := m.monmap.current
		names := "[" + strings.Join(mm.PersistentFeatures.Names(), ",") + "]"
		if isJSON(req.formatOf(fmtPlain)) {
			// In MonmapMonitor's order, not sorted.
			all := newOrderedObjectFrom("supported", monmap.MonFeaturesPacific.Names(), "persistent", monmap.MonFeaturesPacific.Names())
			cur := newOrderedObjectFrom("persistent", mm.PersistentFeatures.Names(), "optional", mm.OptionalFeatures.Names(),
				"required", mm.PersistentFeatures.Names())
			req.replyJSONVia(streamed, 0, "", newOrderedObjectFrom("all", all, "monmap", cur), req.formatOf(fmtPlain))
			return true
		}
		all := "[" + strings.Join(monmap.MonFeaturesPacific.Names(), ",") + "]"
		req.respond(0, "", []byte(fmt.Sprintf("all features\n\tsupported: %s\n\tpersistent: %s\non current monmap (epoch %d)\n\tpersistent: %s\n\trequired: %s\n",
			all, all, mm.Epoch, names, names)))
	default:
		return false
	}
	return true
}

// newOrderedObjectFrom builds an ordered object from key, value pairs.
func newOrderedObjectFrom(kv ...any) *orderedObject {
	o := newOrderedObject()
	for i := 0; i+1 < len(kv); i += 2 {
		o.set(kv[i].(string), kv[i+1])
	}
	return o
}

// unameArch names the machine as uname -m does, as Ceph reports it.
func unameArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	}
	return runtime.GOARCH
}

// healthChecks raises MON_DISK_LOW and MON_DISK_CRIT when the monitor's
// data directory runs short of space (HealthMonitor::check_member_health):
// the available share, truncated to a percentage, at or below
// mon_data_avail_warn (30) or mon_data_avail_crit (5). Like ceph-mon, the
// monitor samples its disk on its tick, so a monitor that just started
// reports nothing until the first tick.
func (s *monCmds) healthChecks() map[string]healthCheck {
	m := s.m
	if !s.sampled {
		return nil
	}
	pct := s.availPct
	warn, crit := int64(30), int64(5)
	if c := m.opts.Conf; c != nil {
		warn, crit = c.Int("mon_data_avail_warn"), c.Int("mon_data_avail_crit")
	}
	detail := []string{fmt.Sprintf("mon.%s has %d%% avail", m.name, pct)}
	switch {
	case int64(pct) <= crit:
		return map[string]healthCheck{"MON_DISK_CRIT": {Severity: healthErr,
			Summary: "mon " + m.name + " is very low on available space", Count: 1, Detail: detail}}
	case int64(pct) <= warn:
		return map[string]healthCheck{"MON_DISK_LOW": {Severity: healthWarn,
			Summary: "mon " + m.name + " is low on available space", Count: 1, Detail: detail}}
	}
	return nil
}

// tick samples the data directory's free space (Monitor's DataStats
// update on each tick).
func (s *monCmds) tick() {
	if pct, ok := availPercent(s.m.opts.DataDir); ok {
		s.availPct, s.sampled = pct, true
	}
}

// availPercent is the share of the filesystem under dir that is available,
// as a whole percentage (DataStats' avail_percent).
func availPercent(dir string) (int, bool) {
	if dir == "" {
		return 0, false
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || st.Blocks == 0 {
		return 0, false
	}
	return int(float64(st.Bavail) / float64(st.Blocks) * 100), true
}
