package fsmap

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// MDSMap flags (CEPH_MDSMAP_* in src/include/ceph_fs.h).
const (
	FlagNotJoinable         uint32 = 1 << 0
	FlagAllowSnaps          uint32 = 1 << 1
	FlagAllowMultiMDSSnaps  uint32 = 1 << 4
	FlagAllowStandbyReplay  uint32 = 1 << 5
	FlagRefuseClientSession uint32 = 1 << 6
	// FlagsDefault is CEPH_MDSMAP_DEFAULTS, what a new file system has.
	FlagsDefault = FlagAllowSnaps | FlagAllowMultiMDSSnaps
)

// IncompatInline is MDS_FEATURE_INCOMPAT_INLINE, feature 7, which Pacific's
// MDSMap::decode adds to every map it loads.
const (
	IncompatInline     = 7
	incompatInlineName = "mds uses inline data"
)

// mdsMapExtVersion is the extended version ("ev") Pacific's MDSMap::encode
// writes after cas_pool: 16, the last field being required_client_features.
// Decoding also reads the fields of ev 17 (max_xattr_size) and 18
// (bal_rank_mask) that later releases add; Pacific drops them.
const mdsMapExtVersion = 16

// MDSMap is one file system's map (src/mds/MDSMap.h) as Pacific encodes it
// (struct_v 5, ev 16). Sets are sorted slices, as std::set iterates.
type MDSMap struct {
	Epoch            uint32
	Flags            uint32
	LastFailure      uint32
	Root             int32
	SessionTimeout   uint32
	SessionAutoclose uint32
	MaxFileSize      uint64
	MaxMDS           int32
	Info             map[uint64]*MDSInfo // gid -> daemon in this file system
	DataPools        []int64
	CASPool          int64
	Compat           CompatSet
	MetadataPool     int64
	Created          encoding.UTime
	Modified         encoding.UTime
	Tableserver      int32
	In               []int32
	// The legacy "inc" map (rank -> epoch) is not kept: MDSMap::encode
	// makes it from In and Epoch, and decode drops it.
	Up                        map[int32]uint64 // rank -> gid
	Failed                    []int32
	Stopped                   []int32
	LastFailureOSDEpoch       uint32
	EverAllowedFeatures       uint8
	ExplicitlyAllowedFeatures uint8
	InlineDataEnabled         bool
	Enabled                   bool
	FSName                    string
	Damaged                   []int32
	Balancer                  string
	StandbyCountWanted        int32
	OldMaxMDS                 int32
	MinCompatClient           uint8    // ceph_release_t; Pacific writes 0 (unknown)
	RequiredClientFeatures    []uint64 // feature_bitset_t blocks
	MaxXattrSize              uint64   // ev 17, not written by Pacific
	BalRankMask               string   // ev 18, not written by Pacific
}

// NewMDSMap is the MDSMap constructor's defaults (MDSMap::MDSMap).
func NewMDSMap() *MDSMap {
	return &MDSMap{
		Flags:              FlagsDefault,
		SessionTimeout:     60,
		SessionAutoclose:   300,
		MaxFileSize:        1 << 40,
		MaxMDS:             1,
		Info:               map[uint64]*MDSInfo{},
		CASPool:            -1,
		MetadataPool:       -1,
		Up:                 map[int32]uint64{},
		StandbyCountWanted: -1,
		Compat:             CompatSet{Compat: FeatureSet{}, ROCompat: FeatureSet{}, Incompat: FeatureSet{}},
	}
}

// The smallest wire sizes of set and map elements, for decoders' counts.
const (
	minRank    = 4
	minRankGID = 12
	minPool    = 8
	minGIDInfo = 8 + 6
)

func encodeRanks(e *encoding.Encoder, s []int32) { encoding.Slice(e, s, encoding.EncI32) }

func decodeRanks(d *encoding.Decoder) []int32 {
	return encoding.DecodeSlice(d, minRank, encoding.DecI32)
}

// Encode returns the MDSMap encoded as MDSMap::encode does for peers with
// PGID64 and MDSENC (every peer since Firefly).
func (m *MDSMap) Encode(features uint64) []byte {
	e := encoding.NewEncoder(nil)
	m.AppendEncode(e, features)
	return e.Bytes()
}

// AppendEncode is Encode appending to e.
func (m *MDSMap) AppendEncode(e *encoding.Encoder, features uint64) {
	mk := e.Start(5, 4)
	e.U32(m.Epoch)
	e.U32(m.Flags)
	e.U32(m.LastFailure)
	e.I32(m.Root)
	e.U32(m.SessionTimeout)
	e.U32(m.SessionAutoclose)
	e.U64(m.MaxFileSize)
	e.I32(m.MaxMDS)
	encoding.Map(e, m.Info, encoding.EncU64, func(e *encoding.Encoder, in *MDSInfo) { in.AppendEncode(e, features) })
	encoding.Slice(e, m.DataPools, encoding.EncI64)
	e.I64(m.CASPool)
	e.U16(mdsMapExtVersion)
	encodeCompatSet(e, m.Compat)
	e.I64(m.MetadataPool)
	e.UTime(m.Created)
	e.UTime(m.Modified)
	e.I32(m.Tableserver)
	encodeRanks(e, m.In)
	e.Count(len(m.In))
	for _, r := range m.In {
		e.I32(r)
		e.U32(m.Epoch)
	}
	encoding.Map(e, m.Up, encoding.EncI32, encoding.EncU64)
	encodeRanks(e, m.Failed)
	encodeRanks(e, m.Stopped)
	e.U32(m.LastFailureOSDEpoch)
	e.U8(m.EverAllowedFeatures)
	e.U8(m.ExplicitlyAllowedFeatures)
	e.Bool(m.InlineDataEnabled)
	e.Bool(m.Enabled)
	e.Str(m.FSName)
	encodeRanks(e, m.Damaged)
	e.Str(m.Balancer)
	e.I32(m.StandbyCountWanted)
	e.I32(m.OldMaxMDS)
	e.U8(m.MinCompatClient)
	e.U32(uint32(len(m.RequiredClientFeatures) * 8))
	for _, b := range m.RequiredClientFeatures {
		e.U64(b)
	}
	e.End(mk)
}

// DecodeMDSMap parses an MDSMap of struct_v 4 or later whose extended
// version is at least 8 (fs_name and enabled present: Jewel and later).
// It keeps what the bytes say; see FSMap.Normalize for what Ceph's decoder
// adds to a map it loads.
func DecodeMDSMap(b []byte) (*MDSMap, error) {
	d := encoding.NewDecoder(b)
	m := decodeMDSMap(d)
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("mdsmap: %w", err)
	}
	return m, nil
}

func decodeMDSMap(d *encoding.Decoder) *MDSMap {
	m := &MDSMap{}
	s := d.StartNamed("MDSMap", 5)
	if d.Err() == nil && s.V < 4 {
		d.Fail(encoding.Malformedf("MDSMap struct_v %d predates versioned encoding", s.V))
	}
	m.Epoch = d.U32()
	m.Flags = d.U32()
	m.LastFailure = d.U32()
	m.Root = d.I32()
	m.SessionTimeout = d.U32()
	m.SessionAutoclose = d.U32()
	m.MaxFileSize = d.U64()
	m.MaxMDS = d.I32()
	m.Info = encoding.DecodeMap(d, minGIDInfo, encoding.DecU64, decodeMDSInfo)
	m.DataPools = encoding.DecodeSlice(d, minPool, encoding.DecI64)
	m.CASPool = d.I64()
	ev := d.U16()
	if d.Err() == nil && ev < 8 {
		d.Fail(encoding.Malformedf("MDSMap extended version %d predates file system names", ev))
	}
	m.Compat = decodeCompatSet(d)
	m.MetadataPool = d.I64()
	m.Created = d.UTime()
	m.Modified = d.UTime()
	m.Tableserver = d.I32()
	m.In = decodeRanks(d)
	encoding.DecodeMap(d, 8, encoding.DecI32, encoding.DecU32) // inc
	m.Up = encoding.DecodeMap(d, minRankGID, encoding.DecI32, encoding.DecU64)
	m.Failed = decodeRanks(d)
	m.Stopped = decodeRanks(d)
	m.LastFailureOSDEpoch = d.U32()
	if ev >= 10 {
		m.EverAllowedFeatures = d.U8()
		m.ExplicitlyAllowedFeatures = d.U8()
	} else {
		// Before ev 10 these were bools about snapshots.
		if d.Bool() {
			m.EverAllowedFeatures = uint8(FlagAllowSnaps)
		}
		if d.Bool() {
			m.ExplicitlyAllowedFeatures = uint8(FlagAllowSnaps)
		}
	}
	m.InlineDataEnabled = d.Bool()
	m.Enabled = d.Bool()
	m.FSName = d.Str()
	if ev >= 9 {
		m.Damaged = decodeRanks(d)
	}
	if ev >= 11 {
		m.Balancer = d.Str()
	}
	m.StandbyCountWanted = -1
	if ev >= 12 {
		m.StandbyCountWanted = d.I32()
	}
	if ev >= 13 {
		m.OldMaxMDS = d.I32()
	}
	if ev >= 14 {
		// ev 14 wrote a signed release, -1 for none.
		if r := d.U8(); ev > 14 || int8(r) >= 0 {
			m.MinCompatClient = r
		}
	}
	if ev >= 16 {
		n := d.U32()
		if d.Err() == nil && uint64(n) > uint64(d.Remaining()) {
			d.Fail(encoding.ErrShort)
		}
		if d.Err() == nil && n >= 8 {
			m.RequiredClientFeatures = make([]uint64, n/8)
			for i := range m.RequiredClientFeatures {
				m.RequiredClientFeatures[i] = d.U64()
			}
		}
		d.Skip(int(n % 8))
	}
	if ev >= 17 {
		m.MaxXattrSize = d.U64()
	}
	if ev >= 18 {
		m.BalRankMask = d.Str()
	}
	d.End(s)
	if d.Err() != nil {
		return nil
	}
	for _, set := range [][]int32{m.In, m.Failed, m.Stopped, m.Damaged} {
		if !isSet(set) {
			d.Fail(encoding.Malformedf("MDSMap rank set %v is not ascending", set))
			return nil
		}
	}
	return m
}

// isSet reports whether s is strictly ascending, as an encoded std::set is.
func isSet[T int32 | int64](s []T) bool {
	for i := 1; i < len(s); i++ {
		if s[i] <= s[i-1] {
			return false
		}
	}
	return true
}

// NumUp is get_num_up_mds: the ranks with a daemon.
func (m *MDSMap) NumUp() int { return len(m.Up) }

// IsDegraded is MDSMap::is_degraded: a failed or damaged rank, or an up
// rank still replaying, resolving, reconnecting or rejoining.
func (m *MDSMap) IsDegraded() bool {
	if len(m.Failed) > 0 || len(m.Damaged) > 0 {
		return true
	}
	for _, in := range m.Info {
		if in.State >= StateReplay && in.State <= StateClientReplay {
			return true
		}
	}
	return false
}

// HasDataPool reports whether pool is one of the file system's data pools.
func (m *MDSMap) HasDataPool(pool int64) bool { return slices.Contains(m.DataPools, pool) }

// Daemons returns the gids of the map's daemons in gid order.
func (m *MDSMap) Daemons() []uint64 { return slices.Sorted(maps.Keys(m.Info)) }
