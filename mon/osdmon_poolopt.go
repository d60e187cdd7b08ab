package mon

import (
	"fmt"
	"slices"
	"syscall"

	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// Pool options (pool_opts_t) through `osd pool set` and `osd pool get`,
// as prepare_command_pool_set and preprocess_command do them in Pacific.

// osdPoolPriorityMin and osdPoolPriorityMax bound a pool's
// recovery_priority (OSD_POOL_PRIORITY_MIN/MAX, src/osd/osd_types.h).
const (
	osdPoolPriorityMin = -10
	osdPoolPriorityMax = 10
)

// compressionModes and compressionAlgorithms are the names
// Compressor::get_comp_mode_type and get_comp_alg_type know in Debian's
// Pacific build (no brotli).
var (
	compressionModes      = []string{"none", "passive", "aggressive", "force"}
	compressionAlgorithms = []string{"none", "snappy", "zlib", "zstd", "lz4"}
)

// csumTypes are Checksummer's CSUM_* values by name.
var csumTypes = map[string]int64{"none": 1, "xxhash32": 2, "xxhash64": 3, "crc32c": 4, "crc32c_16": 5, "crc32c_8": 6}

// csumTypeName is Checksummer::get_csum_type_string.
func csumTypeName(t int64) string {
	for n, v := range csumTypes {
		if v == t {
			return n
		}
	}
	return "???"
}

// poolSetOpt sets or unsets one pool option; "unset" (or a zero number)
// removes it.
func (s *osdMon) poolSetOpt(poolName string, p *osdmap.PGPool, k osdmap.PoolOptKey, v poolSetVal) (int, string, bool) {
	fail := func(e syscall.Errno, format string, a ...any) (int, string, bool) {
		return errno(e), fmt.Sprintf(format, a...), false
	}
	unset := v.s == "unset"
	intVal := func() (int, string, bool) {
		return fail(syscall.EINVAL, "error parsing int value '%s': %v", v.s, v.intErr)
	}
	switch k {
	case osdmap.OptCompressionMode:
		if !unset && !slices.Contains(compressionModes, v.s) {
			return fail(syscall.EINVAL, "unrecognized compression mode '%s'", v.s)
		}
	case osdmap.OptCompressionAlgorithm:
		if !unset && !slices.Contains(compressionAlgorithms, v.s) {
			return fail(syscall.EINVAL, "unrecognized compression_algorithm '%s'", v.s)
		}
	case osdmap.OptCompressionRequiredRatio:
		if v.floatErr != nil {
			return fail(syscall.EINVAL, "error parsing float value '%s': %v", v.s, v.floatErr)
		}
		if v.f < 0 || v.f > 1 {
			return fail(syscall.EINVAL, "compression_required_ratio is out of range (0-1): '%s'", v.s)
		}
	case osdmap.OptCSumType:
		t := int64(0)
		if !unset {
			var ok bool
			if t, ok = csumTypes[v.s]; !ok {
				return fail(syscall.EINVAL, "unrecognized csum_type '%s'", v.s)
			}
		}
		v.n, v.intErr = t, nil
	case osdmap.OptCompressionMaxBlobSize, osdmap.OptCompressionMinBlobSize, osdmap.OptCSumMaxBlock,
		osdmap.OptCSumMinBlock, osdmap.OptPGNumMin, osdmap.OptPGNumMax, osdmap.OptRecoveryPriority,
		osdmap.OptDedupCDCChunkSize:
		if v.intErr != nil {
			return intVal()
		}
		switch {
		case k == osdmap.OptPGNumMin && v.n > int64(p.PGNumTarget):
			return fail(syscall.EINVAL, "specified pg_num_min %d > pg_num %d", v.n, p.PGNumTarget)
		case k == osdmap.OptPGNumMax && v.n != 0 && v.n < int64(p.PGNumTarget):
			return fail(syscall.EINVAL, "specified pg_num_max %d < pg_num %d", v.n, p.PGNumTarget)
		case k == osdmap.OptRecoveryPriority && !s.opts.anyPoolPriority &&
			(v.n > osdPoolPriorityMax || v.n < osdPoolPriorityMin):
			return fail(syscall.EINVAL, "pool recovery_priority must be between %d and %d", osdPoolPriorityMin, osdPoolPriorityMax)
		}
	case osdmap.OptTargetSizeBytes:
		if v.intErr != nil {
			return fail(syscall.EINVAL, "error parsing unit value '%s': %v", v.s, v.intErr)
		}
	case osdmap.OptTargetSizeRatio:
		if v.f < 0 {
			return fail(syscall.EINVAL, "target_size_ratio cannot be negative")
		}
	case osdmap.OptPGAutoscaleBias:
		if v.f < 0 || v.f > 1000 {
			return fail(syscall.EINVAL, "pg_autoscale_bias must be between 0 and 1000")
		}
	case osdmap.OptDedupTier:
		// A pool name, stored as the pool's id.
		if v.intErr == nil {
			return fail(syscall.EINVAL, "expecting value 'pool name'")
		}
		if p.IsErasure() {
			return fail(syscall.EOPNOTSUPP, "pool '%s' is an ec pool, which cannot be a base tier", poolName)
		}
		low, ok := s.osdmap.LookupPool(v.s)
		if !ok {
			return fail(syscall.ENOENT, "unrecognized pool '%s'", v.s)
		}
		v.n, v.intErr = low, nil
	}
	switch osdmap.PoolOptTypeOf(k) {
	case osdmap.PoolOptStr:
		if unset {
			p.Opts.Unset(k)
		} else {
			p.Opts.Set(osdmap.PoolOpt{Key: k, Type: osdmap.PoolOptStr, Str: v.s})
		}
	case osdmap.PoolOptInt:
		if v.intErr != nil {
			return fail(syscall.EINVAL, "error parsing integer value '%s': %v", v.s, v.intErr)
		}
		if v.n == 0 {
			p.Opts.Unset(k)
		} else {
			p.Opts.Set(osdmap.PoolOpt{Key: k, Type: osdmap.PoolOptInt, Int: v.n})
		}
	case osdmap.PoolOptDouble:
		if v.floatErr != nil {
			return fail(syscall.EINVAL, "error parsing floating point value '%s': %v", v.s, v.floatErr)
		}
		if v.f == 0 {
			p.Opts.Unset(k)
		} else {
			p.Opts.Set(osdmap.PoolOpt{Key: k, Type: osdmap.PoolOptDouble, Double: v.f})
		}
	}
	return 0, "", true
}
