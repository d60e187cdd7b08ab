package mon

import (
	"testing"
)

// TestPoolSetGet runs `osd pool set` and `osd pool get` on a replicated
// and an erasure-coded pool (default profile, k=2 m=2) without a real
// ceph-mon; the texts are the ones ceph-mon 16.2.15 answered with
// (TestPoolSetGetMatchCephMon compares against it directly).
func TestPoolSetGet(t *testing.T) {
	m := testCluster(t)
	for _, a := range []map[string]any{
		cmd("osd pool create", "pool", "rp", "pg_num", int64(8)),
		cmd("osd pool create", "pool", "ep", "pg_num", int64(4), "pool_type", "erasure"),
	} {
		if r := run(t, m, a); r.r != 0 {
			t.Fatalf("%v: %+v", a, r)
		}
	}
	set := func(pool, k, v string, kv ...any) map[string]any {
		return cmd("osd pool set", append([]any{"pool", pool, "var", k, "val", v}, kv...)...)
	}
	get := func(pool, k string, f ...string) map[string]any {
		a := cmd("osd pool get", "pool", pool, "var", k)
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
		{set("rp", "allow_ec_overwrites", "true"), -22, "ec overwrites can only be enabled for an erasure coded pool", ""},
		{set("ep", "allow_ec_overwrites", "maybe"), -22, "expecting value 'true', 'false', '0', or '1'", ""},
		{set("ep", "allow_ec_overwrites", "false"), -22, "ec overwrites cannot be disabled once enabled", ""},
		{set("ep", "allow_ec_overwrites", "true"), 0, "set pool 2 allow_ec_overwrites to true", ""},
		{get("ep", "allow_ec_overwrites"), 0, "", "allow_ec_overwrites: true\n"},
		{get("rp", "allow_ec_overwrites"), -13, "pool 'rp' is not a erasure pool: variable not applicable", ""},
		{get("rp", "hit_set_type"), -13, "pool 'rp' is not a tier pool: variable not applicable", ""},
		{get("rp", "use_gmt_hitset"), 0, "", "use_gmt_hitset: 1\n"},
		{set("rp", "use_gmt_hitset", "true"), -13, "(13) Permission denied", ""},
		{set("rp", "fast_read", "1"), -22, "fast read is not supported in replication pool", ""},
		{set("ep", "fast_read", "true"), 0, "set pool 2 fast_read to true", ""},
		{get("ep", "fast_read", "json"), 0, "", `{"pool":"ep","pool_id":2,"fast_read":1}`},
		{set("ep", "size", "4"), -95, "can not change the size of an erasure-coded pool", ""},
		{set("ep", "min_size", "1"), -22, "pool min_size must be between 2 and size, which is set to 4", ""},
		{set("rp", "hashpspool", "false"), -1, "are you SURE?  this will remap all placement groups in this pool, " +
			"this triggers large data movement, pass --yes-i-really-mean-it if you really do.", ""},
		{set("rp", "nodelete", "yes"), -22, "expecting value 'true', 'false', '0', or '1'", ""},
		{set("rp", "nosizechange", "1"), 0, "set pool 1 nosizechange to 1", ""},
		{set("rp", "min_size", "1"), -1, "pool min size change is disabled; you must unset nosizechange flag for the pool first", ""},
		{set("rp", "nosizechange", "false"), 0, "set pool 1 nosizechange to false", ""},
		{set("rp", "size", "1"), -1, "configuring pool size as 1 is disabled by default.", ""},
		{set("rp", "pg_num", "8"), 0, "", ""},
		{set("rp", "pgp_num", "9"), -22, "specified pgp_num 9 > pg_num 8", ""},
		{set("rp", "pg_num_min", "100"), -22, "specified pg_num_min 100 > pg_num 8", ""},
		{set("rp", "pg_num_max", "2"), -22, "specified pg_num_max 2 < pg_num 8", ""},
		{set("rp", "pg_num_max", "16"), 0, "set pool 1 pg_num_max to 16", ""},
		{set("rp", "pg_num", "32"), -22, "specified pg_num 32 < pg_num_max 16", ""},
		{set("rp", "crush_rule", "0"), -2, "crush rule 0 does not exist", ""},
		{set("rp", "crush_rule", "erasure-code"), -22, "(22) Invalid argument", ""},
		{set("rp", "recovery_priority", "11"), -22, "pool recovery_priority must be between -10 and 10", ""},
		{set("rp", "recovery_priority", "x"), -22, "error parsing int value 'x': Expected option value to be integer, got 'x'", ""},
		{set("rp", "compression_mode", "foo"), -22, "unrecognized compression mode 'foo'", ""},
		{set("rp", "compression_algorithm", "brotli"), -22, "unrecognized compression_algorithm 'brotli'", ""},
		{set("rp", "compression_required_ratio", "2"), -22, "compression_required_ratio is out of range (0-1): '2'", ""},
		{set("rp", "compression_required_ratio", "0.7"), 0, "set pool 1 compression_required_ratio to 0.7", ""},
		{set("rp", "compression_max_blob_size", "1KiB"), -22, "error parsing int value '1KiB': strict_iecstrtoll: illegal prefix (length > 2)", ""},
		{set("rp", "compression_max_blob_size", "1M"), 0, "set pool 1 compression_max_blob_size to 1M", ""},
		{set("rp", "csum_type", "foo"), -22, "unrecognized csum_type 'foo'", ""},
		{set("rp", "csum_type", "crc32c"), 0, "set pool 1 csum_type to crc32c", ""},
		{set("rp", "scrub_min_interval", "unset"), -22,
			"error parsing floating point value 'unset': strict_strtod: expected double, got: 'unset'", ""},
		{set("rp", "scrub_max_interval", "20.5"), 0, "set pool 1 scrub_max_interval to 20.5", ""},
		{set("rp", "dedup_tier", "5"), -22, "expecting value 'pool name'", ""},
		{set("rp", "dedup_tier", "nope"), -2, "unrecognized pool 'nope'", ""},
		{set("ep", "dedup_tier", "rp"), -95, "pool 'ep' is an ec pool, which cannot be a base tier", ""},
		{set("rp", "dedup_tier", "ep"), 0, "set pool 1 dedup_tier to ep", ""},
		{set("rp", "pg_autoscale_bias", "2000"), -22, "pg_autoscale_bias must be between 0 and 1000", ""},
		{set("rp", "target_size_ratio", "-1"), -22, "target_size_ratio cannot be negative", ""},
		{get("rp", "csum_type", "json"), 0, "", `{"pool":"rp","pool_id":1,"csum_type":"crc32c"}`},
		{get("rp", "compression_required_ratio", "json"), 0, "",
			`{"pool":"rp","pool_id":1,"compression_required_ratio":0.69999999999999996}`},
		{get("rp", "compression_required_ratio"), 0, "", "compression_required_ratio: 0.7\n"},
		{get("rp", "scrub_min_interval"), -2, "option 'scrub_min_interval' is not set on pool 'rp'", ""},
		{set("rp", "csum_type", "unset"), 0, "unset pool 1 csum_type", ""},
		{set("rp", "compression_max_blob_size", "0"), 0, "set pool 1 compression_max_blob_size to 0", ""},
		{set("rp", "nosuchvar", "1"), -22, "unrecognized variable 'nosuchvar'", ""},
		{get("rp", "all"), 0, "", "size: 3\nmin_size: 2\npg_num: 8\npgp_num: 8\ncrush_rule: replicated_rule\n" +
			"hashpspool: true\nnodelete: false\nnopgchange: false\nnosizechange: false\nwrite_fadvise_dontneed: false\n" +
			"noscrub: false\nnodeep-scrub: false\nuse_gmt_hitset: 1\nfast_read: 0\nscrub_max_interval: 20.5\n" +
			"compression_required_ratio: 0.7\npg_autoscale_mode: on\ndedup_tier: 2\npg_num_max: 16\nbulk: false\n"},
		{cmd("osd pool set-quota", "pool", "rp", "field", "max_objects", "val", "10K"), 0, "set-quota max_objects = 10000 for pool rp", ""},
		{cmd("osd pool set-quota", "pool", "rp", "field", "max_bytes", "val", "1Q"), -22,
			"error parsing value '1Q': strict_iecstrtoll: unit prefix not recognized", ""},
	} {
		got := run(t, m, c.args)
		if got.r != c.r || got.rs != c.rs || got.out != c.out {
			t.Errorf("%v: got %d %q %q, want %d %q %q", c.args, got.r, got.rs, got.out, c.r, c.rs, c.out)
		}
	}
}
