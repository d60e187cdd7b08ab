package osdmap

import (
	"github.com/kelp-ceph/kelp/encoding"
)

// OSD state bits (CEPH_OSD_* in src/include/rados.h).
const (
	StateExists       uint32 = 1 << 0
	StateUp           uint32 = 1 << 1
	StateAutoOut      uint32 = 1 << 2
	StateNew          uint32 = 1 << 3
	StateFull         uint32 = 1 << 4
	StateNearFull     uint32 = 1 << 5
	StateBackfillFull uint32 = 1 << 6
	StateDestroyed    uint32 = 1 << 7
	StateNoUp         uint32 = 1 << 8
	StateNoDown       uint32 = 1 << 9
	StateNoIn         uint32 = 1 << 10
	StateNoOut        uint32 = 1 << 11
	StateStop         uint32 = 1 << 12
)

// OSD weights: 0x10000 is fully in, 0 out.
const (
	WeightIn  uint32 = 0x10000
	WeightOut uint32 = 0
	// DefaultPrimaryAffinity is CEPH_OSD_DEFAULT_PRIMARY_AFFINITY.
	DefaultPrimaryAffinity uint32 = 0x10000
	// MaxPrimaryAffinity is CEPH_OSD_MAX_PRIMARY_AFFINITY.
	MaxPrimaryAffinity uint32 = 0x10000
)

// Map flags (CEPH_OSDMAP_* in src/include/rados.h).
const (
	FlagNearFull       uint32 = 1 << 0
	FlagFull           uint32 = 1 << 1
	FlagPauseRD        uint32 = 1 << 2
	FlagPauseWR        uint32 = 1 << 3
	FlagPauseRec       uint32 = 1 << 4
	FlagNoUp           uint32 = 1 << 5
	FlagNoDown         uint32 = 1 << 6
	FlagNoOut          uint32 = 1 << 7
	FlagNoIn           uint32 = 1 << 8
	FlagNoBackfill     uint32 = 1 << 9
	FlagNoRecover      uint32 = 1 << 10
	FlagNoScrub        uint32 = 1 << 11
	FlagNoDeepScrub    uint32 = 1 << 12
	FlagNoTierAgent    uint32 = 1 << 13
	FlagNoRebalance    uint32 = 1 << 14
	FlagSortBitwise    uint32 = 1 << 15
	FlagRequireJewel   uint32 = 1 << 16
	FlagRequireKraken  uint32 = 1 << 17
	FlagRequireLumin   uint32 = 1 << 18
	FlagRecoveryDel    uint32 = 1 << 19
	FlagPurgedSnapdirs uint32 = 1 << 20
	FlagNoSnapTrim     uint32 = 1 << 21
	FlagPGLogHardLimit uint32 = 1 << 22
	FlagNoAutoscale    uint32 = 1 << 23

	legacyRequireFlags = FlagRequireJewel | FlagRequireKraken | FlagRequireLumin
)

// UpmapItem is one (from, to) replacement of a pg_upmap_items entry.
type UpmapItem struct {
	From, To int32
}

// OSDMap is Ceph's OSDMap as the monitor stores and sends it.
//
// Per-OSD slices (OSDState ... OSDXInfo, the address vectors) all have
// MaxOSD entries; PrimaryAffinity is nil when every OSD has the default.
type OSDMap struct {
	FSID     encoding.UUID
	Epoch    uint32
	Created  encoding.UTime
	Modified encoding.UTime

	Pools     map[int64]*PGPool
	PoolNames map[int64]string
	PoolMax   int32
	Flags     uint32
	MaxOSD    int32

	OSDState        []uint32
	OSDWeight       []uint32
	ClientAddrs     []encoding.EntityAddrVec
	PGTemp          map[PG][]int32
	PrimaryTemp     map[PG]int32
	PrimaryAffinity []uint32

	// Crush is the encoded CRUSH map (CrushWrapper::encode), carried as
	// the bytes the monitor wrote so the map re-encodes exactly; CrushMap
	// decodes it. It is replaced, never modified in place.
	Crush               []byte
	ErasureCodeProfiles map[string]map[string]string
	PGUpmap             map[PG][]int32
	PGUpmapItems        map[PG][]UpmapItem
	CrushVersion        int32
	NewRemovedSnaps     map[int64]IntervalSet
	NewPurgedSnaps      map[int64]IntervalSet
	LastUpChange        encoding.UTime
	LastInChange        encoding.UTime

	// OSD-only data.
	HBBackAddrs            []encoding.EntityAddrVec
	OSDInfo                []OSDInfo
	Blocklist              map[encoding.EntityAddr]encoding.UTime
	ClusterAddrs           []encoding.EntityAddrVec
	ClusterSnapshotEpoch   uint32
	ClusterSnapshot        string
	OSDUUID                []encoding.UUID
	OSDXInfo               []OSDXInfo
	HBFrontAddrs           []encoding.EntityAddrVec
	NearfullRatio          float32
	FullRatio              float32
	BackfillfullRatio      float32
	RequireMinCompatClient encoding.Release
	RequireOSDRelease      encoding.Release
	RemovedSnapsQueue      map[int64]IntervalSet
	CrushNodeFlags         map[int32]uint32
	DeviceClassFlags       map[int32]uint32
	StretchModeEnabled     bool
	StretchBucketCount     uint32
	DegradedStretchMode    uint32
	RecoveringStretchMode  uint32
	StretchModeBucket      int32
	RangeBlocklist         map[encoding.EntityAddr]encoding.UTime

	// CRC is the crc32c the last Decode verified or Encode computed.
	CRC uint32

	crush *crushCache
}

// New returns an empty map as OSDMap's constructor leaves it.
func New() *OSDMap {
	m := &OSDMap{
		Pools:               map[int64]*PGPool{},
		PoolNames:           map[int64]string{},
		PoolMax:             -1,
		PGTemp:              map[PG][]int32{},
		PrimaryTemp:         map[PG]int32{},
		ErasureCodeProfiles: map[string]map[string]string{},
		PGUpmap:             map[PG][]int32{},
		PGUpmapItems:        map[PG][]UpmapItem{},
		Blocklist:           map[encoding.EntityAddr]encoding.UTime{},
		RangeBlocklist:      map[encoding.EntityAddr]encoding.UTime{},
		CrushNodeFlags:      map[int32]uint32{},
		DeviceClassFlags:    map[int32]uint32{},
		RemovedSnapsQueue:   map[int64]IntervalSet{},
		NewRemovedSnaps:     map[int64]IntervalSet{},
		NewPurgedSnaps:      map[int64]IntervalSet{},
		crush:               &crushCache{},
	}
	return m
}

// SetMaxOSD resizes every per-OSD vector, as OSDMap::set_max_osd does: new
// OSDs start non-existent and out.
func (m *OSDMap) SetMaxOSD(n int32) {
	if n < 0 {
		n = 0
	}
	m.MaxOSD = n
	m.OSDState = resize(m.OSDState, int(n), 0)
	m.OSDWeight = resize(m.OSDWeight, int(n), WeightOut)
	m.OSDInfo = resize(m.OSDInfo, int(n), OSDInfo{})
	m.OSDXInfo = resize(m.OSDXInfo, int(n), OSDXInfo{})
	m.ClientAddrs = resize(m.ClientAddrs, int(n), nil)
	m.ClusterAddrs = resize(m.ClusterAddrs, int(n), nil)
	m.HBBackAddrs = resize(m.HBBackAddrs, int(n), nil)
	m.HBFrontAddrs = resize(m.HBFrontAddrs, int(n), nil)
	m.OSDUUID = resize(m.OSDUUID, int(n), encoding.UUID{})
	if m.PrimaryAffinity != nil {
		m.PrimaryAffinity = resize(m.PrimaryAffinity, int(n), DefaultPrimaryAffinity)
	}
}

func resize[T any](s []T, n int, fill T) []T {
	if n <= len(s) {
		return s[:n:n]
	}
	out := make([]T, n)
	copy(out, s)
	for i := len(s); i < n; i++ {
		out[i] = fill
	}
	return out
}
