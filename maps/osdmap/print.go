package osdmap

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// The text forms of `ceph osd dump`, `ceph osd pool ls [detail]`,
// `ceph osd ls` and `ceph osd stat` as a Pacific monitor sends them
// (OSDMap::print, print_pools, print_osd, print_summary; pg_pool_t's
// operator<<).

var mapFlagNames = []struct {
	f    uint32
	name string
}{
	{FlagNearFull, "nearfull"}, {FlagFull, "full"},
	{FlagPauseRD, "pauserd"}, {FlagPauseWR, "pausewr"}, {FlagPauseRec, "pauserec"},
	{FlagNoUp, "noup"}, {FlagNoDown, "nodown"}, {FlagNoOut, "noout"}, {FlagNoIn, "noin"},
	{FlagNoBackfill, "nobackfill"}, {FlagNoRebalance, "norebalance"}, {FlagNoRecover, "norecover"},
	{FlagNoScrub, "noscrub"}, {FlagNoDeepScrub, "nodeep-scrub"}, {FlagNoTierAgent, "notieragent"},
	{FlagNoSnapTrim, "nosnaptrim"}, {FlagSortBitwise, "sortbitwise"},
	{FlagRequireJewel, "require_jewel_osds"}, {FlagRequireKraken, "require_kraken_osds"},
	{FlagRequireLumin, "require_luminous_osds"}, {FlagRecoveryDel, "recovery_deletes"},
	{FlagPurgedSnapdirs, "purged_snapdirs"}, {FlagPGLogHardLimit, "pglog_hardlimit"},
	{FlagNoAutoscale, "noautoscale"},
}

// FlagString is OSDMap::get_flag_string.
func FlagString(f uint32) string {
	var s []string
	for _, n := range mapFlagNames {
		if f&n.f != 0 {
			s = append(s, n.name)
		}
	}
	return strings.Join(s, ",")
}

var poolFlagNames = []struct {
	f    PoolFlag
	name string
}{
	{PoolFlagHashPSPool, "hashpspool"}, {PoolFlagFull, "full"}, {PoolFlagECOverwrites, "ec_overwrites"},
	{PoolFlagIncompleteClones, "incomplete_clones"}, {PoolFlagNoDelete, "nodelete"},
	{PoolFlagNoPGChange, "nopgchange"}, {PoolFlagNoSizeChange, "nosizechange"},
	{PoolFlagWriteFadviseDontNeed, "write_fadvise_dontneed"}, {PoolFlagNoScrub, "noscrub"},
	{PoolFlagNoDeepScrub, "nodeep-scrub"}, {PoolFlagFullQuota, "full_quota"},
	{PoolFlagNearFull, "nearfull"}, {PoolFlagBackfillFull, "backfillfull"},
	{PoolFlagSelfManagedSnaps, "selfmanaged_snaps"}, {PoolFlagPoolSnaps, "pool_snaps"},
	{PoolFlagCreating, "creating"}, {PoolFlagEIO, "eio"}, {PoolFlagBulk, "bulk"},
}

// FlagsString is pg_pool_t::get_flags_string.
func (f PoolFlag) String() string {
	var s []string
	for _, n := range poolFlagNames {
		if f&n.f != 0 {
			s = append(s, n.name)
		}
	}
	return strings.Join(s, ",")
}

var stateNames = []string{"exists", "up", "autoout", "new", "full", "nearfull", "backfillfull",
	"destroyed", "noup", "nodown", "noin", "noout", "stop"}

// StateNames lists the names of the bits of an OSD state, sorted as the
// std::set Ceph prints.
func StateNames(s uint32) []string {
	var out []string
	for i, n := range stateNames {
		if s&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// fmtFloat prints like a C++ ostream with default precision (%g, 6).
func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

func objectHashName(h uint8) string {
	switch h {
	case 1:
		return "linux"
	case 2:
		return "rjenkins"
	}
	return "unknown"
}

func autoscaleName(m uint8) string {
	switch m {
	case AutoscaleOff:
		return "off"
	case AutoscaleWarn:
		return "warn"
	case AutoscaleOn:
		return "on"
	}
	return "unknown"
}

var cacheModeNames = []string{"none", "writeback", "forward", "readonly", "readforward", "readproxy", "proxy"}

func fmtIntervals(s IntervalSet) string {
	parts := make([]string, len(s))
	for i, iv := range s {
		parts[i] = fmt.Sprintf("%d~%d", iv.Start, iv.Len)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func fmtInts[T int32 | int64 | uint64](v []T) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatInt(int64(x), 10)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func (o PoolOpt) valueString() string {
	switch o.Type {
	case PoolOptStr:
		return o.Str
	case PoolOptInt:
		return strconv.FormatInt(o.Int, 10)
	}
	return fmtFloat(o.Double)
}

// String prints the pool as pg_pool_t's operator<< does.
func (p *PGPool) String() string {
	var b strings.Builder
	b.WriteString(p.Type.String())
	if p.Type == PoolErasure {
		b.WriteString(" profile " + p.ErasureCodeProfile)
	}
	fmt.Fprintf(&b, " size %d min_size %d crush_rule %d object_hash %s pg_num %d pgp_num %d",
		p.Size, p.MinSize, p.CrushRule, objectHashName(p.ObjectHash), p.PGNum, p.PGPNum)
	if p.PGNumTarget != p.PGNum {
		fmt.Fprintf(&b, " pg_num_target %d", p.PGNumTarget)
	}
	if p.PGPNumTarget != p.PGPNum {
		fmt.Fprintf(&b, " pgp_num_target %d", p.PGPNumTarget)
	}
	if p.PGNumPending != p.PGNum {
		fmt.Fprintf(&b, " pg_num_pending %d", p.PGNumPending)
	}
	if p.PGAutoscaleMode <= AutoscaleOn {
		b.WriteString(" autoscale_mode " + autoscaleName(p.PGAutoscaleMode))
	}
	fmt.Fprintf(&b, " last_change %d", p.LastChange)
	if p.LastForceOpResend != 0 || p.LastForceOpResendPrenautilus != 0 || p.LastForceOpResendPreluminous != 0 {
		fmt.Fprintf(&b, " lfor %d/%d/%d", p.LastForceOpResend, p.LastForceOpResendPrenautilus, p.LastForceOpResendPreluminous)
	}
	if p.AUID != 0 {
		fmt.Fprintf(&b, " owner %d", p.AUID)
	}
	if p.Flags != 0 {
		b.WriteString(" flags " + p.Flags.String())
	}
	if p.QuotaMaxBytes != 0 {
		fmt.Fprintf(&b, " max_bytes %d", p.QuotaMaxBytes)
	}
	if p.QuotaMaxObjects != 0 {
		fmt.Fprintf(&b, " max_objects %d", p.QuotaMaxObjects)
	}
	if len(p.Tiers) > 0 {
		ts := slices.Sorted(maps.Keys(p.Tiers))
		parts := make([]string, len(ts))
		for i, t := range ts {
			parts[i] = strconv.FormatUint(t, 10)
		}
		b.WriteString(" tiers " + strings.Join(parts, ","))
	}
	if p.TierOf >= 0 {
		fmt.Fprintf(&b, " tier_of %d", p.TierOf)
	}
	if p.ReadTier >= 0 {
		fmt.Fprintf(&b, " read_tier %d", p.ReadTier)
	}
	if p.WriteTier >= 0 {
		fmt.Fprintf(&b, " write_tier %d", p.WriteTier)
	}
	if p.CacheMode != 0 && int(p.CacheMode) < len(cacheModeNames) {
		b.WriteString(" cache_mode " + cacheModeNames[p.CacheMode])
	}
	if p.TargetMaxBytes != 0 {
		fmt.Fprintf(&b, " target_bytes %d", p.TargetMaxBytes)
	}
	if p.TargetMaxObjects != 0 {
		fmt.Fprintf(&b, " target_objects %d", p.TargetMaxObjects)
	}
	if p.HitSetParams.Type != HitSetNone {
		// HitSet::Params prints its type's parameters too; kelp prints
		// the type name only.
		fmt.Fprintf(&b, " hit_set %s %ds x%d decay_rate %d search_last_n %d", p.HitSetParams.Type,
			p.HitSetPeriod, p.HitSetCount, p.HitSetGradeDecayRate, p.HitSetSearchLastN)
	}
	if p.MinReadRecencyForPromote != 0 {
		fmt.Fprintf(&b, " min_read_recency_for_promote %d", p.MinReadRecencyForPromote)
	}
	if p.MinWriteRecencyForPromote != 0 {
		fmt.Fprintf(&b, " min_write_recency_for_promote %d", p.MinWriteRecencyForPromote)
	}
	fmt.Fprintf(&b, " stripe_width %d", p.StripeWidth)
	if p.ExpectedNumObjects != 0 {
		fmt.Fprintf(&b, " expected_num_objects %d", p.ExpectedNumObjects)
	}
	if p.FastRead {
		b.WriteString(" fast_read 1")
	}
	// Options print in the order of their names (opt_mapping is a map).
	opts := slices.Clone(p.Opts)
	slices.SortFunc(opts, func(a, b PoolOpt) int { return strings.Compare(a.Key.String(), b.Key.String()) })
	for _, o := range opts {
		b.WriteString(" " + o.Key.String() + " " + o.valueString())
	}
	if len(p.ApplicationMetadata) > 0 {
		b.WriteString(" application " + strings.Join(slices.Sorted(maps.Keys(p.ApplicationMetadata)), ","))
	}
	return b.String()
}

// PrintPools writes the pool lines of `ceph osd dump` (print_pools).
func (m *OSDMap) PrintPools(b *strings.Builder) {
	for _, id := range slices.Sorted(maps.Keys(m.Pools)) {
		p := m.Pools[id]
		name, ok := m.PoolNames[id]
		if !ok {
			name = "<unknown>"
		}
		fmt.Fprintf(b, "pool %d '%s' %s\n", id, name, p)
		for _, sid := range slices.Sorted(maps.Keys(p.Snaps)) {
			s := p.Snaps[sid]
			fmt.Fprintf(b, "\tsnap %d '%s' %s\n", s.SnapID, s.Name, s.Stamp)
		}
		if len(p.RemovedSnap) > 0 {
			fmt.Fprintf(b, "\tremoved_snaps %s\n", fmtIntervals(p.RemovedSnap))
		}
		if q, ok := m.RemovedSnapsQueue[id]; ok {
			fmt.Fprintf(b, "\tremoved_snaps_queue %s\n", fmtIntervals(q))
		}
	}
}

// PoolLsDetail is the body of `ceph osd pool ls detail`.
func (m *OSDMap) PoolLsDetail() string {
	var b strings.Builder
	m.PrintPools(&b)
	b.WriteString("\n")
	return b.String()
}

// PoolLs is the body of `ceph osd pool ls`: names in pool id order.
func (m *OSDMap) PoolLs() string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(m.Pools)) {
		b.WriteString(m.PoolNames[id] + "\n")
	}
	return b.String()
}

// PrintOSD writes one OSD's line of `ceph osd dump` (print_osd).
func (m *OSDMap) PrintOSD(b *strings.Builder, o int32) {
	if !m.Exists(o) {
		return
	}
	fmt.Fprintf(b, "osd.%d", o)
	if m.IsUp(o) {
		b.WriteString(" up  ")
	} else {
		b.WriteString(" down")
	}
	if m.IsIn(o) {
		b.WriteString(" in ")
	} else {
		b.WriteString(" out")
	}
	b.WriteString(" weight " + fmtFloat(float64(float32(m.OSDWeight[o])/float32(WeightIn))))
	if a := m.PrimaryAffinityOf(o); a != DefaultPrimaryAffinity {
		b.WriteString(" primary_affinity " + fmtFloat(float64(float32(a)/float32(DefaultPrimaryAffinity))))
	}
	i := m.OSDInfo[o]
	fmt.Fprintf(b, " up_from %d up_thru %d down_at %d last_clean_interval [%d,%d)",
		i.UpFrom, i.UpThru, i.DownAt, i.LastCleanBegin, i.LastCleanEnd)
	if i.LostAt != 0 {
		fmt.Fprintf(b, " lost_at %d", i.LostAt)
	}
	fmt.Fprintf(b, " %s %s %s", m.ClientAddrs[o], m.ClusterAddrs[o], strings.Join(StateNames(m.OSDState[o]), ","))
	if !m.OSDUUID[o].IsZero() {
		b.WriteString(" " + m.OSDUUID[o].String())
	}
}

// Print is the body of `ceph osd dump` in plain text as the monitor sends
// it. The monitor iterates the blocklist in hash order; kelp sorts it.
func (m *OSDMap) Print() string {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %d\nfsid %s\ncreated %s\nmodified %s\n", m.Epoch, m.FSID, m.Created, m.Modified)
	fmt.Fprintf(&b, "flags %s\ncrush_version %d\n", FlagString(m.Flags), m.CrushVersion)
	fmt.Fprintf(&b, "full_ratio %s\nbackfillfull_ratio %s\nnearfull_ratio %s\n",
		fmtFloat(float64(m.FullRatio)), fmtFloat(float64(m.BackfillfullRatio)), fmtFloat(float64(m.NearfullRatio)))
	if m.RequireMinCompatClient != encoding.ReleaseUnknown {
		fmt.Fprintf(&b, "require_min_compat_client %s\n", m.RequireMinCompatClient)
	}
	fmt.Fprintf(&b, "min_compat_client %s\n", m.MinCompatClient())
	if m.RequireOSDRelease != encoding.ReleaseUnknown {
		fmt.Fprintf(&b, "require_osd_release %s\n", m.RequireOSDRelease)
	}
	fmt.Fprintf(&b, "stretch_mode_enabled %t\n", m.StretchModeEnabled)
	if m.StretchModeEnabled {
		fmt.Fprintf(&b, "stretch_bucket_count %d\ndegraded_stretch_mode %d\nrecovering_stretch_mode %d\nstretch_mode_bucket %d\n",
			m.StretchBucketCount, m.DegradedStretchMode, m.RecoveringStretchMode, m.StretchModeBucket)
	}
	if m.ClusterSnapshot != "" {
		fmt.Fprintf(&b, "cluster_snapshot %s\n", m.ClusterSnapshot)
	}
	m.PrintPools(&b)
	fmt.Fprintf(&b, "max_osd %d\n", m.MaxOSD)
	for o := int32(0); o < m.MaxOSD; o++ {
		if m.Exists(o) {
			m.PrintOSD(&b, o)
			b.WriteString("\n")
		}
	}
	for _, pg := range slices.SortedFunc(maps.Keys(m.PGUpmap), ComparePG) {
		fmt.Fprintf(&b, "pg_upmap %s %s\n", pg, fmtInts(m.PGUpmap[pg]))
	}
	for _, pg := range slices.SortedFunc(maps.Keys(m.PGUpmapItems), ComparePG) {
		var flat []int32
		for _, it := range m.PGUpmapItems[pg] {
			flat = append(flat, it.From, it.To)
		}
		fmt.Fprintf(&b, "pg_upmap_items %s %s\n", pg, fmtInts(flat))
	}
	for _, pg := range slices.SortedFunc(maps.Keys(m.PGTemp), ComparePG) {
		fmt.Fprintf(&b, "pg_temp %s %s\n", pg, fmtInts(m.PGTemp[pg]))
	}
	for _, pg := range slices.SortedFunc(maps.Keys(m.PrimaryTemp), ComparePG) {
		fmt.Fprintf(&b, "primary_temp %s %d\n", pg, m.PrimaryTemp[pg])
	}
	for _, a := range slices.SortedFunc(maps.Keys(m.Blocklist), CompareAddr) {
		fmt.Fprintf(&b, "blocklist %s expires %s\n", a, m.Blocklist[a])
	}
	for _, a := range slices.SortedFunc(maps.Keys(m.RangeBlocklist), CompareAddr) {
		fmt.Fprintf(&b, "range blocklist %s expires %s\n", a, m.RangeBlocklist[a])
	}
	return b.String()
}

// OSDLs is the body of `ceph osd ls`: the ids of existing OSDs.
func (m *OSDMap) OSDLs() string {
	var b strings.Builder
	for o := int32(0); o < m.MaxOSD; o++ {
		if m.Exists(o) {
			fmt.Fprintf(&b, "%d\n", o)
		}
	}
	return b.String()
}

// OSDLsJSON is `ceph osd ls -f json`.
func (m *OSDMap) OSDLsJSON() string { return fmtInts(m.OSDs()) }

// OSDs returns the ids of the OSDs that exist, in order.
func (m *OSDMap) OSDs() []int32 {
	var ids []int32
	for o := int32(0); o < m.MaxOSD; o++ {
		if m.Exists(o) {
			ids = append(ids, o)
		}
	}
	return ids
}

// Stat is the body of `ceph osd stat` (OSDMap::print_summary) at time now.
func (m *OSDMap) Stat(now time.Time) string {
	num, up, in := m.Counts()
	var b strings.Builder
	fmt.Fprintf(&b, "%d osds: %d up", num, up)
	if !m.LastUpChange.IsZero() {
		fmt.Fprintf(&b, " (since %s)", encoding.TimespanStr(now.Sub(m.LastUpChange.Time())))
	}
	fmt.Fprintf(&b, ", %d in", in)
	if !m.LastInChange.IsZero() {
		fmt.Fprintf(&b, " (since %s)", encoding.TimespanStr(now.Sub(m.LastInChange.Time())))
	}
	fmt.Fprintf(&b, "; epoch: e%d", m.Epoch)
	if len(m.PGTemp) > 0 {
		fmt.Fprintf(&b, "; %d remapped pgs", len(m.PGTemp))
	}
	b.WriteString("\n")
	if f := m.Flags &^ (FlagSortBitwise | FlagRecoveryDel | FlagPurgedSnapdirs | FlagPGLogHardLimit); f != 0 {
		fmt.Fprintf(&b, "flags %s\n", FlagString(f))
	}
	return b.String()
}

// StatJSON is `ceph osd stat -f json`.
func (m *OSDMap) StatJSON() string {
	num, up, in := m.Counts()
	return fmt.Sprintf(`{"epoch":%d,"num_osds":%d,"num_up_osds":%d,"osd_up_since":%d,"num_in_osds":%d,"osd_in_since":%d,"num_remapped_pgs":%d}`,
		m.Epoch, num, up, m.LastUpChange.Sec, in, m.LastInChange.Sec, len(m.PGTemp))
}
