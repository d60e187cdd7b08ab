package osdmap

import (
	"cmp"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// crushItemNone is CRUSH_ITEM_NONE: "no OSD here" in an erasure-coded set.
const crushItemNone = 0x7fffffff

// PoolSnapInfo is pool_snap_info_t: one pool snapshot.
type PoolSnapInfo struct {
	SnapID uint64
	Stamp  encoding.UTime
	Name   string
}

func encodePoolSnapInfo(e *encoding.Encoder, s PoolSnapInfo) {
	m := e.Start(2, 2)
	e.U64(s.SnapID)
	e.UTime(s.Stamp)
	e.Str(s.Name)
	e.End(m)
}

func decodePoolSnapInfo(d *encoding.Decoder) PoolSnapInfo {
	var s PoolSnapInfo
	st := d.StartLegacy(2, 2, 2, 0)
	s.SnapID = d.U64()
	s.Stamp = d.UTime()
	s.Name = d.Str()
	d.End(st)
	return s
}

// HitSetType is HitSet::impl_type_t.
type HitSetType uint8

const (
	HitSetNone           HitSetType = 0
	HitSetExplicitHash   HitSetType = 1
	HitSetExplicitObject HitSetType = 2
	HitSetBloom          HitSetType = 3
)

func (t HitSetType) String() string {
	switch t {
	case HitSetNone:
		return "none"
	case HitSetExplicitHash:
		return "explicit_hash"
	case HitSetExplicitObject:
		return "explicit_object"
	case HitSetBloom:
		return "bloom"
	}
	return "???"
}

// HitSetParams is HitSet::Params (src/osd/HitSet.h): a type and that
// type's own encoded parameters, kept as bytes (for bloom: a versioned
// struct of fpp_micro u32, target_size u64, seed u64).
type HitSetParams struct {
	Type HitSetType
	Impl []byte
}

func encodeHitSetParams(e *encoding.Encoder, h HitSetParams) {
	m := e.Start(1, 1)
	e.U8(uint8(h.Type))
	e.Raw(h.Impl)
	e.End(m)
}

func decodeHitSetParams(d *encoding.Decoder) HitSetParams {
	var h HitSetParams
	s := d.Start(1)
	h.Type = HitSetType(d.U8())
	if r := d.Remaining(); r > 0 {
		h.Impl = append([]byte(nil), d.Raw(r)...)
	}
	d.End(s)
	return h
}

// PGMergeMeta is pg_merge_meta_t: what the last PG merge of a pool recorded.
type PGMergeMeta struct {
	SourcePGID       PG
	ReadyEpoch       uint32
	LastEpochStarted uint32
	LastEpochClean   uint32
	SourceVersion    EVersion
	TargetVersion    EVersion
}

// EVersion is eversion_t: a log version and the epoch that wrote it,
// encoded as u64 version then u32 epoch.
type EVersion struct {
	Version uint64
	Epoch   uint32
}

func encodePGMergeMeta(e *encoding.Encoder, m PGMergeMeta) {
	mk := e.Start(1, 1)
	encodePG(e, m.SourcePGID)
	e.U32(m.ReadyEpoch)
	e.U32(m.LastEpochStarted)
	e.U32(m.LastEpochClean)
	e.U64(m.SourceVersion.Version)
	e.U32(m.SourceVersion.Epoch)
	e.U64(m.TargetVersion.Version)
	e.U32(m.TargetVersion.Epoch)
	e.End(mk)
}

func decodePGMergeMeta(d *encoding.Decoder) PGMergeMeta {
	var m PGMergeMeta
	s := d.Start(1)
	m.SourcePGID = decodePG(d)
	m.ReadyEpoch = d.U32()
	m.LastEpochStarted = d.U32()
	m.LastEpochClean = d.U32()
	m.SourceVersion = EVersion{Version: d.U64(), Epoch: d.U32()}
	m.TargetVersion = EVersion{Version: d.U64(), Epoch: d.U32()}
	d.End(s)
	return m
}

// PoolOptKey is pool_opts_t::key_t.
type PoolOptKey int32

const (
	OptScrubMinInterval PoolOptKey = iota
	OptScrubMaxInterval
	OptDeepScrubInterval
	OptRecoveryPriority
	OptRecoveryOpPriority
	OptScrubPriority
	OptCompressionMode
	OptCompressionAlgorithm
	OptCompressionRequiredRatio
	OptCompressionMaxBlobSize
	OptCompressionMinBlobSize
	OptCSumType
	OptCSumMaxBlock
	OptCSumMinBlock
	OptFingerprintAlgorithm
	OptPGNumMin
	OptTargetSizeBytes
	OptTargetSizeRatio
	OptPGAutoscaleBias
	OptReadLeaseInterval
	OptDedupTier
	OptDedupChunkAlgorithm
	OptDedupCDCChunkSize
	OptPGNumMax
)

var poolOptNames = []string{"scrub_min_interval", "scrub_max_interval", "deep_scrub_interval",
	"recovery_priority", "recovery_op_priority", "scrub_priority", "compression_mode",
	"compression_algorithm", "compression_required_ratio", "compression_max_blob_size",
	"compression_min_blob_size", "csum_type", "csum_max_block", "csum_min_block",
	"fingerprint_algorithm", "pg_num_min", "target_size_bytes", "target_size_ratio",
	"pg_autoscale_bias", "read_lease_interval", "dedup_tier", "dedup_chunk_algorithm",
	"dedup_cdc_chunk_size", "pg_num_max"}

func (k PoolOptKey) String() string {
	if k >= 0 && int(k) < len(poolOptNames) {
		return poolOptNames[k]
	}
	return "unknown"
}

// PoolOptType is pool_opts_t::type_t: which member of the value is set.
type PoolOptType int32

const (
	PoolOptStr    PoolOptType = 0
	PoolOptInt    PoolOptType = 1
	PoolOptDouble PoolOptType = 2
)

// PoolOpt is one pool option.
type PoolOpt struct {
	Key    PoolOptKey
	Type   PoolOptType
	Str    string
	Int    int64
	Double float64
}

// PoolOpts is pool_opts_t, ordered by key as its std::map is.
type PoolOpts []PoolOpt

// Get returns the option with key k.
func (o PoolOpts) Get(k PoolOptKey) (PoolOpt, bool) {
	for _, p := range o {
		if p.Key == k {
			return p, true
		}
	}
	return PoolOpt{}, false
}

// Set adds or replaces an option, keeping key order.
func (o *PoolOpts) Set(p PoolOpt) {
	i, found := slices.BinarySearchFunc(*o, p.Key, func(a PoolOpt, k PoolOptKey) int { return cmp.Compare(a.Key, k) })
	if found {
		(*o)[i] = p
		return
	}
	*o = slices.Insert(*o, i, p)
}

// Unset removes the option with key k, if set.
func (o *PoolOpts) Unset(k PoolOptKey) {
	*o = slices.DeleteFunc(*o, func(p PoolOpt) bool { return p.Key == k })
}

// PoolOptTypeOf is the value type pool_opts_t's opt_mapping gives a key
// (src/osd/osd_types.cc).
func PoolOptTypeOf(k PoolOptKey) PoolOptType {
	switch k {
	case OptScrubMinInterval, OptScrubMaxInterval, OptDeepScrubInterval, OptCompressionRequiredRatio,
		OptTargetSizeRatio, OptPGAutoscaleBias, OptReadLeaseInterval:
		return PoolOptDouble
	case OptCompressionMode, OptCompressionAlgorithm, OptFingerprintAlgorithm, OptDedupChunkAlgorithm:
		return PoolOptStr
	}
	return PoolOptInt
}

// PoolOptByName is pool_opts_t::is_opt_name and get_opt_desc: the key an
// option name stands for.
func PoolOptByName(name string) (PoolOptKey, bool) {
	for i, n := range poolOptNames {
		if n == name {
			return PoolOptKey(i), true
		}
	}
	return 0, false
}

func encodePoolOpts(e *encoding.Encoder, o PoolOpts, features uint64) {
	v := uint8(2)
	if !encoding.HasFeature(features, encoding.FeatureServerNautilus) {
		v = 1
	}
	m := e.Start(v, 1)
	sorted := slices.SortedStableFunc(slices.Values(o), func(a, b PoolOpt) int { return cmp.Compare(a.Key, b.Key) })
	e.Count(len(sorted))
	for _, p := range sorted {
		e.I32(int32(p.Key))
		e.I32(int32(p.Type))
		switch p.Type {
		case PoolOptStr:
			e.Str(p.Str)
		case PoolOptInt:
			if v >= 2 {
				e.I64(p.Int)
			} else {
				e.I32(int32(p.Int))
			}
		case PoolOptDouble:
			e.F64(p.Double)
		}
	}
	e.End(m)
}

func decodePoolOpts(d *encoding.Decoder) PoolOpts {
	s := d.Start(2)
	n := d.Count(12)
	var o PoolOpts
	if n > 0 {
		o = make(PoolOpts, 0, n)
	}
	for range n {
		p := PoolOpt{Key: PoolOptKey(d.I32()), Type: PoolOptType(d.I32())}
		switch p.Type {
		case PoolOptStr:
			p.Str = d.Str()
		case PoolOptInt:
			if s.V >= 2 {
				p.Int = d.I64()
			} else {
				p.Int = int64(d.I32())
			}
		case PoolOptDouble:
			p.Double = d.F64()
		default:
			d.Fail(encoding.Malformedf("pool_opts_t: value type %d", p.Type))
		}
		if d.Err() != nil {
			break
		}
		o.Set(p)
	}
	d.End(s)
	return o
}
