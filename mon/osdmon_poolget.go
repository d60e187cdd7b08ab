package mon

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// `osd pool get POOL VAR|all`, as OSDMonitor::preprocess_command does it
// in Pacific.

// poolGetVars are the variables in the order of Pacific's
// osd_pool_get_choices enum, which is the order `all` lists them in.
var poolGetVars = []string{"size", "min_size", "pg_num", "pgp_num", "crush_rule", "hashpspool",
	"allow_ec_overwrites", "nodelete", "nopgchange", "nosizechange", "write_fadvise_dontneed", "noscrub",
	"nodeep-scrub", "hit_set_type", "hit_set_period", "hit_set_count", "hit_set_fpp", "use_gmt_hitset",
	"target_max_objects", "target_max_bytes", "cache_target_dirty_ratio", "cache_target_dirty_high_ratio",
	"cache_target_full_ratio", "cache_min_flush_age", "cache_min_evict_age", "erasure_code_profile",
	"min_read_recency_for_promote", "min_write_recency_for_promote", "fast_read", "hit_set_grade_decay_rate",
	"hit_set_search_last_n", "scrub_min_interval", "scrub_max_interval", "deep_scrub_interval",
	"recovery_priority", "recovery_op_priority", "scrub_priority", "compression_mode", "compression_algorithm",
	"compression_required_ratio", "compression_max_blob_size", "compression_min_blob_size", "csum_type",
	"csum_max_block", "csum_min_block", "fingerprint_algorithm", "pg_autoscale_mode", "pg_num_min",
	"target_size_bytes", "target_size_ratio", "pg_autoscale_bias", "dedup_tier", "dedup_chunk_algorithm",
	"dedup_cdc_chunk_size", "pg_num_max", "bulk"}

// poolGetTierVars are the variables only a cache tier reports: the ones
// only a tier may set, but for use_gmt_hitset.
var poolGetTierVars = slices.DeleteFunc(slices.Clone(poolTierVars), func(k string) bool { return k == "use_gmt_hitset" })

// poolErasureVars only an erasure-coded pool has.
var poolErasureVars = []string{"allow_ec_overwrites", "erasure_code_profile"}

// poolGetFlags are the flags `osd pool get` reports as booleans.
var poolGetFlags = map[string]osdmap.PoolFlag{
	"hashpspool": osdmap.PoolFlagHashPSPool, "allow_ec_overwrites": osdmap.PoolFlagECOverwrites,
	"nodelete": osdmap.PoolFlagNoDelete, "nopgchange": osdmap.PoolFlagNoPGChange,
	"nosizechange": osdmap.PoolFlagNoSizeChange, "write_fadvise_dontneed": osdmap.PoolFlagWriteFadviseDontNeed,
	"noscrub": osdmap.PoolFlagNoScrub, "nodeep-scrub": osdmap.PoolFlagNoDeepScrub, "bulk": osdmap.PoolFlagBulk,
}

// poolGetField is one reported value: its JSON key and value, and its
// text form.
type poolGetField struct {
	k    string
	json any
	text string
	// jsonOnly fields are left out of the text form.
	jsonOnly bool
}

// poolGet is `osd pool get POOL VAR`.
func (s *osdMon) poolGet(req *request, f string) {
	m := s.osdmap
	name, _ := req.str("pool")
	key, _ := req.str("var")
	id, ok := m.LookupPool(name)
	if !ok {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("unrecognized pool '%s'", name), nil)
		return
	}
	p := m.Pools[id]
	var keys []string
	if key == "all" {
		for _, k := range poolGetVars {
			if (!p.IsTier() && slices.Contains(poolGetTierVars, k)) || (!p.IsErasure() && slices.Contains(poolErasureVars, k)) {
				continue
			}
			keys = append(keys, k)
		}
	} else {
		switch {
		case !slices.Contains(poolGetVars, key):
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("pool '%s': invalid variable: '%s'", name, key), nil)
			return
		case !p.IsTier() && slices.Contains(poolGetTierVars, key):
			req.respond(errno(syscall.EACCES), fmt.Sprintf("pool '%s' is not a tier pool: variable not applicable", name), nil)
			return
		case !p.IsErasure() && slices.Contains(poolErasureVars, key):
			req.respond(errno(syscall.EACCES), fmt.Sprintf("pool '%s' is not a erasure pool: variable not applicable", name), nil)
			return
		}
		if k, ok := osdmap.PoolOptByName(key); ok {
			if _, set := p.Opts.Get(k); !set {
				req.respond(errno(syscall.ENOENT), fmt.Sprintf("option '%s' is not set on pool '%s'", key, name), nil)
				return
			}
		}
		keys = []string{key}
	}
	var fields []poolGetField
	for _, k := range keys {
		fs, err := s.poolGetValue(m, p, k)
		if err != nil {
			if key == "all" {
				continue
			}
			req.respond(errno(syscall.EINVAL), err.Error(), nil)
			return
		}
		fields = append(fields, fs...)
	}
	if isJSON(f) {
		o := newOrderedObject()
		o.set("pool", name)
		o.set("pool_id", id)
		for _, v := range fields {
			o.set(v.k, v.json)
		}
		req.replyJSON(0, "", o, f)
		return
	}
	var b strings.Builder
	for _, v := range fields {
		if !v.jsonOnly {
			fmt.Fprintf(&b, "%s: %s\n", v.k, v.text)
		}
	}
	req.respond(0, "", []byte(b.String()))
}

// poolGetValue is what `osd pool get` reports for one variable: nothing
// for an option that is not set, two JSON keys for the cache ratios
// (their text shows the ratio only, which the second field carries).
func (s *osdMon) poolGetValue(m *osdmap.OSDMap, p *osdmap.PGPool, k string) ([]poolGetField, error) {
	one := func(json any, text string) ([]poolGetField, error) {
		return []poolGetField{{k: k, json: json, text: text}}, nil
	}
	u := func(v uint64) ([]poolGetField, error) { return one(v, strconv.FormatUint(v, 10)) }
	ratio := func(micro uint32) ([]poolGetField, error) {
		r := float32(micro) / 1000000
		return []poolGetField{{k + "_micro", uint64(micro), "", true}, {k, cephFloat(r), ostreamFloat(float64(r)), false}}, nil
	}
	if flag, ok := poolGetFlags[k]; ok {
		return one(p.HasFlag(flag), strconv.FormatBool(p.HasFlag(flag)))
	}
	switch k {
	case "size":
		return u(uint64(p.Size))
	case "min_size":
		return u(uint64(p.MinSize))
	case "pg_num":
		return u(uint64(p.PGNum))
	case "pgp_num":
		return u(uint64(p.PGPNum))
	case "crush_rule":
		name := strconv.Itoa(int(p.CrushRule))
		if cm, err := m.CrushMap(); err == nil {
			if n, ok := cm.RuleNames[int32(p.CrushRule)]; ok && int(p.CrushRule) < len(cm.Rules) && cm.Rules[p.CrushRule] != nil {
				name = n
			}
		}
		return one(name, name)
	case "pg_autoscale_mode":
		n := autoscaleModeName(p.PGAutoscaleMode)
		return one(n, n)
	case "hit_set_type":
		return one(p.HitSetParams.Type.String(), p.HitSetParams.Type.String())
	case "hit_set_period":
		return u(uint64(p.HitSetPeriod))
	case "hit_set_count":
		return u(uint64(p.HitSetCount))
	case "hit_set_fpp":
		fpp, ok := bloomFPP(p.HitSetParams)
		if !ok {
			return nil, fmt.Errorf("hit set is not of type Bloom; invalid to get a false positive rate!")
		}
		return one(cephFloat(fpp), ostreamFloat(fpp))
	case "use_gmt_hitset":
		return one(p.UseGMTHitSet, boolDigit(p.UseGMTHitSet))
	case "target_max_objects":
		return u(p.TargetMaxObjects)
	case "target_max_bytes":
		return u(p.TargetMaxBytes)
	case "cache_target_dirty_ratio":
		return ratio(p.CacheTargetDirtyRatioMicro)
	case "cache_target_dirty_high_ratio":
		return ratio(p.CacheTargetDirtyHighRatioMicro)
	case "cache_target_full_ratio":
		return ratio(p.CacheTargetFullRatioMicro)
	case "cache_min_flush_age":
		return u(uint64(p.CacheMinFlushAge))
	case "cache_min_evict_age":
		return u(uint64(p.CacheMinEvictAge))
	case "erasure_code_profile":
		return one(p.ErasureCodeProfile, p.ErasureCodeProfile)
	case "min_read_recency_for_promote":
		return u(uint64(p.MinReadRecencyForPromote))
	case "min_write_recency_for_promote":
		return u(uint64(p.MinWriteRecencyForPromote))
	case "fast_read":
		// Dumped as an int, where the flags are bools.
		d := boolDigit(p.FastRead)
		n, _ := strconv.Atoi(d)
		return one(n, d)
	case "hit_set_grade_decay_rate":
		return u(uint64(p.HitSetGradeDecayRate))
	case "hit_set_search_last_n":
		return u(uint64(p.HitSetSearchLastN))
	}
	ok, found := osdmap.PoolOptByName(k)
	if !found {
		return nil, fmt.Errorf("pool variable '%s' is unknown", k)
	}
	o, set := p.Opts.Get(ok)
	if !set {
		return nil, nil
	}
	if ok == osdmap.OptCSumType {
		n := csumTypeName(o.Int)
		return one(n, n)
	}
	text := o.Str
	switch o.Type {
	case osdmap.PoolOptInt:
		text = strconv.FormatInt(o.Int, 10)
	case osdmap.PoolOptDouble:
		text = ostreamFloat(o.Double)
	}
	return one(poolOptValue(o), text)
}

// boolDigit is a bool as an ostream prints it.
func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// bloomFPP is BloomHitSet::Params::get_fpp: the false positive rate in
// millionths, the first field of the bloom parameters' versioned struct
// (after its 6-byte header).
func bloomFPP(h osdmap.HitSetParams) (float64, bool) {
	if h.Type != osdmap.HitSetBloom || len(h.Impl) < 10 {
		return 0, false
	}
	return float64(binary.LittleEndian.Uint32(h.Impl[6:10])) / 1000000, true
}
