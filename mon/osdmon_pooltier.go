package mon

import (
	"fmt"
	"syscall"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// The `osd pool set` variables only a cache tier takes (hit sets, cache
// targets, promotion recency), as prepare_command_pool_set sets them. A
// pool that is not a tier never gets here: Ceph answers EACCES first.

// poolSetTier changes a tier pool's tiering variable, or refuses.
func (s *osdMon) poolSetTier(p *osdmap.PGPool, key string, v poolSetVal) (int, string, bool) {
	fail := func(e syscall.Errno, format string, a ...any) (int, string, bool) {
		return errno(e), fmt.Sprintf(format, a...), false
	}
	// Ceph's texts for an unparsable number differ by variable.
	intNamed := func(what string) (int, string, bool) {
		return fail(syscall.EINVAL, "error parsing %s '%s': %v", what, v.s, v.intErr)
	}
	floatNamed := func(what string) (int, string, bool) {
		return fail(syscall.EINVAL, "error parsing %s '%s': %v", what, v.s, v.floatErr)
	}
	switch key {
	case "hit_set_type":
		switch v.s {
		case "none":
			p.HitSetParams = osdmap.HitSetParams{Type: osdmap.HitSetNone}
		case "bloom":
			p.HitSetParams = bloomParams(s.opts.hitSetBloomFPP)
		case "explicit_hash":
			p.HitSetParams = osdmap.HitSetParams{Type: osdmap.HitSetExplicitHash}
		case "explicit_object":
			p.HitSetParams = osdmap.HitSetParams{Type: osdmap.HitSetExplicitObject}
		default:
			return fail(syscall.EINVAL, "unrecognized hit_set type '%s'", v.s)
		}
	case "hit_set_period", "hit_set_count":
		if v.intErr != nil {
			return intNamed("integer value")
		}
		if v.n < 0 {
			return fail(syscall.EINVAL, "%s should be non-negative", key)
		}
		if key == "hit_set_period" {
			p.HitSetPeriod = uint32(v.n)
		} else {
			p.HitSetCount = uint32(v.n)
		}
	case "hit_set_fpp":
		if v.floatErr != nil {
			return floatNamed("floating point value")
		}
		if v.f < 0 || v.f > 1 {
			return fail(syscall.EINVAL, "hit_set_fpp should be in the range 0..1")
		}
		if p.HitSetParams.Type != osdmap.HitSetBloom {
			return fail(syscall.EINVAL, "hit set is not of type Bloom; invalid to set a false positive rate!")
		}
		p.HitSetParams = setBloomFPP(p.HitSetParams, v.f)
	case "use_gmt_hitset":
		if !v.isTrue() {
			return fail(syscall.EINVAL, "expecting value 'true' or '1'")
		}
		p.UseGMTHitSet = true
	case "target_max_objects", "target_max_bytes", "cache_min_flush_age", "cache_min_evict_age":
		if v.intErr != nil {
			return intNamed("int")
		}
		switch key {
		case "target_max_objects":
			p.TargetMaxObjects = uint64(v.n)
		case "target_max_bytes":
			p.TargetMaxBytes = uint64(v.n)
		case "cache_min_flush_age":
			p.CacheMinFlushAge = uint32(v.n)
		default:
			p.CacheMinEvictAge = uint32(v.n)
		}
	case "cache_target_dirty_ratio", "cache_target_dirty_high_ratio", "cache_target_full_ratio":
		if v.floatErr != nil {
			return floatNamed("float")
		}
		if v.f < 0 || v.f > 1 {
			return fail(syscall.ERANGE, "value must be in the range 0..1")
		}
		switch key {
		case "cache_target_dirty_ratio":
			p.CacheTargetDirtyRatioMicro = uint32(v.uf)
		case "cache_target_dirty_high_ratio":
			p.CacheTargetDirtyHighRatioMicro = uint32(v.uf)
		default:
			p.CacheTargetFullRatioMicro = uint32(v.uf)
		}
	case "min_read_recency_for_promote", "min_write_recency_for_promote", "hit_set_grade_decay_rate",
		"hit_set_search_last_n":
		if v.intErr != nil {
			return intNamed("integer value")
		}
		switch key {
		case "min_read_recency_for_promote":
			p.MinReadRecencyForPromote = int32(v.n)
		case "min_write_recency_for_promote":
			p.MinWriteRecencyForPromote = int32(v.n)
		case "hit_set_grade_decay_rate":
			if v.n > 100 || v.n < 0 {
				return fail(syscall.EINVAL, "value out of range,valid range is 0 - 100")
			}
			p.HitSetGradeDecayRate = int32(v.n)
		default:
			if v.n > int64(p.HitSetCount) || v.n < 0 {
				return fail(syscall.EINVAL, "value out of range,valid range is 0 - hit_set_count")
			}
			p.HitSetSearchLastN = uint32(v.n)
		}
	default:
		return fail(syscall.EINVAL, "unrecognized variable '%s'", key)
	}
	return 0, "", true
}

// bloomParams is a BloomHitSet::Params with a false positive rate and
// no target size or seed. Its encoding (src/osd/HitSet.h) is a versioned
// struct (1, 1) of fpp_micro u32, target_size u64 and seed u64; the
// explicit hit sets' parameters encode nothing.
func bloomParams(fpp float64) osdmap.HitSetParams {
	return setBloomFPP(osdmap.HitSetParams{Type: osdmap.HitSetBloom}, fpp)
}

// setBloomFPP is BloomHitSet::Params::set_fpp: the rate in millionths,
// rounded to nearest, keeping the target size and seed.
func setBloomFPP(h osdmap.HitSetParams, fpp float64) osdmap.HitSetParams {
	var target, seed uint64
	if len(h.Impl) >= 26 {
		d := encoding.NewDecoder(h.Impl)
		st := d.Start(1)
		d.U32()
		target, seed = d.U64(), d.U64()
		d.End(st)
		if d.Err() != nil {
			target, seed = 0, 0
		}
	}
	var e encoding.Encoder
	m := e.Start(1, 1)
	e.U32(uint32(roundMicro(fpp)))
	e.U64(target)
	e.U64(seed)
	e.End(m)
	return osdmap.HitSetParams{Type: osdmap.HitSetBloom, Impl: e.Bytes()}
}
