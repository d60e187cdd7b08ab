package mon

import (
	"testing"

	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// TestPoolSetGetTier sets and reads the cache-tier variables of a pool
// made a tier by hand (kelp-mon has no `osd tier add`), with the checks
// and texts of prepare_command_pool_set and `osd pool get`.
func TestPoolSetGetTier(t *testing.T) {
	m := testCluster(t)
	for _, name := range []string{"base", "cache"} {
		if r := run(t, m, cmd("osd pool create", "pool", name, "pg_num", int64(4))); r.r != 0 {
			t.Fatalf("create %s: %d %s", name, r.r, r.rs)
		}
	}
	if r := run(t, m, cmd("osd pool set", "pool", "base", "var", "hit_set_type", "val", "bloom")); r.r != -13 || r.rs != "(13) Permission denied" {
		t.Fatalf("hit_set_type on a pool that is not a tier: %d %q", r.r, r.rs)
	}
	base, _ := m.osd.pendingOSDMap().LookupPool("base")
	id, p, _ := m.osd.pendingPool("cache")
	p.TierOf = base
	m.osd.putPool(id, p)
	m.proposeAndThen(nil)
	m.maybePropose()
	set := func(k, v string) map[string]any { return cmd("osd pool set", "pool", "cache", "var", k, "val", v) }
	get := func(k string, f ...string) map[string]any {
		a := cmd("osd pool get", "pool", "cache", "var", k)
		if len(f) > 0 {
			a["format"] = f[0]
		}
		return a
	}
	for _, c := range []struct {
		args map[string]any
		r    int
		rs   string
		out  string
	}{
		{get("hit_set_fpp"), -22, "hit set is not of type Bloom; invalid to get a false positive rate!", ""},
		{set("hit_set_fpp", "0.1"), -22, "hit set is not of type Bloom; invalid to set a false positive rate!", ""},
		{set("hit_set_type", "foo"), -22, "unrecognized hit_set type 'foo'", ""},
		{set("hit_set_type", "bloom"), 0, "set pool 2 hit_set_type to bloom", ""},
		{get("hit_set_type"), 0, "", "hit_set_type: bloom\n"},
		{get("hit_set_fpp"), 0, "", "hit_set_fpp: 0.05\n"},
		{set("hit_set_fpp", "2"), -22, "hit_set_fpp should be in the range 0..1", ""},
		{set("hit_set_fpp", "0.1"), 0, "set pool 2 hit_set_fpp to 0.1", ""},
		{get("hit_set_fpp", "json"), 0, "", `{"pool":"cache","pool_id":2,"hit_set_fpp":0.10000000000000001}`},
		{set("hit_set_count", "-1"), -22, "hit_set_count should be non-negative", ""},
		{set("hit_set_count", "4"), 0, "set pool 2 hit_set_count to 4", ""},
		{set("hit_set_search_last_n", "5"), -22, "value out of range,valid range is 0 - hit_set_count", ""},
		{set("hit_set_grade_decay_rate", "101"), -22, "value out of range,valid range is 0 - 100", ""},
		{set("cache_target_full_ratio", "2"), -34, "value must be in the range 0..1", ""},
		{set("cache_target_full_ratio", "x"), -22, "error parsing float 'x': strict_strtod: expected double, got: 'x'", ""},
		{set("cache_target_full_ratio", "0.5"), 0, "set pool 2 cache_target_full_ratio to 0.5", ""},
		{get("cache_target_full_ratio"), 0, "", "cache_target_full_ratio: 0.5\n"},
		{get("cache_target_full_ratio", "json"), 0, "",
			`{"pool":"cache","pool_id":2,"cache_target_full_ratio_micro":500000,"cache_target_full_ratio":0.5}`},
		{set("target_max_objects", "10K"), 0, "set pool 2 target_max_objects to 10K", ""},
		{get("target_max_objects"), 0, "", "target_max_objects: 10000\n"},
		{set("target_max_bytes", "1M"), 0, "set pool 2 target_max_bytes to 1M", ""},
		{set("cache_min_flush_age", "x"), -22, "error parsing int 'x': Expected option value to be integer, got 'x'", ""},
		{set("use_gmt_hitset", "false"), -22, "expecting value 'true' or '1'", ""},
	} {
		got := run(t, m, c.args)
		if got.r != c.r || got.rs != c.rs || got.out != c.out {
			t.Errorf("%v: got %d %q %q, want %d %q %q", c.args, got.r, got.rs, got.out, c.r, c.rs, c.out)
		}
	}
	// The bloom parameters survive the map's encoding.
	om := m.osd.osdmap
	back, err := osdmap.Decode(om.Encode(om.EncodingFeatures()))
	if err != nil {
		t.Fatal(err)
	}
	cp := back.Pools[id]
	if fpp, ok := bloomFPP(cp.HitSetParams); !ok || fpp != 0.1 || cp.HitSetCount != 4 || cp.TargetMaxBytes != 1<<20 {
		t.Fatalf("cache pool after a round trip: %+v", cp)
	}
}
