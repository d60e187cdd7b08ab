//go:build interop

package mon_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// cephResult is what one ceph CLI run gave.
type cephResult struct {
	out, errOut string
	code        int
}

func runCeph(t *testing.T, c *harness.Cluster, args ...string) cephResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, errOut, err := harness.RunCeph(ctx, c.ConfPath, args...)
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ceph %v: %v", args, err)
	}
	return cephResult{out, errOut, code}
}

// compareMons runs each command against a real ceph-mon and kelp-mon:
// exit codes must be equal, successful outputs must end alike
// (interop.SameEnding) and be equal where exact names the command, and
// JSON outputs must have the same keys and value types (interop.SameShape).
func compareMons(t *testing.T, real, kelp *harness.Cluster, cmds [][]string, exact map[string]bool, ignore ...string) {
	t.Helper()
	for _, args := range cmds {
		r, k := runCeph(t, real, args...), runCeph(t, kelp, args...)
		line := strings.Join(args, " ")
		if r.code != k.code {
			t.Errorf("ceph %s: exit %d from ceph-mon (%s), %d from kelp-mon (%s)", line,
				r.code, strings.TrimSpace(r.errOut), k.code, strings.TrimSpace(k.errOut))
			continue
		}
		if r.code == 0 {
			if err := interop.SameEnding(r.out, k.out); err != nil {
				t.Errorf("ceph %s: %v", line, err)
			}
			if exact[line] && r.out != k.out {
				t.Errorf("ceph %s: output differs\nceph-mon: %q\nkelp-mon: %q", line, r.out, k.out)
			}
		}
		if r.code == 0 && strings.Contains(line, "-f json") {
			if err := sameShapeStream(r.out, k.out, ignore...); err != nil {
				t.Errorf("ceph %s: JSON differs: %v\nceph-mon: %s\nkelp-mon: %s", line, err, r.out, k.out)
			}
		}
	}
}

// sameShapeStream compares outputs made of one or more JSON documents
// (`osd blocklist ls` flushes two arrays back to back) document by
// document.
func sameShapeStream(a, b string, ignore ...string) error {
	da, db := json.NewDecoder(strings.NewReader(a)), json.NewDecoder(strings.NewReader(b))
	for i := 0; ; i++ {
		var ra, rb json.RawMessage
		ea, eb := da.Decode(&ra), db.Decode(&rb)
		if ea == io.EOF && eb == io.EOF {
			return nil
		}
		if ea != nil || eb != nil {
			return fmt.Errorf("document %d: %v / %v", i, ea, eb)
		}
		if err := interop.SameShape(ra, rb, ignore...); err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
	}
}

// TestOSDMgrMDSCommandsMatchCephMon runs the OSDMonitor, MgrMonitor and
// MDSMonitor commands against both monitors, from a fresh cluster on.
func TestOSDMgrMDSCommandsMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	conf := map[string]string{"osd pool default size": "1"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	w := strings.Fields
	var cmds [][]string
	for _, c := range []string{
		"osd dump", "osd dump -f json", "osd dump -f json-pretty", "osd ls", "osd ls -f json", "osd ls -f json-pretty",
		"osd stat", "osd stat -f json",
		"osd tree", "osd tree -f json", "osd crush tree", "osd crush tree -f json", "osd crush dump -f json",
		"osd crush rule ls", "osd crush rule ls -f json", "osd crush rule dump -f json",
		"osd erasure-code-profile ls", "osd erasure-code-profile ls -f json", "osd erasure-code-profile ls -f json-pretty",
		"osd erasure-code-profile get default -f json", "osd erasure-code-profile get default -f json-pretty",
		"osd pool ls", "osd pool ls detail", "osd blocklist ls", "osd getmap 99",
		"mgr dump -f json", "mgr stat -f json", "mgr module ls -f json",
		"fs ls", "fs ls -f json", "fs dump", "fs dump -f json", "mds stat", "mds stat -f json",
		"osd pool create p1 8", "osd pool create p1 8", "osd pool ls detail -f json", "osd dump -f json",
		"osd pool get p1 size -f json", "osd pool get p1 all", "osd pool get p1 all -f json", "osd pool get nope size",
		"osd pool set p1 size 2", "osd pool set p1 min_size 5", "osd pool set p1 nodelete true",
		"osd pool set p1 nodelete false", "osd pool application enable p1 rbd",
		"osd map p1 obj1 -f json", "osd map p1 obj1", "osd map nope obj1",
		"osd new 11111111-2222-3333-4444-555555555555", "osd new 11111111-2222-3333-4444-555555555555",
		"osd new 11111111-2222-3333-4444-555555555556 5", "osd dump -f json", "osd tree -f json",
		"osd out 0", "osd out 0", "osd in 0", "osd down 0", "osd out 7",
		"osd crush add-bucket h1 host", "osd crush add-bucket h1 host", "osd crush add-bucket h2 nosuchtype",
		"osd crush move h1 root=default", "osd crush set-device-class hdd 0",
		"osd crush set-device-class ssd 0", "osd crush create-or-move 0 0.5 host=h1 root=default",
		"osd crush tree -f json", "osd tree -f json", "osd crush dump -f json", "osd crush dump -f json-pretty",
		"osd crush rule create-replicated fast default host hdd", "osd crush rule dump fast -f json",
		"osd crush reweight osd.0 0.25", "osd crush reweight nope 1",
		"osd set noout", "osd unset noout", "osd dump -f json",
		"osd blocklist add 1.2.3.4:0/123", "osd blocklist ls -f json", "osd blocklist rm 1.2.3.4:0/123",
		"osd erasure-code-profile set myprof k=2 m=1", "osd erasure-code-profile get myprof -f json",
		"osd pool create ecp 4 4 erasure", "osd pool create ecp2 4 4 erasure myprof",
		"osd pool create ecp3 4 4 erasure nosuchprofile", "osd crush rule dump ecp -f json",
		"osd pool get ecp erasure_code_profile", "osd erasure-code-profile rm myprof",
		"osd pool rm ecp2 ecp2 --yes-i-really-really-mean-it", "osd erasure-code-profile rm myprof",
		"osd pool rename p1 p2", "osd pool rm p2", "osd pool rm p2 p2 --yes-i-really-really-mean-it",
		"osd pool ls -f json", "osd crush rm h1", "osd rm 5", "osd ls -f json",
	} {
		cmds = append(cmds, w(c))
	}
	// Outputs that hold no fsid, address or time are compared byte for
	// byte, from the fresh cluster on.
	exact := map[string]bool{}
	for _, c := range []string{
		"osd ls -f json", "osd ls -f json-pretty", "osd tree", "osd tree -f json", "osd crush tree",
		"osd crush tree -f json", "osd crush rule ls", "osd crush rule ls -f json",
		"osd erasure-code-profile ls", "osd erasure-code-profile ls -f json", "osd erasure-code-profile ls -f json-pretty",
		"osd erasure-code-profile get default -f json", "osd erasure-code-profile get default -f json-pretty",
		"mgr dump -f json", "mgr stat -f json", "mgr module ls -f json", "fs ls", "fs ls -f json", "mds stat",
		"osd pool get p1 size -f json", "osd pool get p1 all", "osd pool get p1 all -f json",
		"osd map p1 obj1 -f json", "osd map p1 obj1", "osd new 11111111-2222-3333-4444-555555555555",
		"osd new 11111111-2222-3333-4444-555555555556 5", "osd crush rule dump fast -f json",
		"osd erasure-code-profile get myprof -f json", "osd pool ls -f json",
	} {
		exact[c] = true
	}
	compareMons(t, real, kelp, cmds, exact, "erasure_code_profiles")
}
