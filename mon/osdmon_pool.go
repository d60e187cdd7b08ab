package mon

import (
	"fmt"
	"strconv"
	"syscall"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/crush"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// Pool commands (OSDMonitor::prepare_command_pool_* and prepare_new_pool).

// crushItemNone is CRUSH_ITEM_NONE, pg_pool_t's "no mandatory member".
const crushItemNone = 0x7fffffff

func (s *osdMon) poolCommand(req *request) bool {
	switch req.prefix {
	case "osd pool create":
		s.poolCreate(req)
	case "osd pool rm", "osd pool delete":
		s.poolRemove(req)
	case "osd pool rename":
		s.poolRename(req)
	case "osd pool set":
		s.poolSet(req)
	case "osd pool set-quota":
		s.poolSetQuota(req)
	case "osd pool application enable":
		s.poolAppEnable(req)
	default:
		return false
	}
	return true
}

// commit proposes the pending incremental and answers req once it is
// committed.
func (s *osdMon) commit(req *request, rs string) {
	s.m.proposeReply(req, 0, rs, nil)
}

// pendingPool returns a copy of a pool as the pending map has it, for a
// command to change and store with putPool.
func (s *osdMon) pendingPool(name string) (int64, *osdmap.PGPool, bool) {
	pm := s.pendingOSDMap()
	id, ok := pm.LookupPool(name)
	if !ok {
		return 0, nil, false
	}
	return id, pm.Pools[id].Clone(), true
}

func (s *osdMon) putPool(id int64, p *osdmap.PGPool) {
	inc := s.pendingInc()
	p.LastChange = inc.Epoch
	if inc.NewPools == nil {
		inc.NewPools = map[int64]*osdmap.PGPool{}
	}
	inc.NewPools[id] = p
}

// checkPGNum is OSDMonitor::check_pg_num: the PGs per OSD a pool would
// add, counted over at least three OSDs, must stay within
// mon_max_pg_per_osd.
func (s *osdMon) checkPGNum(pool int64, pgNum, size uint64) error {
	m := s.pendingOSDMap()
	_, _, in := m.Counts()
	osds := uint64(max(in, 3))
	var projected uint64
	for id, p := range m.Pools {
		if id == pool {
			continue
		}
		projected += uint64(p.PGNumTarget) * uint64(p.Size)
	}
	projected += pgNum * size
	maxPGs := s.opts.maxPGPerOSD * osds
	if projected > maxPGs {
		return fmt.Errorf("pg_num %d size %d would mean %d total pgs, which exceeds max %d (mon_max_pg_per_osd %d * num_in_osds %d)",
			pgNum, size, projected, maxPGs, s.opts.maxPGPerOSD, osds)
	}
	return nil
}

func (s *osdMon) poolCreate(req *request) {
	name, _ := req.str("pool")
	pm := s.pendingOSDMap()
	if _, ok := pm.LookupPool(name); ok {
		req.respond(0, fmt.Sprintf("pool '%s' already exists", name), nil)
		return
	}
	pgNum, _ := req.int("pg_num")
	if pgNum <= 0 {
		pgNum = int64(s.opts.poolDefaultPGNum)
	}
	pgpNum, _ := req.int("pgp_num")
	if pgpNum <= 0 {
		pgpNum = pgNum
	}
	if pgpNum > pgNum {
		req.respond(errno(syscall.ERANGE), fmt.Sprintf("'pgp_num' must be greater than 0 and lower or equal than 'pg_num', which in this case is %d", pgNum), nil)
		return
	}
	if uint64(pgNum) > s.opts.maxPoolPGNum {
		req.respond(errno(syscall.ERANGE), fmt.Sprintf("'pg_num' must be greater than 0 and less than or equal to %d (you may adjust 'mon max pool pg num' for higher values)", s.opts.maxPoolPGNum), nil)
		return
	}
	poolType := req.strOr("pool_type", s.opts.poolDefaultType)
	if poolType == "erasure" {
		s.ecPoolCreate(req, name, pgNum, pgpNum)
		return
	}
	cm, err := pm.CrushMap()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	rule := int(s.opts.poolDefaultCrushRule)
	ruleName := req.strOr("rule", "")
	if prof := req.strOr("erasure_code_profile", ""); prof != "" {
		// The CLI puts a replicated pool's rule where an erasure pool's
		// profile goes: `osd pool create P N N replicated RULE`.
		if ruleName != "" {
			req.respond(errno(syscall.EINVAL), "erasure_code_profile and rule can't be both specified for a replicated pool", nil)
			return
		}
		ruleName = prof
	}
	if rn := ruleName; rn != "" {
		r, ok := cm.RuleID(rn)
		if !ok {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("specified rule %s doesn't exist", rn), nil)
			return
		}
		rule = r
	} else if rule < 0 {
		rule = firstRule(cm, crush.RuleReplicated)
	}
	if rule < 0 || rule >= len(cm.Rules) || cm.Rules[rule] == nil {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("specified rule %d doesn't exist", rule), nil)
		return
	}
	size := s.opts.poolDefaultSize
	if n, ok := req.int("size"); ok && n > 0 {
		size = uint64(n)
	}
	minSize := s.opts.poolDefaultMinSize
	if minSize == 0 || minSize > size {
		minSize = size - size/2
	}
	if err := s.checkPGNum(-1, uint64(pgNum), size); err != nil {
		req.respond(errno(syscall.ERANGE), err.Error(), nil)
		return
	}
	p := s.newPool(req, osdmap.PoolReplicated, size, minSize, rule, pgNum, pgpNum)
	s.addPool(req, name, p)
}

// newPool is the part of prepare_new_pool common to every pool type.
func (s *osdMon) newPool(req *request, typ osdmap.PoolType, size, minSize uint64, rule int, pgNum, pgpNum int64) *osdmap.PGPool {
	inc := s.pendingInc()
	p := &osdmap.PGPool{
		Type: typ, Size: uint8(size), MinSize: uint8(minSize), CrushRule: uint8(rule),
		ObjectHash: crush.StrHashTypeRjenkins, PGNum: uint32(pgNum), PGPNum: uint32(pgpNum),
		PGNumTarget: uint32(pgNum), PGPNumTarget: uint32(pgpNum), PGNumPending: uint32(pgNum),
		LastChange: inc.Epoch, CreateTime: encoding.UTimeOf(s.now()),
		TierOf: -1, ReadTier: -1, WriteTier: -1,
		CacheTargetDirtyRatioMicro: 400000, CacheTargetDirtyHighRatioMicro: 600000, CacheTargetFullRatioMicro: 800000,
		UseGMTHitSet: true, PeeringCrushMandatory: crushItemNone,
		Flags: osdmap.PoolFlag(s.opts.poolDefaultFlags) | osdmap.PoolFlagCreating,
	}
	for _, f := range []struct {
		on   bool
		flag osdmap.PoolFlag
	}{{s.opts.poolFlagHashPSPool, osdmap.PoolFlagHashPSPool}, {s.opts.poolFlagNoDelete, osdmap.PoolFlagNoDelete},
		{s.opts.poolFlagNoPGChange, osdmap.PoolFlagNoPGChange}, {s.opts.poolFlagNoSizeChange, osdmap.PoolFlagNoSizeChange},
		{s.opts.poolFlagBulk || req.bool("bulk"), osdmap.PoolFlagBulk}} {
		if f.on {
			p.Flags |= f.flag
		}
	}
	if m, ok := autoscaleModeByName(req.strOr("autoscale_mode", s.opts.poolDefaultAutoscaleMode)); ok {
		p.PGAutoscaleMode = m
	} else {
		p.PGAutoscaleMode = osdmap.AutoscaleOn
	}
	return p
}

// addPool fills in what every new pool gets from the request and the
// options, and adds it to the pending incremental as pool_max+1.
func (s *osdMon) addPool(req *request, name string, p *osdmap.PGPool) {
	pm := s.pendingOSDMap()
	inc := s.pendingInc()
	id := int64(pm.PoolMax) + 1
	if n, ok := req.int("pg_num_min"); ok && n > 0 {
		p.Opts.Set(osdmap.PoolOpt{Key: osdmap.OptPGNumMin, Type: osdmap.PoolOptInt, Int: n})
	}
	if n, ok := req.int("pg_num_max"); ok && n > 0 {
		p.Opts.Set(osdmap.PoolOpt{Key: osdmap.OptPGNumMax, Type: osdmap.PoolOptInt, Int: n})
	}
	if n, ok := req.int("expected_num_objects"); ok {
		p.ExpectedNumObjects = uint64(n)
	}
	inc.NewPoolMax = id
	if inc.NewPools == nil {
		inc.NewPools = map[int64]*osdmap.PGPool{}
	}
	if inc.NewPoolNames == nil {
		inc.NewPoolNames = map[int64]string{}
	}
	inc.NewPools[id] = p
	inc.NewPoolNames[id] = name
	s.commit(req, fmt.Sprintf("pool '%s' created", name))
}

// firstRule is find_first_rule: the lowest rule id of a pool type.
func firstRule(cm *crush.CrushMap, t crush.RuleType) int {
	for i, r := range cm.Rules {
		if r != nil && r.Type == t {
			return i
		}
	}
	return -1
}

func (s *osdMon) poolRemove(req *request) {
	name, _ := req.str("pool")
	id, p, ok := s.pendingPool(name)
	if !ok {
		req.respond(0, fmt.Sprintf("pool '%s' does not exist", name), nil)
		return
	}
	if name2, _ := req.str("pool2"); name2 != name || !req.bool("yes_i_really_really_mean_it") {
		req.respond(errno(syscall.EPERM), fmt.Sprintf("WARNING: this will *PERMANENTLY DESTROY* all data stored in pool %s.  "+
			"If you are *ABSOLUTELY CERTAIN* that is what you want, pass the pool name *twice*, followed by "+
			"--yes-i-really-really-mean-it.", name), nil)
		return
	}
	if !s.opts.allowPoolDelete {
		req.respond(errno(syscall.EPERM), "pool deletion is disabled; you must first set the mon_allow_pool_delete "+
			"config option to true before you can destroy a pool", nil)
		return
	}
	if p.HasFlag(osdmap.PoolFlagNoDelete) {
		req.respond(errno(syscall.EPERM), fmt.Sprintf("pool deletion is disabled; you must unset nodelete flag for the pool first"), nil)
		return
	}
	inc := s.pendingInc()
	if inc.OldPools == nil {
		inc.OldPools = map[int64]struct{}{}
	}
	inc.OldPools[id] = struct{}{}
	delete(inc.NewPools, id)
	delete(inc.NewPoolNames, id)
	s.commit(req, fmt.Sprintf("pool '%s' removed", name))
}

func (s *osdMon) poolRename(req *request) {
	src, _ := req.str("srcpool")
	dst, _ := req.str("destpool")
	id, _, ok := s.pendingPool(src)
	if !ok {
		if _, _, ok := s.pendingPool(dst); ok {
			req.respond(0, fmt.Sprintf("pool '%s' does not exist; pool '%s' does -- assuming successful rename", src, dst), nil)
			return
		}
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("unrecognized pool '%s'", src), nil)
		return
	}
	if _, _, ok := s.pendingPool(dst); ok {
		req.respond(errno(syscall.EEXIST), fmt.Sprintf("pool '%s' already exists", dst), nil)
		return
	}
	inc := s.pendingInc()
	if inc.NewPoolNames == nil {
		inc.NewPoolNames = map[int64]string{}
	}
	inc.NewPoolNames[id] = dst
	s.commit(req, fmt.Sprintf("pool '%s' renamed to '%s'", src, dst))
}

func (s *osdMon) poolSetQuota(req *request) {
	name, _ := req.str("pool")
	field, _ := req.str("field")
	val, _ := req.str("val")
	id, p, ok := s.pendingPool(name)
	if !ok {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("unrecognized pool '%s'", name), nil)
		return
	}
	var n uint64
	var err error
	if field == "max_objects" {
		n, err = conf.StrictSICastUint64(val)
	} else {
		n, err = conf.StrictIECStrtoll(val)
	}
	if err != nil {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("error parsing value '%s': %v", val, err), nil)
		return
	}
	if field == "max_objects" {
		p.QuotaMaxObjects = n
	} else {
		p.QuotaMaxBytes = n
	}
	s.putPool(id, p)
	// Ceph prints the value it stored as an int64_t.
	s.commit(req, fmt.Sprintf("set-quota %s = %d for pool %s", field, int64(n), name))
}

func (s *osdMon) poolAppEnable(req *request) {
	name, _ := req.str("pool")
	app, _ := req.str("app")
	id, p, ok := s.pendingPool(name)
	if !ok {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("unrecognized pool '%s'", name), nil)
		return
	}
	if _, ok := p.ApplicationMetadata[app]; ok {
		req.respond(0, fmt.Sprintf("application '%s' already enabled on pool '%s'", app, name), nil)
		return
	}
	if len(p.ApplicationMetadata) > 0 && !req.bool("yes_i_really_mean_it") {
		req.respond(errno(syscall.EPERM), fmt.Sprintf("Are you SURE? Pool '%s' already has an enabled application; "+
			"pass --yes-i-really-mean-it to proceed anyway", name), nil)
		return
	}
	if p.ApplicationMetadata == nil {
		p.ApplicationMetadata = map[string]map[string]string{}
	}
	p.ApplicationMetadata[app] = map[string]string{}
	s.putPool(id, p)
	s.commit(req, fmt.Sprintf("enabled application '%s' on pool '%s'", app, name))
}

// ecPoolCreate is prepare_new_pool for an erasure-coded pool: the
// profile (default "default") gives size k+m and min_size
// k+min(1,m-1); the CRUSH rule is the one named, or one named after the
// pool, made from the profile's crush-root, crush-failure-domain and
// crush-device-class as the jerasure plugin's create_rule does (indep).
// A rule made here is committed before the pool, an epoch earlier, as
// in Ceph. The stripe width is k chunks of osd_pool_erasure_code_stripe_unit,
// which jerasure's chunk alignment (k*w*4 bytes) leaves unchanged for w=8.
func (s *osdMon) ecPoolCreate(req *request, name string, pgNum, pgpNum int64) {
	pm := s.pendingOSDMap()
	profName := req.strOr("erasure_code_profile", "default")
	prof, ok := pm.ErasureCodeProfiles[profName]
	if !ok {
		// Ceph looks the plugin up in an empty profile.
		req.respond(errno(syscall.EINVAL), "cannot determine the erasure code plugin because there is no 'plugin' "+
			"entry in the erasure_code_profile {}", nil)
		return
	}
	if pl := prof["plugin"]; pl != "" && pl != "jerasure" {
		req.respond(errno(syscall.EOPNOTSUPP), fmt.Sprintf("kelp-mon knows only the jerasure plugin, not %s", pl), nil)
		return
	}
	k, errK := strconv.Atoi(prof["k"])
	m, errM := strconv.Atoi(prof["m"])
	if errK != nil || errM != nil || k < 1 || m < 1 {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("erasure code profile %s needs positive k and m", profName), nil)
		return
	}
	if w := prof["w"]; w != "" && w != "8" {
		req.respond(errno(syscall.EOPNOTSUPP), "kelp-mon computes stripe widths for w=8 only", nil)
		return
	}
	cm, err := s.pendingCrush()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	ruleName := req.strOr("rule", "")
	if ruleName == "" {
		ruleName = name
		if profName == "default" {
			ruleName = "erasure-code"
		}
	}
	rule, exists := cm.RuleID(ruleName)
	if !exists {
		get := func(k, def string) string {
			if v, ok := prof[k]; ok && v != "" {
				return v
			}
			return def
		}
		rule, err = cm.AddSimpleRule(ruleName, get("crush-root", "default"), get("crush-failure-domain", "host"),
			get("crush-device-class", ""), "indep", crush.RuleErasure, -1)
		if err != nil {
			crushErr(req, err)
			return
		}
		// ErasureCode::create_rule: the rule serves exactly k+m shards.
		cm.Rules[rule].MaxSize = uint8(k + m)
		// As Ceph does, commit the rule first and then take the command
		// again (C_RetryMessage after -EAGAIN): the pool comes an epoch
		// later.
		s.setPendingCrush(cm)
		s.m.proposeAndThen(func() { s.ecPoolCreate(req, name, pgNum, pgpNum) })
		return
	} else if cm.Rules[rule].Type != crush.RuleErasure {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("rule %s is not an erasure rule", ruleName), nil)
		return
	}
	size := uint64(k + m)
	if err := s.checkPGNum(-1, uint64(pgNum), size); err != nil {
		req.respond(errno(syscall.ERANGE), err.Error(), nil)
		return
	}
	p := s.newPool(req, osdmap.PoolErasure, size, uint64(k+min(1, m-1)), rule, pgNum, pgpNum)
	p.ErasureCodeProfile = profName
	p.StripeWidth = uint32(k) * uint32(s.opts.ecStripeUnit)
	s.addPool(req, name, p)
}
