package mon

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// The JSON forms of `osd dump` and `osd pool ls detail` (OSDMap::dump,
// pg_pool_t::dump in src/osd/OSDMap.cc and src/osd/osd_types.cc). Key
// order follows Ceph's.

// cephFloat is a double as Ceph's JSONFormatter prints it: 17
// significant digits (0.94999998807907104 for a float 0.95).
type cephFloat float64

func (f cephFloat) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(f), 'g', 17, 64)), nil
}

// utimeStr prints a utime_t as Ceph's operator<< does: a plain
// seconds.micros for values under ten years (zero, durations), a date
// otherwise.
func utimeStr(u encoding.UTime) string {
	if u.Sec < 60*60*24*365*10 {
		return fmt.Sprintf("%d.%06d", u.Sec, u.Nsec/1000)
	}
	return u.String()
}

type poolJSON struct {
	// Pool is set in `osd dump`, PoolID in `osd pool ls detail`.
	Pool                          *int64                       `json:"pool,omitempty"`
	PoolID                        *int64                       `json:"pool_id,omitempty"`
	PoolName                      string                       `json:"pool_name"`
	CreateTime                    string                       `json:"create_time"`
	Flags                         uint64                       `json:"flags"`
	FlagsNames                    string                       `json:"flags_names"`
	Type                          uint8                        `json:"type"`
	Size                          uint8                        `json:"size"`
	MinSize                       uint8                        `json:"min_size"`
	CrushRule                     uint8                        `json:"crush_rule"`
	PeeringCrushBucketCount       uint32                       `json:"peering_crush_bucket_count"`
	PeeringCrushBucketTarget      uint32                       `json:"peering_crush_bucket_target"`
	PeeringCrushBucketBarrier     uint32                       `json:"peering_crush_bucket_barrier"`
	PeeringCrushMandatoryMember   int32                        `json:"peering_crush_bucket_mandatory_member"`
	ObjectHash                    uint8                        `json:"object_hash"`
	PGAutoscaleMode               string                       `json:"pg_autoscale_mode"`
	PGNum                         uint32                       `json:"pg_num"`
	PGPlacementNum                uint32                       `json:"pg_placement_num"`
	PGPlacementNumTarget          uint32                       `json:"pg_placement_num_target"`
	PGNumTarget                   uint32                       `json:"pg_num_target"`
	PGNumPending                  uint32                       `json:"pg_num_pending"`
	LastPGMergeMeta               mergeMetaJSON                `json:"last_pg_merge_meta"`
	LastChange                    string                       `json:"last_change"`
	LastForceOpResend             string                       `json:"last_force_op_resend"`
	LastForceOpResendPrenautilus  string                       `json:"last_force_op_resend_prenautilus"`
	LastForceOpResendPreluminous  string                       `json:"last_force_op_resend_preluminous"`
	AUID                          uint64                       `json:"auid"`
	SnapMode                      string                       `json:"snap_mode"`
	SnapSeq                       uint64                       `json:"snap_seq"`
	SnapEpoch                     uint32                       `json:"snap_epoch"`
	PoolSnaps                     []poolSnapJSON               `json:"pool_snaps"`
	RemovedSnaps                  string                       `json:"removed_snaps"`
	QuotaMaxBytes                 uint64                       `json:"quota_max_bytes"`
	QuotaMaxObjects               uint64                       `json:"quota_max_objects"`
	Tiers                         []uint64                     `json:"tiers"`
	TierOf                        int64                        `json:"tier_of"`
	ReadTier                      int64                        `json:"read_tier"`
	WriteTier                     int64                        `json:"write_tier"`
	CacheMode                     string                       `json:"cache_mode"`
	TargetMaxBytes                uint64                       `json:"target_max_bytes"`
	TargetMaxObjects              uint64                       `json:"target_max_objects"`
	CacheTargetDirtyRatioMicro    uint32                       `json:"cache_target_dirty_ratio_micro"`
	CacheTargetDirtyHighRatioMico uint32                       `json:"cache_target_dirty_high_ratio_micro"`
	CacheTargetFullRatioMicro     uint32                       `json:"cache_target_full_ratio_micro"`
	CacheMinFlushAge              uint32                       `json:"cache_min_flush_age"`
	CacheMinEvictAge              uint32                       `json:"cache_min_evict_age"`
	ErasureCodeProfile            string                       `json:"erasure_code_profile"`
	HitSetParams                  *orderedObject               `json:"hit_set_params"`
	HitSetPeriod                  uint32                       `json:"hit_set_period"`
	HitSetCount                   uint32                       `json:"hit_set_count"`
	UseGMTHitSet                  bool                         `json:"use_gmt_hitset"`
	MinReadRecencyForPromote      int32                        `json:"min_read_recency_for_promote"`
	MinWriteRecencyForPromote     int32                        `json:"min_write_recency_for_promote"`
	HitSetGradeDecayRate          int32                        `json:"hit_set_grade_decay_rate"`
	HitSetSearchLastN             uint32                       `json:"hit_set_search_last_n"`
	GradeTable                    []uint32                     `json:"grade_table"`
	StripeWidth                   uint32                       `json:"stripe_width"`
	ExpectedNumObjects            uint64                       `json:"expected_num_objects"`
	FastRead                      bool                         `json:"fast_read"`
	Options                       *orderedObject               `json:"options"`
	ApplicationMetadata           map[string]map[string]string `json:"application_metadata"`
}

type mergeMetaJSON struct {
	SourcePGID       string `json:"source_pgid"`
	ReadyEpoch       uint32 `json:"ready_epoch"`
	LastEpochStarted uint32 `json:"last_epoch_started"`
	LastEpochClean   uint32 `json:"last_epoch_clean"`
	SourceVersion    string `json:"source_version"`
	TargetVersion    string `json:"target_version"`
}

type poolSnapJSON struct {
	SnapID uint64 `json:"snapid"`
	Stamp  string `json:"stamp"`
	Name   string `json:"name"`
}

var cacheModes = []string{"none", "writeback", "forward", "readonly", "readforward", "readproxy", "proxy"}

func autoscaleModeName(m uint8) string {
	switch m {
	case osdmap.AutoscaleOff:
		return "off"
	case osdmap.AutoscaleWarn:
		return "warn"
	case osdmap.AutoscaleOn:
		return "on"
	}
	return "unknown"
}

func eversion(v osdmap.EVersion) string { return fmt.Sprintf("%d'%d", v.Epoch, v.Version) }

func intervalsStr(s osdmap.IntervalSet) string {
	parts := make([]string, len(s))
	for i, iv := range s {
		parts[i] = fmt.Sprintf("%d~%d", iv.Start, iv.Len)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// hitSetParamsJSON is HitSet::Params::dump: the type's name, and for a
// bloom filter its parameters.
func hitSetParamsJSON(h osdmap.HitSetParams) *orderedObject {
	o := newOrderedObject()
	o.set("type", h.Type.String())
	if fpp, ok := bloomFPP(h); ok && len(h.Impl) >= 26 {
		o.set("false_positive_probability", cephFloat(fpp))
		o.set("target_size", int64(binary.LittleEndian.Uint64(h.Impl[10:18])))
		o.set("seed", int64(binary.LittleEndian.Uint64(h.Impl[18:26])))
	}
	return o
}

// poolOptValue is a pool option's value as pool_opts_t::dump writes it.
func poolOptValue(o osdmap.PoolOpt) any {
	switch o.Type {
	case osdmap.PoolOptStr:
		return o.Str
	case osdmap.PoolOptInt:
		return o.Int
	}
	return cephFloat(o.Double)
}

func dumpPool(id int64, name string, p *osdmap.PGPool) poolJSON {
	j := poolJSON{
		Pool: &id, PoolName: name, CreateTime: utimeStr(p.CreateTime), Flags: uint64(p.Flags),
		FlagsNames: p.Flags.String(), Type: uint8(p.Type), Size: p.Size, MinSize: p.MinSize,
		CrushRule: p.CrushRule, PeeringCrushBucketCount: p.PeeringCrushBucketCount,
		PeeringCrushBucketTarget: p.PeeringCrushBucketTarget, PeeringCrushBucketBarrier: p.PeeringCrushBucketBarrier,
		PeeringCrushMandatoryMember: p.PeeringCrushMandatory, ObjectHash: p.ObjectHash,
		PGAutoscaleMode: autoscaleModeName(p.PGAutoscaleMode), PGNum: p.PGNum, PGPlacementNum: p.PGPNum,
		PGPlacementNumTarget: p.PGPNumTarget, PGNumTarget: p.PGNumTarget, PGNumPending: p.PGNumPending,
		LastPGMergeMeta: mergeMetaJSON{
			SourcePGID: p.LastPGMergeMeta.SourcePGID.String(), ReadyEpoch: p.LastPGMergeMeta.ReadyEpoch,
			LastEpochStarted: p.LastPGMergeMeta.LastEpochStarted, LastEpochClean: p.LastPGMergeMeta.LastEpochClean,
			SourceVersion: eversion(p.LastPGMergeMeta.SourceVersion), TargetVersion: eversion(p.LastPGMergeMeta.TargetVersion),
		},
		LastChange:                   strconv.FormatUint(uint64(p.LastChange), 10),
		LastForceOpResend:            strconv.FormatUint(uint64(p.LastForceOpResend), 10),
		LastForceOpResendPrenautilus: strconv.FormatUint(uint64(p.LastForceOpResendPrenautilus), 10),
		LastForceOpResendPreluminous: strconv.FormatUint(uint64(p.LastForceOpResendPreluminous), 10),
		AUID:                         p.AUID, SnapMode: "selfmanaged", SnapSeq: p.SnapSeq, SnapEpoch: p.SnapEpoch,
		PoolSnaps: []poolSnapJSON{}, RemovedSnaps: intervalsStr(p.RemovedSnap),
		QuotaMaxBytes: p.QuotaMaxBytes, QuotaMaxObjects: p.QuotaMaxObjects, Tiers: []uint64{},
		TierOf: p.TierOf, ReadTier: p.ReadTier, WriteTier: p.WriteTier, CacheMode: "none",
		TargetMaxBytes: p.TargetMaxBytes, TargetMaxObjects: p.TargetMaxObjects,
		CacheTargetDirtyRatioMicro: p.CacheTargetDirtyRatioMicro, CacheTargetDirtyHighRatioMico: p.CacheTargetDirtyHighRatioMicro,
		CacheTargetFullRatioMicro: p.CacheTargetFullRatioMicro, CacheMinFlushAge: p.CacheMinFlushAge,
		CacheMinEvictAge: p.CacheMinEvictAge, ErasureCodeProfile: p.ErasureCodeProfile,
		HitSetParams: hitSetParamsJSON(p.HitSetParams), HitSetPeriod: p.HitSetPeriod, HitSetCount: p.HitSetCount,
		UseGMTHitSet: p.UseGMTHitSet, MinReadRecencyForPromote: p.MinReadRecencyForPromote,
		MinWriteRecencyForPromote: p.MinWriteRecencyForPromote, HitSetGradeDecayRate: p.HitSetGradeDecayRate,
		HitSetSearchLastN: p.HitSetSearchLastN, GradeTable: []uint32{}, StripeWidth: p.StripeWidth,
		ExpectedNumObjects: p.ExpectedNumObjects, FastRead: p.FastRead, Options: newOrderedObject(),
		ApplicationMetadata: p.ApplicationMetadata,
	}
	if p.HasFlag(osdmap.PoolFlagPoolSnaps) {
		j.SnapMode = "pool"
	}
	if int(p.CacheMode) < len(cacheModes) {
		j.CacheMode = cacheModes[p.CacheMode]
	}
	for _, sid := range slices.Sorted(maps.Keys(p.Snaps)) {
		sn := p.Snaps[sid]
		j.PoolSnaps = append(j.PoolSnaps, poolSnapJSON{sn.SnapID, utimeStr(sn.Stamp), sn.Name})
	}
	for _, t := range slices.Sorted(maps.Keys(p.Tiers)) {
		j.Tiers = append(j.Tiers, t)
	}
	// pool_opts_t::dump walks its options by name (opt_mapping is a
	// std::map keyed by name).
	for _, o := range slices.SortedFunc(slices.Values(p.Opts), func(a, b osdmap.PoolOpt) int {
		return strings.Compare(a.Key.String(), b.Key.String())
	}) {
		j.Options.set(o.Key.String(), poolOptValue(o))
	}
	if j.ApplicationMetadata == nil {
		j.ApplicationMetadata = map[string]map[string]string{}
	}
	return j
}

type osdJSON struct {
	OSD                 int32                `json:"osd"`
	UUID                string               `json:"uuid"`
	Up                  int                  `json:"up"`
	In                  int                  `json:"in"`
	Weight              cephFloat            `json:"weight"`
	PrimaryAffinity     cephFloat            `json:"primary_affinity"`
	LastCleanBegin      uint32               `json:"last_clean_begin"`
	LastCleanEnd        uint32               `json:"last_clean_end"`
	UpFrom              uint32               `json:"up_from"`
	UpThru              uint32               `json:"up_thru"`
	DownAt              uint32               `json:"down_at"`
	LostAt              uint32               `json:"lost_at"`
	PublicAddrs         encoding.AddrVecJSON `json:"public_addrs"`
	ClusterAddrs        encoding.AddrVecJSON `json:"cluster_addrs"`
	HeartbeatBackAddrs  encoding.AddrVecJSON `json:"heartbeat_back_addrs"`
	HeartbeatFrontAddrs encoding.AddrVecJSON `json:"heartbeat_front_addrs"`
	PublicAddr          string               `json:"public_addr"`
	ClusterAddr         string               `json:"cluster_addr"`
	HeartbeatBackAddr   string               `json:"heartbeat_back_addr"`
	HeartbeatFrontAddr  string               `json:"heartbeat_front_addr"`
	State               []string             `json:"state"`
}

type osdXInfoJSON struct {
	OSD                  int32     `json:"osd"`
	DownStamp            string    `json:"down_stamp"`
	LaggyProbability     cephFloat `json:"laggy_probability"`
	LaggyInterval        uint32    `json:"laggy_interval"`
	Features             uint64    `json:"features"`
	OldWeight            uint32    `json:"old_weight"`
	LastPurgedSnapsScrub string    `json:"last_purged_snaps_scrub"`
	DeadEpoch            uint32    `json:"dead_epoch"`
}

func addrVecAt(v []encoding.EntityAddrVec, i int32) encoding.EntityAddrVec {
	if int(i) < len(v) {
		return v[i]
	}
	return nil
}

func dumpOSD(m *osdmap.OSDMap, o int32) osdJSON {
	info := osdmap.OSDInfo{}
	if int(o) < len(m.OSDInfo) {
		info = m.OSDInfo[o]
	}
	var uuid encoding.UUID
	if int(o) < len(m.OSDUUID) {
		uuid = m.OSDUUID[o]
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	pub, clu := addrVecAt(m.ClientAddrs, o), addrVecAt(m.ClusterAddrs, o)
	hbb, hbf := addrVecAt(m.HBBackAddrs, o), addrVecAt(m.HBFrontAddrs, o)
	state := osdmap.StateNames(m.OSDState[o])
	if state == nil {
		state = []string{}
	}
	return osdJSON{
		OSD: o, UUID: uuid.String(), Up: b2i(m.IsUp(o)), In: b2i(m.IsIn(o)),
		Weight: cephFloat(m.Weight(o)), PrimaryAffinity: cephFloat(float64(m.PrimaryAffinityOf(o)) / float64(osdmap.MaxPrimaryAffinity)),
		LastCleanBegin: info.LastCleanBegin, LastCleanEnd: info.LastCleanEnd, UpFrom: info.UpFrom,
		UpThru: info.UpThru, DownAt: info.DownAt, LostAt: info.LostAt,
		PublicAddrs: pub.JSON(), ClusterAddrs: clu.JSON(), HeartbeatBackAddrs: hbb.JSON(), HeartbeatFrontAddrs: hbf.JSON(),
		PublicAddr: pub.LegacyOrFront().LegacyString(), ClusterAddr: clu.LegacyOrFront().LegacyString(),
		HeartbeatBackAddr: hbb.LegacyOrFront().LegacyString(), HeartbeatFrontAddr: hbf.LegacyOrFront().LegacyString(),
		State: state,
	}
}

type pgOSDsJSON struct {
	PGID string  `json:"pgid"`
	OSDs []int32 `json:"osds"`
}

type pgMappingJSON struct {
	From int32 `json:"from"`
	To   int32 `json:"to"`
}

type pgUpmapItemsJSON struct {
	PGID     string          `json:"pgid"`
	Mappings []pgMappingJSON `json:"mappings"`
}

type primaryTempJSON struct {
	PGID string `json:"pgid"`
	OSD  int32  `json:"osd"`
}

type stretchJSON struct {
	Enabled             bool   `json:"stretch_mode_enabled"`
	BucketCount         uint32 `json:"stretch_bucket_count"`
	DegradedStretchMode uint32 `json:"degraded_stretch_mode"`
	RecoveringStretch   uint32 `json:"recovering_stretch_mode"`
	StretchModeBucket   int32  `json:"stretch_mode_bucket"`
}

type snapsJSON struct {
	Pool   int64  `json:"pool"`
	Snaps  string `json:"snaps"`
	Purged string `json:"purged,omitempty"`
}

type osdMapJSON struct {
	Epoch                  uint32                       `json:"epoch"`
	FSID                   string                       `json:"fsid"`
	Created                string                       `json:"created"`
	Modified               string                       `json:"modified"`
	LastUpChange           string                       `json:"last_up_change"`
	LastInChange           string                       `json:"last_in_change"`
	Flags                  string                       `json:"flags"`
	FlagsNum               uint32                       `json:"flags_num"`
	FlagsSet               []string                     `json:"flags_set"`
	CrushVersion           int32                        `json:"crush_version"`
	FullRatio              cephFloat                    `json:"full_ratio"`
	BackfillfullRatio      cephFloat                    `json:"backfillfull_ratio"`
	NearfullRatio          cephFloat                    `json:"nearfull_ratio"`
	ClusterSnapshot        string                       `json:"cluster_snapshot"`
	PoolMax                int32                        `json:"pool_max"`
	MaxOSD                 int32                        `json:"max_osd"`
	RequireMinCompatClient string                       `json:"require_min_compat_client"`
	MinCompatClient        string                       `json:"min_compat_client"`
	RequireOSDRelease      string                       `json:"require_osd_release"`
	Pools                  []poolJSON                   `json:"pools"`
	OSDs                   []osdJSON                    `json:"osds"`
	OSDXInfo               []osdXInfoJSON               `json:"osd_xinfo"`
	PGUpmap                []pgOSDsJSON                 `json:"pg_upmap"`
	PGUpmapItems           []pgUpmapItemsJSON           `json:"pg_upmap_items"`
	PGTemp                 []pgOSDsJSON                 `json:"pg_temp"`
	PrimaryTemp            []primaryTempJSON            `json:"primary_temp"`
	Blocklist              *orderedObject               `json:"blocklist"`
	RangeBlocklist         *orderedObject               `json:"range_blocklist"`
	ErasureCodeProfiles    map[string]map[string]string `json:"erasure_code_profiles"`
	RemovedSnapsQueue      []snapsJSON                  `json:"removed_snaps_queue"`
	NewRemovedSnaps        []snapsJSON                  `json:"new_removed_snaps"`
	NewPurgedSnaps         []snapsJSON                  `json:"new_purged_snaps"`
	CrushNodeFlags         map[string][]string          `json:"crush_node_flags"`
	DeviceClassFlags       map[string][]string          `json:"device_class_flags"`
	StretchMode            stretchJSON                  `json:"stretch_mode"`
}

func dumpPools(m *osdmap.OSDMap) []poolJSON {
	out := []poolJSON{}
	for _, id := range slices.Sorted(maps.Keys(m.Pools)) {
		out = append(out, dumpPool(id, m.PoolNames[id], m.Pools[id]))
	}
	return out
}

func dumpBlocklist(bl map[encoding.EntityAddr]encoding.UTime) *orderedObject {
	o := newOrderedObject()
	keys := slices.SortedFunc(maps.Keys(bl), osdmap.CompareAddr)
	for _, a := range keys {
		o.set(a.LegacyString(), bl[a].String())
	}
	return o
}

func dumpSnapsQueue(q map[int64]osdmap.IntervalSet) []snapsJSON {
	out := []snapsJSON{}
	for _, p := range slices.Sorted(maps.Keys(q)) {
		out = append(out, snapsJSON{Pool: p, Snaps: intervalsStr(q[p])})
	}
	return out
}

// dumpOSDMap is OSDMap::dump.
func dumpOSDMap(m *osdmap.OSDMap) osdMapJSON {
	flags := strings.Split(osdmap.FlagString(m.Flags), ",")
	if flags[0] == "" {
		flags = []string{}
	}
	slices.Sort(flags)
	j := osdMapJSON{
		Epoch: m.Epoch, FSID: m.FSID.String(), Created: utimeStr(m.Created), Modified: utimeStr(m.Modified),
		LastUpChange: utimeStr(m.LastUpChange), LastInChange: utimeStr(m.LastInChange),
		Flags: osdmap.FlagString(m.Flags), FlagsNum: m.Flags, FlagsSet: flags, CrushVersion: m.CrushVersion,
		FullRatio: cephFloat(m.FullRatio), BackfillfullRatio: cephFloat(m.BackfillfullRatio),
		NearfullRatio: cephFloat(m.NearfullRatio), ClusterSnapshot: m.ClusterSnapshot, PoolMax: m.PoolMax,
		MaxOSD: m.MaxOSD, RequireMinCompatClient: m.RequireMinCompatClient.String(),
		MinCompatClient: m.MinCompatClient().String(), RequireOSDRelease: m.RequireOSDRelease.String(),
		Pools: dumpPools(m), OSDs: []osdJSON{}, OSDXInfo: []osdXInfoJSON{}, PGUpmap: []pgOSDsJSON{},
		PGUpmapItems: []pgUpmapItemsJSON{}, PGTemp: []pgOSDsJSON{}, PrimaryTemp: []primaryTempJSON{},
		Blocklist: dumpBlocklist(m.Blocklist), RangeBlocklist: dumpBlocklist(m.RangeBlocklist),
		ErasureCodeProfiles: m.ErasureCodeProfiles, RemovedSnapsQueue: dumpSnapsQueue(m.RemovedSnapsQueue),
		NewRemovedSnaps: dumpSnapsQueue(m.NewRemovedSnaps), NewPurgedSnaps: dumpSnapsQueue(m.NewPurgedSnaps),
		CrushNodeFlags: map[string][]string{}, DeviceClassFlags: map[string][]string{},
		StretchMode: stretchJSON{m.StretchModeEnabled, m.StretchBucketCount, m.DegradedStretchMode,
			m.RecoveringStretchMode, m.StretchModeBucket},
	}
	if cm, err := m.CrushMap(); err == nil {
		// Under the node's or class's name, the flags' names.
		for id, f := range m.CrushNodeFlags {
			if name, ok := cm.ItemName(id); ok {
				j.CrushNodeFlags[name] = osdmap.StateNames(f)
			}
		}
		for id, f := range m.DeviceClassFlags {
			if name, ok := cm.ClassNames[id]; ok {
				j.DeviceClassFlags[name] = osdmap.StateNames(f)
			}
		}
	}
	for o := int32(0); o < m.MaxOSD; o++ {
		if !m.Exists(o) {
			continue
		}
		j.OSDs = append(j.OSDs, dumpOSD(m, o))
		x := m.OSDXInfo[o]
		j.OSDXInfo = append(j.OSDXInfo, osdXInfoJSON{OSD: o, DownStamp: utimeStr(x.DownStamp),
			LaggyProbability: cephFloat(x.Laggy()), LaggyInterval: x.LaggyInterval, Features: x.Features,
			OldWeight: x.OldWeight, LastPurgedSnapsScrub: utimeStr(x.LastPurgedSnapsScrub), DeadEpoch: x.DeadEpoch})
	}
	for _, pg := range slices.SortedFunc(maps.Keys(m.PGUpmap), osdmap.ComparePG) {
		j.PGUpmap = append(j.PGUpmap, pgOSDsJSON{pg.String(), m.PGUpmap[pg]})
	}
	for _, pg := range slices.SortedFunc(maps.Keys(m.PGUpmapItems), osdmap.ComparePG) {
		it := pgUpmapItemsJSON{PGID: pg.String(), Mappings: []pgMappingJSON{}}
		for _, u := range m.PGUpmapItems[pg] {
			it.Mappings = append(it.Mappings, pgMappingJSON{u.From, u.To})
		}
		j.PGUpmapItems = append(j.PGUpmapItems, it)
	}
	for _, pg := range slices.SortedFunc(maps.Keys(m.PGTemp), osdmap.ComparePG) {
		j.PGTemp = append(j.PGTemp, pgOSDsJSON{pg.String(), m.PGTemp[pg]})
	}
	for _, pg := range slices.SortedFunc(maps.Keys(m.PrimaryTemp), osdmap.ComparePG) {
		j.PrimaryTemp = append(j.PrimaryTemp, primaryTempJSON{pg.String(), m.PrimaryTemp[pg]})
	}
	if j.ErasureCodeProfiles == nil {
		j.ErasureCodeProfiles = map[string]map[string]string{}
	}
	return j
}
