package mon

import (
	"maps"
	"strings"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
)

// osdMapMessageMax is osd_map_message_max's default: how many epochs
// one MOSDMap carries at most.
const osdMapMessageMax = 40

// osdOptions are the configuration options OSDMonitor reads (from the
// monitor's configuration, with Pacific's defaults).
type osdOptions struct {
	chooseleafType         int64
	fullRatio              float64
	backfillfullRatio      float64
	nearfullRatio          float64
	failsafeFullRatio      float64
	maxOSD                 int64
	initialMinCompatClient encoding.Release

	poolDefaultSize          uint64
	poolDefaultMinSize       uint64
	poolDefaultPGNum         uint64
	poolDefaultPGPNum        uint64
	poolDefaultCrushRule     int64
	poolDefaultAutoscaleMode string
	poolDefaultFlags         int64
	poolFlagHashPSPool       bool
	poolFlagNoDelete         bool
	poolFlagNoPGChange       bool
	poolFlagNoSizeChange     bool
	poolFlagBulk             bool
	poolDefaultType          string
	poolDefaultECProfile     string
	ecStripeUnit             uint64
	allowPoolDelete          bool
	maxPoolPGNum             uint64
	maxPGPerOSD              uint64
	blocklistDefaultExpire   float64
	autoMarkNewIn            bool
	minDownReporters         uint64
	reporterSubtreeLevel     string
	heartbeatGrace           int64
	downOutInterval          int64
	reportTimeout            int64
	allowPoolSizeOne         bool
	noBluestoreECOverwrites  bool
	anyPoolPriority          bool
	hitSetBloomFPP           float64
}

// defaultOSDOptions are Pacific's compiled-in defaults.
func defaultOSDOptions() osdOptions {
	return osdOptionsFrom(conf.New(encoding.EntityName{Type: encoding.EntityMon, ID: "a"}, "ceph"))
}

// osdOptionsFrom reads the options from a monitor's configuration.
func osdOptionsFrom(c *conf.Config) osdOptions {
	r, ok := encoding.ParseRelease(c.Str("mon_osd_initial_require_min_compat_client"))
	if !ok {
		r = encoding.ReleaseLuminous
	}
	return osdOptions{
		chooseleafType:           c.Int("osd_crush_chooseleaf_type"),
		fullRatio:                c.Float("mon_osd_full_ratio"),
		backfillfullRatio:        c.Float("mon_osd_backfillfull_ratio"),
		nearfullRatio:            c.Float("mon_osd_nearfull_ratio"),
		failsafeFullRatio:        c.Float("osd_failsafe_full_ratio"),
		maxOSD:                   c.Int("mon_max_osd"),
		initialMinCompatClient:   r,
		poolDefaultSize:          c.Uint("osd_pool_default_size"),
		poolDefaultMinSize:       c.Uint("osd_pool_default_min_size"),
		poolDefaultPGNum:         c.Uint("osd_pool_default_pg_num"),
		poolDefaultPGPNum:        c.Uint("osd_pool_default_pgp_num"),
		poolDefaultCrushRule:     c.Int("osd_pool_default_crush_rule"),
		poolDefaultAutoscaleMode: c.Str("osd_pool_default_pg_autoscale_mode"),
		poolDefaultFlags:         c.Int("osd_pool_default_flags"),
		poolFlagHashPSPool:       c.Bool("osd_pool_default_flag_hashpspool"),
		poolFlagNoDelete:         c.Bool("osd_pool_default_flag_nodelete"),
		poolFlagNoPGChange:       c.Bool("osd_pool_default_flag_nopgchange"),
		poolFlagNoSizeChange:     c.Bool("osd_pool_default_flag_nosizechange"),
		poolFlagBulk:             c.Bool("osd_pool_default_flag_bulk"),
		poolDefaultType:          c.Str("osd_pool_default_type"),
		poolDefaultECProfile:     c.Str("osd_pool_default_erasure_code_profile"),
		ecStripeUnit:             c.Uint("osd_pool_erasure_code_stripe_unit"),
		allowPoolDelete:          c.Bool("mon_allow_pool_delete"),
		maxPoolPGNum:             c.Uint("mon_max_pool_pg_num"),
		maxPGPerOSD:              c.Uint("mon_max_pg_per_osd"),
		blocklistDefaultExpire:   c.Float("mon_osd_blocklist_default_expire"),
		autoMarkNewIn:            c.Bool("mon_osd_auto_mark_new_in"),
		minDownReporters:         c.Uint("mon_osd_min_down_reporters"),
		reporterSubtreeLevel:     c.Str("mon_osd_reporter_subtree_level"),
		heartbeatGrace:           c.Int("osd_heartbeat_grace"),
		downOutInterval:          c.Int("mon_osd_down_out_interval"),
		reportTimeout:            c.Int("mon_osd_report_timeout"),
		allowPoolSizeOne:         c.Bool("mon_allow_pool_size_one"),
		noBluestoreECOverwrites:  c.Bool("mon_debug_no_require_bluestore_for_ec_overwrites"),
		anyPoolPriority:          c.Bool("debug_allow_any_pool_priority"),
		hitSetBloomFPP:           c.Float("osd_pool_default_hit_set_bloom_fpp"),
	}
}

// configure takes the options from the monitor's configuration when it
// has one (Options.Conf); tests without one keep the defaults.
func (s *osdMon) configure() {
	if c := s.m.opts.Conf; c != nil && c != s.conf {
		s.opts = osdOptionsFrom(c)
		s.conf = c
	}
}

// defaultECProfile parses osd_pool_default_erasure_code_profile
// ("k=v k=v ...", OSDMonitor::get_erasure_code_profile_default).
func (o osdOptions) defaultECProfile() map[string]string {
	return parseProfile(strings.Fields(o.poolDefaultECProfile))
}

// parseProfile turns ["k=v", ...] into a profile; a bare word maps to "".
func parseProfile(kvs []string) map[string]string {
	p := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		p[k] = v
	}
	return p
}

func cloneProfile(p map[string]string) map[string]string { return maps.Clone(p) }
