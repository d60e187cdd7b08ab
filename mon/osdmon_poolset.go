package mon

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"syscall"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/crush"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// `osd pool set POOL VAR VAL`, as OSDMonitor::prepare_command_pool_set
// (src/mon/OSDMonitor.cc) does it in Pacific: the same checks in the same
// order, the same errnos and texts.

// poolSetVal is the value of `osd pool set` parsed every way Ceph parses
// it up front: as an integer (with SI or IEC units for some variables) and
// as a double, keeping each parser's error for the variables that need
// that form.
type poolSetVal struct {
	s        string
	n        int64
	intErr   error
	f        float64
	floatErr error
	// uf is f in millionths, rounded as llrintl does.
	uf int64
}

// poolSetSIVars take an SI count ("10K"), poolSetIECVars an IEC size
// ("4M"); the others an integer and a double.
var (
	poolSetSIVars  = []string{"target_max_objects"}
	poolSetIECVars = []string{"target_max_bytes", "target_size_bytes", "compression_max_blob_size",
		"compression_min_blob_size", "csum_max_block", "csum_min_block"}
)

func parsePoolSetVal(key, val string) poolSetVal {
	v := poolSetVal{s: val}
	switch {
	case slices.Contains(poolSetSIVars, key):
		v.n, v.intErr = conf.StrictSICastInt64(val)
	case slices.Contains(poolSetIECVars, key):
		v.n, v.intErr = conf.StrictIECCastInt64(val)
	default:
		v.n, v.intErr = conf.StrictStrtoll(val)
		v.f, v.floatErr = conf.StrictStrtod(val)
		v.uf = roundMicro(v.f)
	}
	return v
}

// roundMicro is llrintl(f * 1000000.0): millionths, rounded to nearest
// even as the default rounding mode does.
func roundMicro(f float64) int64 { return int64(math.RoundToEven(f * 1000000)) }

// isTrue and isFalse are how the flag variables read a value: the word,
// or an integer 1 or 0.
func (v poolSetVal) isTrue() bool  { return v.s == "true" || (v.intErr == nil && v.n == 1) }
func (v poolSetVal) isFalse() bool { return v.s == "false" || (v.intErr == nil && v.n == 0) }

// poolTierVars are the variables that only a cache tier has.
var poolTierVars = []string{"hit_set_type", "hit_set_period", "hit_set_count", "hit_set_fpp",
	"target_max_objects", "target_max_bytes", "cache_target_full_ratio", "cache_target_dirty_ratio",
	"cache_target_dirty_high_ratio", "use_gmt_hitset", "cache_min_flush_age", "cache_min_evict_age",
	"hit_set_grade_decay_rate", "hit_set_search_last_n", "min_read_recency_for_promote",
	"min_write_recency_for_promote"}

// poolSetFlags are the pool flags set with "true"/"false"/1/0.
var poolSetFlags = map[string]osdmap.PoolFlag{
	"nodelete": osdmap.PoolFlagNoDelete, "nopgchange": osdmap.PoolFlagNoPGChange,
	"nosizechange": osdmap.PoolFlagNoSizeChange, "write_fadvise_dontneed": osdmap.PoolFlagWriteFadviseDontNeed,
	"noscrub": osdmap.PoolFlagNoScrub, "nodeep-scrub": osdmap.PoolFlagNoDeepScrub, "bulk": osdmap.PoolFlagBulk,
}

const expectBool = "expecting value 'true', 'false', '0', or '1'"

func (s *osdMon) poolSet(req *request) {
	name, _ := req.str("pool")
	id, p, ok := s.pendingPool(name)
	if !ok {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("unrecognized pool '%s'", name), nil)
		return
	}
	key, _ := req.str("var")
	val := req.strOr("val", "")
	r, rs, changed := s.preparePoolSet(req, name, id, p, key, parsePoolSetVal(key, val))
	if r < 0 {
		if rs == "" {
			rs = cppStrerror(syscall.Errno(-r))
		}
		req.respond(r, rs, nil)
		return
	}
	if changed {
		s.putPool(id, p)
		if val != "unset" {
			rs = fmt.Sprintf("set pool %d %s to %s", id, key, val)
		} else {
			rs = fmt.Sprintf("unset pool %d %s", id, key)
		}
	}
	// A no-op (pg_num already at its target) still goes through a
	// proposal, which makes an epoch, and answers with nothing, as
	// Ceph's does.
	s.pendingInc()
	s.commit(req, rs)
}

// preparePoolSet changes p as `osd pool set` asks. It returns a negative
// errno and a message to refuse, or 0 and whether p changed.
func (s *osdMon) preparePoolSet(req *request, name string, id int64, p *osdmap.PGPool, key string, v poolSetVal) (int, string, bool) {
	fail := func(e syscall.Errno, format string, a ...any) (int, string, bool) {
		return errno(e), fmt.Sprintf(format, a...), false
	}
	intErr := func(what string) (int, string, bool) {
		return fail(syscall.EINVAL, "error parsing %s '%s': %v", what, v.s, v.intErr)
	}
	if slices.Contains(poolTierVars, key) {
		if !p.IsTier() {
			return errno(syscall.EACCES), "", false
		}
		return s.poolSetTier(p, key, v)
	}
	switch key {
	case "size":
		return s.poolSetSize(req, id, p, v)
	case "min_size":
		if p.HasFlag(osdmap.PoolFlagNoSizeChange) {
			return fail(syscall.EPERM, "pool min size change is disabled; you must unset nosizechange flag for the pool first")
		}
		if v.intErr != nil {
			return intErr("integer value")
		}
		lo := int64(1)
		if p.IsErasure() {
			k, err := s.ecDataChunks(p)
			if err != nil {
				return fail(syscall.EINVAL, "prepare_command_pool_set get_erasure_code failed: %v", err)
			}
			lo = int64(k)
		}
		if v.n < lo || v.n > int64(p.Size) {
			return fail(syscall.EINVAL, "pool min_size must be between %d and size, which is set to %d", lo, p.Size)
		}
		p.MinSize = uint8(v.n)
	case "pg_num_actual":
		return s.poolSetPGNumActual(p, v)
	case "pg_num":
		return s.poolSetPGNum(req, id, p, v)
	case "pgp_num_actual", "pgp_num":
		if p.HasFlag(osdmap.PoolFlagNoPGChange) {
			return fail(syscall.EPERM, "pool pgp_num change is disabled; you must unset nopgchange flag for the pool first")
		}
		if v.intErr != nil {
			return intErr("integer value")
		}
		if v.n <= 0 {
			return fail(syscall.EINVAL, "specified pgp_num must > 0, but you set to %d", v.n)
		}
		if key == "pgp_num" {
			if v.n > int64(p.PGNumTarget) {
				return fail(syscall.EINVAL, "specified pgp_num %d > pg_num %d", v.n, p.PGNumTarget)
			}
			p.PGPNumTarget = uint32(v.n)
			break
		}
		if v.n > int64(p.PGNum) {
			return fail(syscall.EINVAL, "specified pgp_num %d > pg_num %d", v.n, p.PGNum)
		}
		if v.n > int64(p.PGNumPending) {
			return fail(syscall.EINVAL, "specified pgp_num %d > pg_num_pending %d", v.n, p.PGNumPending)
		}
		p.PGPNum = uint32(v.n)
	case "pg_autoscale_mode":
		m, ok := autoscaleModeByName(v.s)
		if !ok {
			return fail(syscall.EINVAL, "specified invalid mode %s", v.s)
		}
		p.PGAutoscaleMode = m
	case "crush_rule":
		cm, err := s.pendingOSDMap().CrushMap()
		if err != nil {
			return fail(syscall.EIO, "%v", err)
		}
		r, ok := cm.RuleID(v.s)
		if !ok {
			return fail(syscall.ENOENT, "crush rule %s does not exist", v.s)
		}
		if msg, ok := checkCrushRule(cm, r, p); !ok {
			return errno(syscall.EINVAL), msg, false
		}
		p.CrushRule = uint8(r)
	case "nodelete", "nopgchange", "nosizechange", "write_fadvise_dontneed", "noscrub", "nodeep-scrub", "bulk":
		if !setFlag(p, poolSetFlags[key], v) {
			return fail(syscall.EINVAL, expectBool)
		}
	case "hashpspool":
		if !req.bool("yes_i_really_mean_it") {
			return fail(syscall.EPERM, "are you SURE?  this will remap all placement groups in this pool,"+
				" this triggers large data movement, pass --yes-i-really-mean-it if you really do.")
		}
		if !setFlag(p, osdmap.PoolFlagHashPSPool, v) {
			return fail(syscall.EINVAL, expectBool)
		}
	case "allow_ec_overwrites":
		if !p.IsErasure() {
			return fail(syscall.EINVAL, "ec overwrites can only be enabled for an erasure coded pool")
		}
		if !s.opts.noBluestoreECOverwrites {
			if msg, ok := s.poolAllBluestore(id, p); !ok {
				return fail(syscall.EINVAL, "pool must only be stored on bluestore for scrubbing to work: %s", msg)
			}
		}
		switch {
		case v.isTrue():
			p.Flags |= osdmap.PoolFlagECOverwrites
		case v.isFalse():
			return fail(syscall.EINVAL, "ec overwrites cannot be disabled once enabled")
		default:
			return fail(syscall.EINVAL, expectBool)
		}
	case "fast_read":
		if !p.IsErasure() {
			return fail(syscall.EINVAL, "fast read is not supported in replication pool")
		}
		switch {
		case v.isTrue():
			p.FastRead = true
		case v.isFalse():
			p.FastRead = false
		default:
			return fail(syscall.EINVAL, expectBool)
		}
	default:
		k, ok := osdmap.PoolOptByName(key)
		if !ok {
			return fail(syscall.EINVAL, "unrecognized variable '%s'", key)
		}
		return s.poolSetOpt(name, p, k, v)
	}
	return 0, "", true
}

// setFlag sets or clears a flag as the value says, or reports that the
// value is neither.
func setFlag(p *osdmap.PGPool, f osdmap.PoolFlag, v poolSetVal) bool {
	switch {
	case v.isTrue():
		p.Flags |= f
	case v.isFalse():
		p.Flags &^= f
	default:
		return false
	}
	return true
}

func (s *osdMon) poolSetSize(req *request, id int64, p *osdmap.PGPool, v poolSetVal) (int, string, bool) {
	if p.HasFlag(osdmap.PoolFlagNoSizeChange) {
		return errno(syscall.EPERM), "pool size change is disabled; you must unset nosizechange flag for the pool first", false
	}
	if p.IsErasure() {
		return errno(syscall.EOPNOTSUPP), "can not change the size of an erasure-coded pool", false
	}
	if v.intErr != nil {
		return errno(syscall.EINVAL), fmt.Sprintf("error parsing integer value '%s': %v", v.s, v.intErr), false
	}
	if v.n <= 0 || v.n > 10 {
		return errno(syscall.EINVAL), "pool size must be between 1 and 10", false
	}
	if v.n == 1 {
		if !s.opts.allowPoolSizeOne {
			return errno(syscall.EPERM), "configuring pool size as 1 is disabled by default.", false
		}
		if !req.bool("yes_i_really_mean_it") {
			return errno(syscall.EPERM), "WARNING: setting pool size 1 could lead to data loss without recovery. " +
				"If you are *ABSOLUTELY CERTAIN* that is what you want, pass the flag --yes-i-really-mean-it.", false
		}
	}
	if cm, err := s.pendingOSDMap().CrushMap(); err == nil {
		if r := int(p.CrushRule); r >= len(cm.Rules) || cm.Rules[r] == nil || cm.Rules[r].Type != crush.RuleType(p.Type) {
			return errno(syscall.EINVAL), fmt.Sprintf("crush rule %d type does not match pool", p.CrushRule), false
		}
	}
	if v.n > int64(p.Size) {
		if err := s.checkPGNum(id, uint64(p.PGNum), uint64(v.n)); err != nil {
			return errno(syscall.ERANGE), err.Error(), false
		}
	}
	p.Size = uint8(v.n)
	p.MinSize = uint8(s.opts.defaultMinSize(uint64(p.Size)))
	return 0, "", true
}

// defaultMinSize is md_config_t::get_osd_pool_default_min_size: the
// configured default within size, or a majority of size.
func (o osdOptions) defaultMinSize(size uint64) uint64 {
	if o.poolDefaultMinSize != 0 {
		return min(o.poolDefaultMinSize, size)
	}
	return size - size/2
}

func (s *osdMon) poolSetPGNumActual(p *osdmap.PGPool, v poolSetVal) (int, string, bool) {
	if p.HasFlag(osdmap.PoolFlagNoPGChange) {
		return errno(syscall.EPERM), "pool pg_num change is disabled; you must unset nopgchange flag for the pool first", false
	}
	if v.intErr != nil {
		return errno(syscall.EINVAL), fmt.Sprintf("error parsing integer value '%s': %v", v.s, v.intErr), false
	}
	if v.n == int64(p.PGNum) {
		return 0, "", false
	}
	if uint64(v.n) > s.opts.maxPoolPGNum {
		return errno(syscall.ERANGE), s.pgNumRangeMsg(), false
	}
	if p.HasFlag(osdmap.PoolFlagCreating) {
		return errno(syscall.EBUSY), "cannot adjust pg_num while initial PGs are being created", false
	}
	epoch := s.pendingInc().Epoch
	if v.n > int64(p.PGNum) {
		if p.PGNum != p.PGNumPending {
			p.LastForceOpResendPrenautilus = epoch
		}
		p.PGNum = uint32(v.n)
	} else {
		if v.n < int64(p.PGPNum) {
			return errno(syscall.EINVAL), fmt.Sprintf("specified pg_num %d < pgp_num %d", v.n, p.PGPNum), false
		}
		if v.n < int64(p.PGNum)-1 {
			return errno(syscall.EINVAL), fmt.Sprintf("specified pg_num %d < pg_num (%d) - 1; only single pg decrease is currently supported",
				v.n, p.PGNum), false
		}
		p.PGNumPending = uint32(v.n)
		p.LastForceOpResendPrenautilus = epoch
	}
	p.LastForceOpResendPreluminous = epoch
	return 0, "", true
}

func (s *osdMon) pgNumRangeMsg() string {
	return fmt.Sprintf("'pg_num' must be greater than 0 and less than or equal to %d (you may adjust 'mon max pool pg num' for higher values)",
		s.opts.maxPoolPGNum)
}

// poolSetPGNum sets the target the manager walks pg_num to (Nautilus and
// later); pgp_num's target follows when it tracked pg_num's.
func (s *osdMon) poolSetPGNum(req *request, id int64, p *osdmap.PGPool, v poolSetVal) (int, string, bool) {
	if p.HasFlag(osdmap.PoolFlagNoPGChange) {
		return errno(syscall.EPERM), "pool pg_num change is disabled; you must unset nopgchange flag for the pool first", false
	}
	if v.intErr != nil {
		return errno(syscall.EINVAL), fmt.Sprintf("error parsing integer value '%s': %v", v.s, v.intErr), false
	}
	if v.n == int64(p.PGNumTarget) {
		return 0, "", false
	}
	if v.n <= 0 || uint64(v.n) > s.opts.maxPoolPGNum {
		return errno(syscall.ERANGE), s.pgNumRangeMsg(), false
	}
	if v.n > int64(p.PGNumTarget) {
		if err := s.checkPGNum(id, uint64(v.n), uint64(p.Size)); err != nil {
			return errno(syscall.ERANGE), err.Error(), false
		}
		if p.CacheMode != 0 && !req.bool("yes_i_really_mean_it") {
			return errno(syscall.EPERM), "splits in cache pools must be followed by scrubs and leave sufficient free space " +
				"to avoid overfilling.  use --yes-i-really-mean-it to force.", false
		}
	}
	if o, ok := p.Opts.Get(osdmap.OptPGNumMin); ok && o.Int != 0 && v.n < o.Int {
		return errno(syscall.EINVAL), fmt.Sprintf("specified pg_num %d < pg_num_min %d", v.n, o.Int), false
	}
	if o, ok := p.Opts.Get(osdmap.OptPGNumMax); ok && o.Int != 0 && v.n > o.Int {
		// Ceph's text says "<" here too.
		return errno(syscall.EINVAL), fmt.Sprintf("specified pg_num %d < pg_num_max %d", v.n, o.Int), false
	}
	if p.PGNumTarget == p.PGPNumTarget {
		p.PGPNumTarget = uint32(v.n)
	}
	p.PGNumTarget = uint32(v.n)
	return 0, "", true
}

// checkCrushRule is CrushWrapper::check_crush_rule: a rule of the pool's
// type whose size range holds the pool's size. A rule of another type
// fails with no message.
func checkCrushRule(cm *crush.CrushMap, rule int, p *osdmap.PGPool) (string, bool) {
	r := cm.Rules[rule]
	if r == nil || r.Type != crush.RuleType(p.Type) {
		return "", false
	}
	switch {
	case p.Size < r.MinSize:
		return "pool size is smaller than the crush rule min size", false
	case p.Size > r.MaxSize:
		return "pool size is bigger than the crush rule max size", false
	}
	return "", true
}

// ecDataChunks is k, the data chunk count of an erasure-coded pool's
// profile (what get_data_chunk_count says for jerasure).
func (s *osdMon) ecDataChunks(p *osdmap.PGPool) (int, error) {
	prof, ok := s.pendingOSDMap().ErasureCodeProfiles[p.ErasureCodeProfile]
	if !ok {
		return 0, fmt.Errorf("no erasure code profile %s", p.ErasureCodeProfile)
	}
	k, err := strconv.Atoi(prof["k"])
	if err != nil || k < 1 {
		return 0, fmt.Errorf("erasure code profile %s has no valid k", p.ErasureCodeProfile)
	}
	return k, nil
}

// poolAllBluestore is is_pool_currently_all_bluestore: the up OSDs of
// the pool's first eight PGs in the committed map must have reported
// "bluestore" as their objectstore, or reported no metadata at all.
func (s *osdMon) poolAllBluestore(id int64, p *osdmap.PGPool) (string, bool) {
	m := s.osdmap
	if _, ok := m.Pools[id]; !ok {
		return "", true
	}
	mp, err := m.NewMapper()
	if err != nil {
		return "", true
	}
	checked := map[int32]bool{}
	for ps := uint32(0); ps < min(8, m.Pools[id].PGNum); ps++ {
		for _, o := range mp.Map(osdmap.PG{Pool: uint64(id), Seed: ps}).Up {
			if checked[o] {
				continue
			}
			typ, ok := s.osdObjectstore(o)
			if !ok || typ == "bluestore" {
				checked[o] = true
				continue
			}
			return fmt.Sprintf("osd.%d uses %s", o, typ), false
		}
	}
	return "", true
}

// osdObjectstore is get_osd_objectstore_type: the "osd_objectstore" an
// OSD reported at boot.
func (s *osdMon) osdObjectstore(o int32) (string, bool) {
	b, err := s.m.store.Get(osdMetadataPrefix, strconv.Itoa(int(o)))
	if err != nil {
		return "", false
	}
	d := encoding.NewDecoder(b)
	md := encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
	if d.Err() != nil {
		return "", false
	}
	t, ok := md["osd_objectstore"]
	return t, ok
}

// autoscaleModeByName is pg_pool_t::get_pg_autoscale_mode_by_name.
func autoscaleModeByName(s string) (uint8, bool) {
	for _, m := range []uint8{osdmap.AutoscaleOff, osdmap.AutoscaleWarn, osdmap.AutoscaleOn} {
		if autoscaleModeName(m) == s {
			return m, true
		}
	}
	return 0, false
}
