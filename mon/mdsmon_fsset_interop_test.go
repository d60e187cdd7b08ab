//go:build interop

package mon_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// withoutTimes decodes a JSON document and drops every "created" and
// "modified" member, at any depth, so that two monitors' maps can be
// compared value for value.
func withoutTimes(t *testing.T, doc string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "created")
			delete(v, "modified")
			delete(v, "create_time")
			for _, e := range v {
				strip(e)
			}
		case []any:
			for _, e := range v {
				strip(e)
			}
		}
	}
	strip(v)
	return v
}

// TestFSDataPoolsFlagsAndSettingsMatchCephMon runs fs add_data_pool,
// rm_data_pool, flag set and every fs set variable, with their refusals,
// on a real ceph-mon and on kelp-mon: exit codes and messages must be
// equal, and the FSMap (and the pools' application tags and last_change)
// equal value for value but for the times.
func TestFSDataPoolsFlagsAndSettingsMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	conf := map[string]string{"osd pool default size": "1"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	for _, c := range []string{
		"osd pool create meta 8", "osd pool create data 8", "osd pool create d2 8", "osd pool create d3 8",
		"osd pool create ecp 4 4 erasure", "osd pool create rbdp 8", "osd pool create m2 8",
		"osd pool application enable rbdp rbd", "fs new cephfs meta data",
	} {
		if r, k := runCeph(t, real, strings.Fields(c)...), runCeph(t, kelp, strings.Fields(c)...); r.code != 0 || k.code != 0 {
			t.Fatalf("ceph %s: %d %q / %d %q", c, r.code, r.errOut, k.code, k.errOut)
		}
	}
	exact := map[string]bool{"fs ls": true, "fs ls -f json": true}
	for _, c := range []string{
		// Data pools: d2 is pool 3.
		"fs add_data_pool cephfs d2", "fs add_data_pool cephfs d2", "fs add_data_pool cephfs 3",
		"fs add_data_pool nope d2", "fs add_data_pool cephfs nopool", "fs add_data_pool cephfs 99",
		"fs add_data_pool cephfs -5", "fs add_data_pool cephfs 3x", "fs add_data_pool cephfs rbdp",
		"fs add_data_pool cephfs ecp", "fs add_data_pool cephfs meta", "fs ls", "fs ls -f json",
		"fs rm_data_pool cephfs data", "fs rm_data_pool cephfs d2", "fs rm_data_pool cephfs d2",
		"fs rm_data_pool nope d2", "fs rm_data_pool cephfs nopool", "fs rm_data_pool cephfs 77",
		"fs rm_data_pool cephfs -3", "fs rm_data_pool cephfs rbdp", "fs rm_data_pool cephfs 1",
		"fs ls", "fs ls -f json",
		// The global flag.
		"fs flag set enable_multiple false", "fs new fs2 m2 d3", "fs flag set enable_multiple maybe",
		"fs flag set enable_multiple True", "fs flag set enable_multiple true --yes-i-really-mean-it",
		"fs new fs2 m2 d3", "fs flag set enable_multiple no",
		// d2 left cephfs but keeps its tag, which now names fs2.
		"fs add_data_pool fs2 d2", "fs ls", "fs ls -f json",
		// Every variable of fs set.
		"fs set cephfs max_file_size 65536", "fs set cephfs max_file_size 65535", "fs set cephfs max_file_size x",
		"fs set cephfs max_file_size -1", "fs set cephfs max_file_size 99999999999999999999",
		"fs set cephfs max_file_size 2199023255552",
		"fs set cephfs session_timeout 29", "fs set cephfs session_timeout 45", "fs set cephfs session_timeout x",
		"fs set cephfs session_autoclose 29", "fs set cephfs session_autoclose 100",
		"fs set fs2 session_timeout 4294967297",
		"fs set cephfs standby_count_wanted -1", "fs set cephfs standby_count_wanted 3",
		"fs set cephfs standby_count_wanted x", "fs set fs2 standby_count_wanted 0",
		"fs set cephfs allow_new_snaps false", "fs set cephfs allow_new_snaps true", "fs set cephfs allow_new_snaps x",
		"fs set fs2 allow_standby_replay true", "fs set cephfs allow_standby_replay yes",
		"fs set cephfs allow_standby_replay false", "fs set cephfs allow_standby_replay 2",
		"fs set cephfs min_compat_client luminous", "fs set cephfs min_compat_client foo",
		"fs set cephfs min_compat_client Luminous", "fs set cephfs min_compat_client quincy",
		"fs set fs2 min_compat_client bobtail", "fs set fs2 min_compat_client jewel",
		"fs set fs2 min_compat_client nautilus", "fs set fs2 min_compat_client pacific",
		"fs set cephfs inline_data true", "fs set cephfs inline_data true --yes-i-really-really-mean-it",
		"fs set cephfs inline_data no", "fs set cephfs inline_data maybe",
		"fs set cephfs balancer foo.lua", "fs set cephfs allow_dirfrags true",
		"fs set cephfs max_mds 1x", "fs set cephfs max_mds 99999999999999999999", "fs set nope session_timeout 60",
		"fs set cephfs nosuch 1",
		"fs get cephfs", "fs get fs2",
	} {
		args := strings.Fields(c)
		r, k := runCeph(t, real, args...), runCeph(t, kelp, args...)
		if r.code != k.code || r.errOut != k.errOut {
			t.Errorf("ceph %s:\nceph-mon: exit %d %q\nkelp-mon: exit %d %q", c, r.code, r.errOut, k.code, k.errOut)
			continue
		}
		if r.code == 0 && exact[c] && r.out != k.out {
			t.Errorf("ceph %s: output differs\nceph-mon: %q\nkelp-mon: %q", c, r.out, k.out)
		}
		if r.code == 0 {
			if err := interop.SameEnding(r.out, k.out); err != nil {
				t.Errorf("ceph %s: trailing newlines differ: %v", c, err)
			}
		}
	}
	// The maps the commands left, value for value.
	for _, c := range []string{"fs dump -f json", "fs get cephfs -f json", "fs get fs2 -f json", "mds stat -f json"} {
		r, k := runCeph(t, real, strings.Fields(c)...), runCeph(t, kelp, strings.Fields(c)...)
		if r.code != 0 || k.code != 0 {
			t.Errorf("ceph %s: exit %d / %d", c, r.code, k.code)
			continue
		}
		if rv, kv := withoutTimes(t, r.out), withoutTimes(t, k.out); !reflect.DeepEqual(rv, kv) {
			t.Errorf("ceph %s differs but for times:\nceph-mon: %s\nkelp-mon: %s", c, r.out, k.out)
		}
	}
	type pool struct {
		Name       string                       `json:"pool_name"`
		LastChange string                       `json:"last_change"`
		Apps       map[string]map[string]string `json:"application_metadata"`
	}
	pools := func(c *harness.Cluster) []pool {
		var ps []pool
		if err := json.Unmarshal([]byte(runCeph(t, c, "osd", "pool", "ls", "detail", "-f", "json").out), &ps); err != nil {
			t.Fatal(err)
		}
		return ps
	}
	if rp, kp := pools(real), pools(kelp); !reflect.DeepEqual(rp, kp) {
		t.Errorf("pools differ:\nceph-mon: %+v\nkelp-mon: %+v", rp, kp)
	}
}
