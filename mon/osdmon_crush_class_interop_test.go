//go:build interop

package mon_test

import (
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestCrushClassCommandsMatchCephMon runs `osd crush class ls|ls-osd|
// create|rename|rm`, with their refusals, on a real ceph-mon and on
// kelp-mon with three OSDs (no daemons) in two hosts: exit codes and
// messages must be equal, and the class lists, the trees with their shadow
// trees and the CRUSH dumps byte for byte after every change.
func TestCrushClassCommandsMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	// The real mon's harness default; kelp-mon must be told too.
	conf := map[string]string{"osd pool default size": "1", "osd crush chooseleaf type": "0"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	for _, c := range []string{
		"osd new 11111111-2222-3333-4444-555555555551", "osd new 11111111-2222-3333-4444-555555555552",
		"osd new 11111111-2222-3333-4444-555555555553",
		"osd crush create-or-move 0 1.0 host=h0 root=default", "osd crush create-or-move 1 1.0 host=h1 root=default",
		"osd crush create-or-move 2 1.0 host=h1 root=default",
	} {
		if r, k := runCeph(t, real, strings.Fields(c)...), runCeph(t, kelp, strings.Fields(c)...); r.code != 0 || k.code != 0 {
			t.Fatalf("ceph %s: %d %q / %d %q", c, r.code, r.errOut, k.code, k.errOut)
		}
	}
	// After each change these must print the same bytes.
	views := []string{"osd crush class ls", "osd crush tree --show-shadow", "osd crush dump -f json"}
	var cmds []string
	step := func(c ...string) { cmds = append(cmds, c...); cmds = append(cmds, views...) }
	step("osd crush class ls -f json", "osd crush class ls -f plain", "osd crush class ls-osd ssd",
		"osd crush class ls-osd ssd -f json")
	step("osd crush set-device-class ssd 0 1", "osd crush set-device-class hdd 2")
	step("osd crush class ls -f json", "osd crush class ls -f json-pretty", "osd crush class ls-osd ssd",
		"osd crush class ls-osd ssd -f json", "osd crush class ls-osd ssd -f json-pretty", "osd crush class ls-osd nope",
		"osd crush class ls-osd nope -f json", "osd crush tree --show-shadow -f json")
	step("osd crush class create nvme", "osd crush class create nvme", "osd crush class create bad!")
	step("osd crush class rename nvme fast", "osd crush class rename nvme fast", "osd crush class rename nope x",
		"osd crush class rename ssd hdd")
	step("osd crush class rename ssd flash", "osd crush class ls-osd flash", "osd crush tree --show-shadow -f json")
	step("osd crush rule create-replicated fastrule default host flash", "osd crush class rm flash",
		"osd crush rule create-replicated r2 default host flash", "osd crush class rm flash")
	step("osd erasure-code-profile set prof k=2 m=1 crush-device-class=hdd",
		"osd erasure-code-profile set prof2 k=2 m=1 crush-device-class=hdd", "osd crush class rm hdd",
		"osd erasure-code-profile rm prof", "osd erasure-code-profile rm prof2")
	// Removing hdd's last device drops the empty class "fast" too.
	step("osd crush class rm hdd", "osd crush class rm hdd", "osd crush class rm nope", "osd crush class rm fast")
	step("osd crush class create empty", "osd crush class rm empty", "osd crush class rm empty")
	step("osd crush rule rm fastrule", "osd crush rule rm r2", "osd crush class rm flash", "osd crush class ls-osd flash")
	for _, c := range cmds {
		args := strings.Fields(c)
		r, k := runCeph(t, real, args...), runCeph(t, kelp, args...)
		if r.code != k.code || r.errOut != k.errOut {
			t.Errorf("ceph %s:\nceph-mon: exit %d %q\nkelp-mon: exit %d %q", c, r.code, r.errOut, k.code, k.errOut)
			continue
		}
		if r.code != 0 {
			continue
		}
		if r.out != k.out {
			t.Errorf("ceph %s: output differs\nceph-mon: %q\nkelp-mon: %q", c, r.out, k.out)
		}
		if err := interop.SameEnding(r.out, k.out); err != nil {
			t.Errorf("ceph %s: trailing newlines differ: %v", c, err)
		}
	}
}
