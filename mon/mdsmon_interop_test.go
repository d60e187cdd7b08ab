//go:build interop

package mon_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestFSCommandsMatchCephMon creates, changes and removes CephFS file
// systems on a real ceph-mon and on kelp-mon with the same commands: exit
// codes and messages must be equal, JSON outputs of the same shape, and
// the texts that hold no times identical.
func TestFSCommandsMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	conf := map[string]string{"osd pool default size": "1"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	for _, c := range []string{
		"osd pool create meta 8", "osd pool create data 8", "osd pool create ecp 4 4 erasure",
		"osd pool create m2 8", "osd pool create d2 8", "osd pool create rbdp 8",
		"osd pool application enable rbdp rbd",
	} {
		if r, k := runCeph(t, real, strings.Fields(c)...), runCeph(t, kelp, strings.Fields(c)...); r.code != 0 || k.code != 0 {
			t.Fatalf("ceph %s: %d %q / %d %q", c, r.code, r.errOut, k.code, k.errOut)
		}
	}
	// Commands whose stdout holds no times are compared byte for byte.
	exact := map[string]bool{"fs ls": true, "fs ls -f json": true, "mds stat": true}
	for _, c := range []string{
		"fs ls", "fs ls -f json", "mds stat", "fs dump", "fs dump -f json-pretty",
		"fs new cephfs nope data", "fs new cephfs meta nope", "fs new cephfs meta ecp",
		"fs new cephfs ecp data", "fs new cephfs meta rbdp",
		"fs new cephfs meta data", "fs new cephfs meta data", "fs new cephfs m2 d2",
		"fs new fs2 meta d2", "fs new fs2 m2 data", "fs new fs2 m2 d2 --fscid 7",
		"fs new fs2 m2 d2 --fscid 1 --force", "fs new fs2 m2 d2 --fscid 7 --force",
		"fs ls", "fs ls -f json", "fs dump -f json", "fs get cephfs -f json", "fs get fs2 -f json",
		"fs get nope", "mds stat", "fs dump", "fs get cephfs", "fs dump -f json-pretty", "fs ls -f json-pretty",
		"mds stat -f json-pretty", "mds stat -f json", "fs dump 2 -f json", "fs dump 99",
		"osd pool ls detail -f json",
		"fs fail cephfs", "fs fail nope", "fs set cephfs down true", "fs set cephfs down false",
		"fs set cephfs max_mds 3", "fs set cephfs down true", "fs set cephfs down false",
		"fs set cephfs max_mds 0", "fs set cephfs max_mds x", "fs set cephfs max_mds 300",
		"fs set nope max_mds 2", "fs set cephfs joinable false", "fs set cephfs joinable true",
		"fs set cephfs down maybe", "fs set cephfs cluster_down true",
		"fs get cephfs -f json", "mds stat",
		"fs rm cephfs", "fs rm cephfs --yes-i-really-mean-it", "fs rm nope",
		"fs rm fs2 --yes-i-really-mean-it", "fs ls", "fs ls -f json", "fs dump -f json", "mds stat",
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
		if r.code == 0 && strings.Contains(c, "-f json") {
			if err := sameShapeStream(r.out, k.out); err != nil {
				t.Errorf("ceph %s: JSON differs: %v\nceph-mon: %s\nkelp-mon: %s", c, err, r.out, k.out)
			}
		}
	}
}

// TestFSStatusMatchesCephMon: with a file system and no MDS, `ceph -s`
// shows the fsmap summary, an mds line, a volumes line and the two MDS
// health checks on both monitors.
func TestFSStatusMatchesCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	conf := map[string]string{"osd pool default size": "1"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	type status struct {
		Health struct {
			Checks map[string]json.RawMessage `json:"checks"`
		} `json:"health"`
		FSMap json.RawMessage `json:"fsmap"`
	}
	get := func(c *harness.Cluster) (status, string) {
		for _, cmd := range []string{"osd pool create meta 8", "osd pool create data 8", "fs new cephfs meta data"} {
			if r := runCeph(t, c, strings.Fields(cmd)...); r.code != 0 {
				t.Fatalf("ceph %s: %d %s", cmd, r.code, r.errOut)
			}
		}
		var st status
		r := runCeph(t, c, "status", "-f", "json")
		if err := json.Unmarshal([]byte(r.out), &st); err != nil {
			t.Fatalf("status: %v: %s", err, r.out)
		}
		return st, runCeph(t, c, "status").out
	}
	rs, rtext := get(real)
	ks, ktext := get(kelp)
	if err := interop.SameShape(rs.FSMap, ks.FSMap); err != nil {
		t.Errorf("fsmap summary: %v\nceph-mon: %s\nkelp-mon: %s", err, rs.FSMap, ks.FSMap)
	}
	if string(rs.FSMap) != string(ks.FSMap) {
		t.Errorf("fsmap summary differs:\nceph-mon: %s\nkelp-mon: %s", rs.FSMap, ks.FSMap)
	}
	for _, code := range []string{"MDS_ALL_DOWN", "MDS_UP_LESS_THAN_MAX"} {
		r, k := rs.Health.Checks[code], ks.Health.Checks[code]
		if r == nil || string(r) != string(k) {
			t.Errorf("%s: ceph-mon %s, kelp-mon %s", code, r, k)
		}
	}
	for _, line := range []string{"    mds: 0/0 daemons up\n", "    volumes: 1/1 healthy\n", "1 filesystem is offline"} {
		if !strings.Contains(rtext, line) || !strings.Contains(ktext, line) {
			t.Errorf("status line %q: ceph-mon\n%s\nkelp-mon\n%s", line, rtext, ktext)
		}
	}
}
