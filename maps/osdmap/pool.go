package osdmap

import (
	"github.com/kelp-ceph/kelp/encoding"
)

// PoolType is pg_pool_t's type (src/osd/osd_types.h).
type PoolType uint8

const (
	PoolReplicated PoolType = 1
	PoolErasure    PoolType = 3
)

func (t PoolType) String() string {
	switch t {
	case PoolReplicated:
		return "replicated"
	case PoolErasure:
		return "erasure"
	}
	return "???"
}

// PoolFlag is a pg_pool_t FLAG_* bit.
type PoolFlag uint64

const (
	PoolFlagHashPSPool           PoolFlag = 1 << 0
	PoolFlagFull                 PoolFlag = 1 << 1
	PoolFlagECOverwrites         PoolFlag = 1 << 2
	PoolFlagIncompleteClones     PoolFlag = 1 << 3
	PoolFlagNoDelete             PoolFlag = 1 << 4
	PoolFlagNoPGChange           PoolFlag = 1 << 5
	PoolFlagNoSizeChange         PoolFlag = 1 << 6
	PoolFlagWriteFadviseDontNeed PoolFlag = 1 << 7
	PoolFlagNoScrub              PoolFlag = 1 << 8
	PoolFlagNoDeepScrub          PoolFlag = 1 << 9
	PoolFlagFullQuota            PoolFlag = 1 << 10
	PoolFlagNearFull             PoolFlag = 1 << 11
	PoolFlagBackfillFull         PoolFlag = 1 << 12
	PoolFlagSelfManagedSnaps     PoolFlag = 1 << 13
	PoolFlagPoolSnaps            PoolFlag = 1 << 14
	PoolFlagCreating             PoolFlag = 1 << 15
	PoolFlagEIO                  PoolFlag = 1 << 16
	PoolFlagBulk                 PoolFlag = 1 << 17
)

// PGPool is Ceph's pg_pool_t. Fields keep their wire widths so that a
// decoded pool re-encodes to the same bytes.
type PGPool struct {
	Type        PoolType
	Size        uint8
	CrushRule   uint8
	ObjectHash  uint8 // CEPH_STR_HASH_*: 2 is rjenkins
	PGNum       uint32
	PGPNum      uint32
	LastChange  uint32
	SnapSeq     uint64
	SnapEpoch   uint32
	Snaps       map[uint64]PoolSnapInfo
	RemovedSnap IntervalSet
	AUID        uint64
	Flags       PoolFlag
	MinSize     uint8

	QuotaMaxBytes   uint64
	QuotaMaxObjects uint64
	Tiers           map[uint64]struct{}
	TierOf          int64
	CacheMode       uint8
	ReadTier        int64
	WriteTier       int64
	Properties      map[string]string

	HitSetParams HitSetParams
	HitSetPeriod uint32
	HitSetCount  uint32
	StripeWidth  uint32

	TargetMaxBytes                 uint64
	TargetMaxObjects               uint64
	CacheTargetDirtyRatioMicro     uint32
	CacheTargetFullRatioMicro      uint32
	CacheMinFlushAge               uint32
	CacheMinEvictAge               uint32
	ErasureCodeProfile             string
	LastForceOpResendPreluminous   uint32
	MinReadRecencyForPromote       int32
	ExpectedNumObjects             uint64
	CacheTargetDirtyHighRatioMicro uint32
	MinWriteRecencyForPromote      int32
	UseGMTHitSet                   bool
	FastRead                       bool
	HitSetGradeDecayRate           int32
	HitSetSearchLastN              uint32
	Opts                           PoolOpts
	LastForceOpResendPrenautilus   uint32
	ApplicationMetadata            map[string]map[string]string
	CreateTime                     encoding.UTime
	PGNumTarget                    uint32
	PGPNumTarget                   uint32
	PGNumPending                   uint32
	LastForceOpResend              uint32
	PGAutoscaleMode                uint8
	LastPGMergeMeta                PGMergeMeta

	// Stretch pools (struct_v 30, Pacific).
	PeeringCrushBucketCount   uint32
	PeeringCrushBucketTarget  uint32
	PeeringCrushBucketBarrier uint32
	PeeringCrushMandatory     int32
}

// IsStretchPool is pg_pool_t::is_stretch_pool.
func (p *PGPool) IsStretchPool() bool { return p.PeeringCrushBucketCount != 0 }

// IsErasure reports whether the pool is erasure coded.
func (p *PGPool) IsErasure() bool { return p.Type == PoolErasure }

// CanShiftOSDs is pg_pool_t::can_shift_osds: replicated pools drop missing
// OSDs from their sets, erasure pools keep positions with CRUSH_ITEM_NONE.
func (p *PGPool) CanShiftOSDs() bool { return p.Type == PoolReplicated }

// IsTier reports whether the pool is a cache tier of another
// (pg_pool_t::is_tier).
func (p *PGPool) IsTier() bool { return p.TierOf >= 0 }

// HasFlag reports whether f is set.
func (p *PGPool) HasFlag(f PoolFlag) bool { return p.Flags&f != 0 }

// PGNumMask and PGPNumMask are the masks calc_pg_masks derives.
func (p *PGPool) PGNumMask() uint32  { return mask(p.PGNum) }
func (p *PGPool) PGPNumMask() uint32 { return mask(p.PGPNum) }

func mask(n uint32) uint32 {
	if n == 0 {
		return 0
	}
	b := 0
	for v := n - 1; v != 0; v >>= 1 {
		b++
	}
	return 1<<b - 1
}

// Pool encoding versions (pg_pool_t::encode).
const (
	poolVersion        = 29
	poolVersionStretch = 30
	poolCompat         = 5
)

// encodePool writes p as pg_pool_t::encode does for a peer with the
// given features (luminous or later; older peers are not supported).
func encodePool(e *encoding.Encoder, p *PGPool, features uint64) {
	v := uint8(poolVersion)
	switch {
	case !encoding.HasFeature(features, encoding.FeatureNewOSDOpEncoding):
		v = 21
	case !encoding.HasFeature(features, encoding.FeatureServerLuminous):
		v = 24
	case !encoding.HasFeature(features, encoding.FeatureServerMimic):
		v = 26
	case !encoding.HasFeature(features, encoding.FeatureServerNautilus):
		v = 27
	case p.IsStretchPool():
		v = poolVersionStretch
	}
	m := e.Start(v, poolCompat)
	e.U8(uint8(p.Type))
	e.U8(p.Size)
	e.U8(p.CrushRule)
	e.U8(p.ObjectHash)
	e.U32(p.PGNum)
	e.U32(p.PGPNum)
	e.U32(0) // lpg_num
	e.U32(0) // lpgp_num
	e.U32(p.LastChange)
	e.U64(p.SnapSeq)
	e.U32(p.SnapEpoch)
	encoding.Map(e, p.Snaps, encoding.EncU64, encodePoolSnapInfo)
	encIntervalSet(e, p.RemovedSnap)
	e.U64(p.AUID)
	if v >= 27 {
		e.U64(uint64(p.Flags))
	} else {
		e.U64(uint64(p.Flags &^ (PoolFlagSelfManagedSnaps | PoolFlagPoolSnaps | PoolFlagCreating)))
	}
	e.U32(0) // crash_replay_interval
	e.U8(p.MinSize)
	e.U64(p.QuotaMaxBytes)
	e.U64(p.QuotaMaxObjects)
	encodeSet(e, p.Tiers, cmpU64, encoding.EncU64)
	e.I64(p.TierOf)
	e.U8(p.CacheMode)
	e.I64(p.ReadTier)
	e.I64(p.WriteTier)
	encStrMap(e, p.Properties)
	encodeHitSetParams(e, p.HitSetParams)
	e.U32(p.HitSetPeriod)
	e.U32(p.HitSetCount)
	e.U32(p.StripeWidth)
	e.U64(p.TargetMaxBytes)
	e.U64(p.TargetMaxObjects)
	e.U32(p.CacheTargetDirtyRatioMicro)
	e.U32(p.CacheTargetFullRatioMicro)
	e.U32(p.CacheMinFlushAge)
	e.U32(p.CacheMinEvictAge)
	e.Str(p.ErasureCodeProfile)
	e.U32(p.LastForceOpResendPreluminous)
	e.I32(p.MinReadRecencyForPromote)
	e.U64(p.ExpectedNumObjects)
	if v >= 19 {
		e.U32(p.CacheTargetDirtyHighRatioMicro)
	}
	if v >= 20 {
		e.I32(p.MinWriteRecencyForPromote)
	}
	if v >= 21 {
		e.Bool(p.UseGMTHitSet)
	}
	if v >= 22 {
		e.Bool(p.FastRead)
	}
	if v >= 23 {
		e.I32(p.HitSetGradeDecayRate)
		e.U32(p.HitSetSearchLastN)
	}
	if v >= 24 {
		encodePoolOpts(e, p.Opts, features)
	}
	if v >= 25 {
		e.U32(p.LastForceOpResendPrenautilus)
	}
	if v >= 26 {
		encStrMapMap(e, p.ApplicationMetadata)
	}
	if v >= 27 {
		e.UTime(p.CreateTime)
	}
	if v >= 28 {
		e.U32(p.PGNumTarget)
		e.U32(p.PGPNumTarget)
		e.U32(p.PGNumPending)
		e.U32(0) // pg_num_dec_last_epoch_started, 14.1.x only
		e.U32(0) // pg_num_dec_last_epoch_clean, 14.1.x only
		e.U32(p.LastForceOpResend)
		e.U8(p.PGAutoscaleMode)
	}
	if v >= 29 {
		encodePGMergeMeta(e, p.LastPGMergeMeta)
	}
	if v >= 30 {
		e.U32(p.PeeringCrushBucketCount)
		e.U32(p.PeeringCrushBucketTarget)
		e.U32(p.PeeringCrushBucketBarrier)
		e.I32(p.PeeringCrushMandatory)
	}
	e.End(m)
}

// minPoolLen bounds the allocation of a pool map: a pool's struct header
// and fixed leading fields.
const minPoolLen = 6 + 4 + 5*4 + 8 + 4

// decodePool reads a pg_pool_t in its ENCODE_START form (struct_v >= 5;
// Ceph's decoder accepts the same, DECODE_START_LEGACY_COMPAT_LEN(29,5,5)).
// Fields newer encoders append are skipped.
func decodePool(d *encoding.Decoder) PGPool {
	var p PGPool
	s := d.StartLegacy(poolVersionStretch, 5, 5, 0)
	if d.Err() == nil && s.V < 5 {
		d.Fail(encoding.Malformedf("pg_pool_t version %d predates firefly", s.V))
	}
	p.Type = PoolType(d.U8())
	p.Size = d.U8()
	p.CrushRule = d.U8()
	p.ObjectHash = d.U8()
	p.PGNum = d.U32()
	p.PGPNum = d.U32()
	d.U32() // lpg_num
	d.U32() // lpgp_num
	p.LastChange = d.U32()
	p.SnapSeq = d.U64()
	p.SnapEpoch = d.U32()
	p.Snaps = encoding.DecodeMap(d, 8+6+8+4, encoding.DecU64, decodePoolSnapInfo)
	p.RemovedSnap = decIntervalSet(d)
	p.AUID = d.U64()
	p.Flags = PoolFlag(d.U64())
	d.U32() // crash_replay_interval
	if s.V >= 7 {
		p.MinSize = d.U8()
	} else {
		p.MinSize = p.Size - p.Size/2
	}
	if s.V >= 8 {
		p.QuotaMaxBytes = d.U64()
		p.QuotaMaxObjects = d.U64()
	}
	if s.V >= 9 {
		p.Tiers = decodeSet(d, 8, encoding.DecU64)
		p.TierOf = d.I64()
		p.CacheMode = d.U8()
		p.ReadTier = d.I64()
		p.WriteTier = d.I64()
	}
	if s.V >= 10 {
		p.Properties = decStrMap(d)
	}
	if s.V >= 11 {
		p.HitSetParams = decodeHitSetParams(d)
		p.HitSetPeriod = d.U32()
		p.HitSetCount = d.U32()
	}
	if s.V >= 12 {
		p.StripeWidth = d.U32()
	}
	if s.V >= 13 {
		p.TargetMaxBytes = d.U64()
		p.TargetMaxObjects = d.U64()
		p.CacheTargetDirtyRatioMicro = d.U32()
		p.CacheTargetFullRatioMicro = d.U32()
		p.CacheMinFlushAge = d.U32()
		p.CacheMinEvictAge = d.U32()
	}
	if s.V >= 14 {
		p.ErasureCodeProfile = d.Str()
	}
	if s.V >= 15 {
		p.LastForceOpResendPreluminous = d.U32()
	}
	p.MinReadRecencyForPromote = 1
	if s.V >= 16 {
		p.MinReadRecencyForPromote = d.I32()
	}
	if s.V >= 17 {
		p.ExpectedNumObjects = d.U64()
	}
	p.CacheTargetDirtyHighRatioMicro = p.CacheTargetDirtyRatioMicro
	if s.V >= 19 {
		p.CacheTargetDirtyHighRatioMicro = d.U32()
	}
	p.MinWriteRecencyForPromote = 1
	if s.V >= 20 {
		p.MinWriteRecencyForPromote = d.I32()
	}
	if s.V >= 21 {
		p.UseGMTHitSet = d.Bool()
	}
	if s.V >= 22 {
		p.FastRead = d.Bool()
	}
	p.HitSetSearchLastN = 1
	if s.V >= 23 {
		p.HitSetGradeDecayRate = d.I32()
		p.HitSetSearchLastN = d.U32()
	}
	if s.V >= 24 {
		p.Opts = decodePoolOpts(d)
	}
	p.LastForceOpResendPrenautilus = p.LastForceOpResendPreluminous
	if s.V >= 25 {
		p.LastForceOpResendPrenautilus = d.U32()
	}
	if s.V >= 26 {
		p.ApplicationMetadata = decStrMapMap(d)
	}
	if s.V >= 27 {
		p.CreateTime = d.UTime()
	}
	if s.V >= 28 {
		p.PGNumTarget = d.U32()
		p.PGPNumTarget = d.U32()
		p.PGNumPending = d.U32()
		started := d.U32()
		clean := d.U32()
		p.LastForceOpResend = d.U32()
		p.PGAutoscaleMode = d.U8()
		if s.V >= 29 {
			p.LastPGMergeMeta = decodePGMergeMeta(d)
		} else {
			p.LastPGMergeMeta.LastEpochStarted = started
			p.LastPGMergeMeta.LastEpochClean = clean
		}
	} else {
		p.PGNumTarget = p.PGNum
		p.PGPNumTarget = p.PGPNum
		p.PGNumPending = p.PGNum
		p.LastForceOpResend = p.LastForceOpResendPrenautilus
		p.PGAutoscaleMode = AutoscaleWarn
	}
	p.PeeringCrushMandatory = crushItemNone
	if s.V >= 30 {
		p.PeeringCrushBucketCount = d.U32()
		p.PeeringCrushBucketTarget = d.U32()
		p.PeeringCrushBucketBarrier = d.U32()
		p.PeeringCrushMandatory = d.I32()
	}
	d.End(s)
	return p
}

// pg_autoscale_mode_t values.
const (
	AutoscaleOff  uint8 = 0
	AutoscaleWarn uint8 = 1
	AutoscaleOn   uint8 = 2
)

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
