package osdmap

import (
	"github.com/kelp-ceph/kelp/encoding"
)

// Interval is a pair of epochs [First, Last) for new_last_clean_interval.
type EpochInterval struct {
	First, Last uint32
}

// Incremental is OSDMap::Incremental: the change from epoch Epoch-1 to
// Epoch. "Unset" scalar changes use Ceph's sentinels: -1 for NewPoolMax,
// NewFlags, NewMaxOSD and the ratios, ReleaseUnchanged for the releases.
type Incremental struct {
	FSID            encoding.UUID
	Epoch           uint32
	Modified        encoding.UTime
	NewPoolMax      int64
	NewFlags        int32
	FullMap         []byte // a whole encoded OSDMap, when set
	Crush           []byte // a whole encoded CRUSH map, when set
	NewMaxOSD       int32
	NewPools        map[int64]*PGPool
	NewPoolNames    map[int64]string
	OldPools        map[int64]struct{}
	NewUpClient     map[int32]encoding.EntityAddrVec
	NewState        map[int32]uint32 // xor'ed into osd_state; 0 means StateUp
	NewWeight       map[int32]uint32
	NewPGTemp       map[PG][]int32 // an empty vector removes the entry
	NewPrimaryTemp  map[PG]int32   // -1 removes the entry
	NewPrimaryAff   map[int32]uint32
	NewECProfiles   map[string]map[string]string
	OldECProfiles   []string
	NewPGUpmap      map[PG][]int32
	OldPGUpmap      map[PG]struct{}
	NewPGUpmapItems map[PG][]UpmapItem
	OldPGUpmapItems map[PG]struct{}
	NewRemovedSnaps map[int64]IntervalSet
	NewPurgedSnaps  map[int64]IntervalSet
	NewLastUpChange encoding.UTime
	NewLastInChange encoding.UTime

	// OSD-only data.
	NewHBBackUp            map[int32]encoding.EntityAddrVec
	NewUpThru              map[int32]uint32
	NewLastCleanInterval   map[int32]EpochInterval
	NewLost                map[int32]uint32
	NewBlocklist           map[encoding.EntityAddr]encoding.UTime
	OldBlocklist           []encoding.EntityAddr
	NewUpCluster           map[int32]encoding.EntityAddrVec
	ClusterSnapshot        string
	NewUUID                map[int32]encoding.UUID
	NewXInfo               map[int32]OSDXInfo
	NewHBFrontUp           map[int32]encoding.EntityAddrVec
	EncodeFeatures         uint64 // the features the encoder was given
	NewNearfullRatio       float32
	NewFullRatio           float32
	NewBackfillfullRatio   float32
	NewRequireMinCompat    encoding.Release
	NewRequireOSDRelease   encoding.Release
	NewCrushNodeFlags      map[int32]uint32
	NewDeviceClassFlags    map[int32]uint32
	ChangeStretchMode      bool
	NewStretchBucketCount  uint32
	NewDegradedStretchMode uint32
	NewRecoveringStretch   uint32
	NewStretchModeBucket   int32
	StretchModeEnabled     bool
	NewRangeBlocklist      map[encoding.EntityAddr]encoding.UTime
	OldRangeBlocklist      []encoding.EntityAddr

	// IncCRC is the crc of this encoding; FullCRC the crc of the full map
	// it produces, which an applier checks its own encoding against.
	IncCRC  uint32
	FullCRC uint32
	HaveCRC bool
}

// ReleaseUnchanged is what an incremental carries in its release fields
// when it does not change them.
const ReleaseUnchanged encoding.Release = 0xff

// NewIncremental returns an empty incremental for epoch e, with every
// "no change" sentinel set as Incremental's constructor does.
func NewIncremental(e uint32) *Incremental {
	return &Incremental{
		Epoch:                e,
		NewPoolMax:           -1,
		NewFlags:             -1,
		NewMaxOSD:            -1,
		NewNearfullRatio:     -1,
		NewFullRatio:         -1,
		NewBackfillfullRatio: -1,
		NewRequireMinCompat:  ReleaseUnchanged,
		NewRequireOSDRelease: ReleaseUnchanged,
		NewPools:             map[int64]*PGPool{},
		NewPoolNames:         map[int64]string{},
		OldPools:             map[int64]struct{}{},
		NewUpClient:          map[int32]encoding.EntityAddrVec{},
		NewState:             map[int32]uint32{},
		NewWeight:            map[int32]uint32{},
		NewPGTemp:            map[PG][]int32{},
		NewPrimaryTemp:       map[PG]int32{},
		NewPrimaryAff:        map[int32]uint32{},
		NewECProfiles:        map[string]map[string]string{},
		NewPGUpmap:           map[PG][]int32{},
		OldPGUpmap:           map[PG]struct{}{},
		NewPGUpmapItems:      map[PG][]UpmapItem{},
		OldPGUpmapItems:      map[PG]struct{}{},
		NewRemovedSnaps:      map[int64]IntervalSet{},
		NewPurgedSnaps:       map[int64]IntervalSet{},
		NewHBBackUp:          map[int32]encoding.EntityAddrVec{},
		NewUpThru:            map[int32]uint32{},
		NewLastCleanInterval: map[int32]EpochInterval{},
		NewLost:              map[int32]uint32{},
		NewBlocklist:         map[encoding.EntityAddr]encoding.UTime{},
		NewUpCluster:         map[int32]encoding.EntityAddrVec{},
		NewUUID:              map[int32]encoding.UUID{},
		NewXInfo:             map[int32]OSDXInfo{},
		NewHBFrontUp:         map[int32]encoding.EntityAddrVec{},
		NewCrushNodeFlags:    map[int32]uint32{},
		NewDeviceClassFlags:  map[int32]uint32{},
		NewRangeBlocklist:    map[encoding.EntityAddr]encoding.UTime{},
	}
}
