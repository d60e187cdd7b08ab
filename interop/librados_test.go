//go:build interop && cgo

package interop

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// librados programs (go-ceph and python3-rados) against kelp-mon and a
// real ceph-mon: both must succeed and report the same things.

func runReport(t *testing.T, name string, args ...string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %v: %v\n%s\n%s", name, args, err, out, stderr)
	}
	var r map[string]any
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s: %v: %s", name, err, out)
	}
	return r
}

func compareReports(t *testing.T, real, kelp map[string]any, ignore ...string) {
	t.Helper()
	a, _ := json.Marshal(real)
	b, _ := json.Marshal(kelp)
	if err := SameShape(a, b); err != nil {
		t.Fatalf("reports differ: %v\nceph-mon: %s\nkelp-mon: %s", err, a, b)
	}
	for k, v := range real {
		skip := k == "fsid"
		for _, i := range ignore {
			skip = skip || k == i
		}
		if !skip {
			if w, _ := json.Marshal(v); string(w) != string(mustJSON(kelp[k])) {
				t.Errorf("%s: ceph-mon %s, kelp-mon %s", k, w, mustJSON(kelp[k]))
			}
		}
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func TestGoCeph(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	bin := filepath.Join(t.TempDir(), "goceph")
	build := exec.Command("go", "build", "-tags", "interop", "-o", bin, "./goceph")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the go-ceph program: %v\n%s", err, out)
	}
	real := runReport(t, bin, "-c", p.real.ConfPath, "-pools")
	kelp := runReport(t, bin, "-c", p.kelp.ConfPath, "-pools")
	compareReports(t, real, kelp)
}

func TestPythonRados(t *testing.T) {
	t.Parallel()
	harness.RequireBinaries(t, "python3")
	p := startPair(t)
	real := runReport(t, "/usr/bin/python3", "pyrados/check.py", p.real.ConfPath, "--pools")
	kelp := runReport(t, "/usr/bin/python3", "pyrados/check.py", p.kelp.ConfPath, "--pools")
	compareReports(t, real, kelp)
}
