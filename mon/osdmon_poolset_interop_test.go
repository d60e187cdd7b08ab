//go:build interop

package mon_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// poolSetGetCommands exercise `osd pool set` and `osd pool get` on a
// replicated and an erasure-coded pool: every variable Pacific's CLI
// offers, the refusals (bad values, tier-only variables on a pool that is
// not a tier, erasure-only ones on a replicated pool and back), unset,
// and the pools as `osd pool get all` and `osd pool ls detail` show them.
var poolSetGetCommands = []string{
	"osd pool create rp 8",
	"osd erasure-code-profile set p21 k=2 m=1",
	"osd pool create ep 4 4 erasure p21",
	"osd pool get rp all",
	"osd pool get ep all",
	"osd pool get rp all -f json",
	"osd pool get ep all -f json",
	"osd pool set rp allow_ec_overwrites true",
	"osd pool set ep allow_ec_overwrites maybe",
	"osd pool set ep allow_ec_overwrites false",
	"osd pool set ep allow_ec_overwrites true",
	"osd pool get ep allow_ec_overwrites",
	"osd pool get ep allow_ec_overwrites -f json",
	"osd pool get rp allow_ec_overwrites",
	"osd pool get rp erasure_code_profile",
	"osd pool set rp hit_set_type bloom",
	"osd pool set rp target_max_objects 10",
	"osd pool set rp cache_target_full_ratio 0.5",
	"osd pool set rp use_gmt_hitset true",
	"osd pool set rp min_read_recency_for_promote 1",
	"osd pool get rp hit_set_type",
	"osd pool get rp target_max_bytes -f json",
	"osd pool get rp use_gmt_hitset",
	"osd pool get rp scrub_min_interval",
	"osd pool set rp fast_read 1",
	"osd pool set ep fast_read maybe",
	"osd pool set ep fast_read true",
	"osd pool get ep fast_read",
	"osd pool get ep fast_read -f json",
	"osd pool set ep size 4",
	"osd pool set ep min_size 1",
	"osd pool set ep min_size 3",
	"osd pool set rp hashpspool false",
	"osd pool set rp hashpspool false --yes-i-really-mean-it",
	"osd pool set rp hashpspool 1 --yes-i-really-mean-it",
	"osd pool set rp nodelete yes",
	"osd pool set rp nodelete 2",
	"osd pool set rp nodelete true",
	"osd pool set rp nodelete 0",
	"osd pool set rp nopgchange 1",
	"osd pool set rp pg_num 16",
	"osd pool set rp pgp_num 4",
	"osd pool set rp nopgchange false",
	"osd pool set rp nosizechange 1",
	"osd pool set rp size 2",
	"osd pool set rp min_size 1",
	"osd pool set rp nosizechange 0",
	"osd pool set rp write_fadvise_dontneed true",
	"osd pool set rp noscrub 1",
	"osd pool set rp nodeep-scrub true",
	"osd pool set rp bulk true",
	"osd pool set rp size 0",
	"osd pool set rp size x",
	"osd pool set rp size 11",
	"osd pool set rp size 1",
	"osd pool set rp size 3",
	"osd pool set rp min_size 4",
	"osd pool set rp min_size 2",
	"osd pool set rp pg_num 0",
	"osd pool set rp pg_num x",
	"osd pool set rp pg_num 8",
	"osd pool set rp pgp_num 0",
	"osd pool set rp pgp_num 9",
	"osd pool set rp pg_num_min 100",
	"osd pool set rp pg_num_min x",
	"osd pool set rp pg_num_min 4",
	"osd pool set rp pg_num 2",
	"osd pool set rp pg_num_max 2",
	"osd pool set rp pg_num_max 16",
	"osd pool set rp pg_num 32",
	"osd pool set rp pg_num 16",
	"osd pool set rp pgp_num 12",
	"osd pool set rp crush_rule 0",
	"osd pool set rp crush_rule ep",
	"osd pool set rp crush_rule nope",
	"osd pool set rp crush_rule replicated_rule",
	"osd pool set rp pg_autoscale_mode bad",
	"osd pool set rp pg_autoscale_mode warn",
	"osd pool set rp scrub_min_interval 10",
	"osd pool set rp scrub_max_interval 20.5",
	"osd pool set rp deep_scrub_interval 30",
	"osd pool set rp scrub_min_interval x",
	"osd pool set rp scrub_min_interval unset",
	"osd pool set rp recovery_priority 5",
	"osd pool set rp recovery_priority 11",
	"osd pool set rp recovery_priority -11",
	"osd pool set rp recovery_priority x",
	"osd pool set rp recovery_op_priority 3",
	"osd pool set rp recovery_op_priority x",
	"osd pool set rp scrub_priority -100",
	"osd pool set rp compression_mode aggressive",
	"osd pool set rp compression_mode foo",
	"osd pool set rp compression_algorithm zstd",
	"osd pool set rp compression_algorithm brotli",
	"osd pool set rp compression_algorithm foo",
	"osd pool set rp compression_required_ratio 0.7",
	"osd pool set rp compression_required_ratio 2",
	"osd pool set rp compression_required_ratio x",
	"osd pool set rp compression_max_blob_size 1M",
	"osd pool set rp compression_max_blob_size 1KiB",
	"osd pool set rp compression_max_blob_size 1Q",
	"osd pool set rp compression_min_blob_size 4096",
	"osd pool set rp csum_type crc32c",
	"osd pool set rp csum_type foo",
	"osd pool set rp csum_min_block 4k",
	"osd pool set rp csum_min_block 4K",
	"osd pool set rp csum_max_block 64Ki",
	"osd pool set rp fingerprint_algorithm sha1",
	"osd pool set rp pg_autoscale_bias 2",
	"osd pool set rp pg_autoscale_bias 2000",
	"osd pool set rp pg_autoscale_bias x",
	"osd pool set rp target_size_bytes 1G",
	"osd pool set rp target_size_bytes 1Q",
	"osd pool set rp target_size_ratio 0.3",
	"osd pool set rp target_size_ratio -1",
	"osd pool set rp target_size_ratio x",
	"osd pool set rp dedup_tier nope",
	"osd pool set rp dedup_tier 5",
	"osd pool set rp dedup_tier ep",
	"osd pool set ep dedup_tier rp",
	"osd pool set rp dedup_chunk_algorithm fastcdc",
	"osd pool set rp dedup_cdc_chunk_size 8192",
	"osd pool set rp dedup_cdc_chunk_size x",
	"osd pool get rp all",
	"osd pool get rp all -f json",
	"osd pool get rp all -f json-pretty",
	"osd pool get rp csum_type",
	"osd pool get rp csum_type -f json",
	"osd pool get rp compression_required_ratio",
	"osd pool get rp compression_required_ratio -f json",
	"osd pool get rp scrub_max_interval -f json",
	"osd pool get rp dedup_tier -f json",
	"osd pool get rp pg_num_min",
	"osd pool ls detail -f json",
	"osd pool ls detail",
	"osd dump",
	"osd pool set rp compression_mode unset",
	"osd pool set rp csum_type unset",
	"osd pool set rp recovery_priority 0",
	"osd pool set rp dedup_tier unset",
	"osd pool set rp fingerprint_algorithm unset",
	"osd pool set rp compression_max_blob_size 0",
	"osd pool get rp compression_mode",
	"osd pool get rp all",
	"osd pool get ep all",
	"osd pool get ep all -f json",
	"osd pool set-quota rp max_objects 10K",
	"osd pool set-quota rp max_bytes 1M",
	"osd pool set-quota rp max_bytes 1Q",
	"osd pool set-quota rp max_objects x",
	"osd pool ls detail -f json",
	"osd pool ls detail",
}

// poolSetGetInexact print a time, an fsid or an epoch.
var poolSetGetInexact = map[string]bool{"osd pool ls detail -f json": true, "osd pool ls detail": true, "osd dump": true}

// TestPoolSetGetMatchCephMon runs poolSetGetCommands against ceph-mon and
// kelp-mon without OSDs: the same exit codes, messages and outputs (byte
// for byte where they hold no time, fsid or epoch), and the same epochs.
func TestPoolSetGetMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	conf := map[string]string{"osd pool default size": "1"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	for _, line := range poolSetGetCommands {
		args := strings.Fields(line)
		r, k := runCeph(t, real, args...), runCeph(t, kelp, args...)
		if r.code != k.code || strings.TrimSpace(r.errOut) != strings.TrimSpace(k.errOut) {
			t.Errorf("ceph %s:\nceph-mon: exit %d %q\nkelp-mon: exit %d %q", line, r.code, r.errOut, k.code, k.errOut)
			continue
		}
		if poolSetGetInexact[line] {
			if strings.Contains(line, "-f json") {
				if err := sameShapeStream(r.out, k.out); err != nil {
					t.Errorf("ceph %s: JSON differs: %v\nceph-mon: %s\nkelp-mon: %s", line, err, r.out, k.out)
				}
			}
			continue
		}
		if r.out != k.out {
			t.Errorf("ceph %s: output differs\nceph-mon: %q\nkelp-mon: %q", line, r.out, k.out)
		}
	}
	// The pools themselves, but for their creation times, and the epoch
	// (a no-op set still makes one).
	detail := func(c *harness.Cluster) []map[string]any {
		var pools []map[string]any
		if err := json.Unmarshal([]byte(runCeph(t, c, "osd", "pool", "ls", "detail", "-f", "json").out), &pools); err != nil {
			t.Fatal(err)
		}
		for _, p := range pools {
			delete(p, "create_time")
		}
		return pools
	}
	rj, kj := detail(real), detail(kelp)
	rb, _ := json.Marshal(rj)
	kb, _ := json.Marshal(kj)
	if string(rb) != string(kb) {
		t.Errorf("osd pool ls detail differs:\nceph-mon: %s\nkelp-mon: %s", rb, kb)
	}
	epoch := func(c *harness.Cluster) float64 {
		var st map[string]any
		if err := json.Unmarshal([]byte(runCeph(t, c, "osd", "dump", "-f", "json").out), &st); err != nil {
			t.Fatal(err)
		}
		e, _ := st["epoch"].(float64)
		return e
	}
	if re, ke := epoch(real), epoch(kelp); re != ke {
		t.Errorf("osdmap epoch %v on ceph-mon, %v on kelp-mon", re, ke)
	}
}

// TestECOverwritesNeedBluestoreLikeCephMon: with a real memstore OSD up
// in an erasure-coded pool's PGs, both monitors refuse allow_ec_overwrites
// (ceph-mon wants bluestore OSDs, from their boot metadata, unless
// mon_debug_no_require_bluestore_for_ec_overwrites is set); once the OSD
// is out, no PG maps to it and both allow it.
func TestECOverwritesNeedBluestoreLikeCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph-osd", "ceph", "ceph-authtool")
	conf := map[string]string{
		"osd objectstore":           "memstore",
		"memstore device bytes":     "268435456",
		"osd crush chooseleaf type": "0",
		"osd pool default size":     "1",
	}
	real := harness.StartMon(t, harness.Options{Conf: conf, OSDs: 1})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	kelp.AddOSD()
	for _, c := range []*harness.Cluster{real, kelp} {
		waitFor(t, c, "the OSD to come up", func() bool {
			var st struct {
				NumUp int `json:"num_up_osds"`
			}
			return json.Unmarshal([]byte(cephOut(t, c, "osd", "stat", "-f", "json")), &st) == nil && st.NumUp == 1
		})
	}
	for _, line := range []string{
		"osd erasure-code-profile set p21 k=2 m=1 crush-failure-domain=osd",
		"osd pool create ep 4 4 erasure p21",
		"osd pool set ep allow_ec_overwrites true",
		"osd pool get ep allow_ec_overwrites",
		"osd out 0",
		"osd pool set ep allow_ec_overwrites true",
		"osd pool get ep allow_ec_overwrites -f json",
	} {
		args := strings.Fields(line)
		r, k := runCeph(t, real, args...), runCeph(t, kelp, args...)
		if r.code != k.code || strings.TrimSpace(r.errOut) != strings.TrimSpace(k.errOut) || r.out != k.out {
			t.Errorf("ceph %s:\nceph-mon: exit %d %q %q\nkelp-mon: exit %d %q %q", line,
				r.code, r.errOut, r.out, k.code, k.errOut, k.out)
		}
	}
}
