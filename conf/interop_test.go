//go:build interop

package conf

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// These tests hold kelp's conf package against Ceph 16.2.15's ceph-conf
// and monmaptool. The file is named t.conf in each case, so $cluster is
// "t" for both sides.

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not installed: %v", name, err)
	}
	return p
}

func writeConf(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func cephConf(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(requireTool(t, "ceph-conf"), args...)
	cmd.Env = append(os.Environ(), "CEPH_ARGS=")
	var out, stderr bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	err := cmd.Run()
	if strings.Contains(stderr.String(), "parse error") {
		out.WriteString(stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(out.String(), "\n"), code
}

// TestInteropFileCases checks the recorded file-parsing expectations
// (corpus_test.go) against ceph-conf --lookup.
func TestInteropFileCases(t *testing.T) {
	for _, c := range fileCases {
		path := writeConf(t, c.text)
		out, code := cephConf(t, "-c", path, "--name", "mon.a", "--lookup", c.key)
		switch {
		case strings.Contains(out, "parse error"):
			if !c.invalid {
				t.Errorf("%q: ceph-conf rejects the file (%s); corpus says valid", c.text, out)
			}
		case c.invalid:
			t.Errorf("%q: ceph-conf accepts the file (%q, exit %d); corpus says invalid", c.text, out, code)
		case code == 1:
			if !c.absent {
				t.Errorf("%q key %q: ceph-conf finds nothing; corpus says %q", c.text, c.key, c.want)
			}
		case code != 0:
			t.Errorf("%q: ceph-conf exit %d: %s", c.text, code, out)
		case c.absent || out != c.want:
			t.Errorf("%q key %q: ceph-conf says %q; corpus says %q (absent=%v)", c.text, c.key, out, c.want, c.absent)
		}
	}
}

// TestInteropValueCases checks the recorded typed-value expectations
// against ceph-conf --show-config-value.
func TestInteropValueCases(t *testing.T) {
	for _, c := range valueCases {
		path := writeConf(t, c.text)
		args := append([]string{"-c", path, "--name", "mon.a"}, c.args...)
		out, code := cephConf(t, append(args, "--show-config-value", c.name)...)
		if c.invalid {
			if code == 0 {
				t.Errorf("%q %v: ceph-conf accepts (%q); corpus says invalid", c.text, c.args, out)
			}
			continue
		}
		if code != 0 || out != c.want {
			t.Errorf("%q %v %s: ceph-conf says %q (exit %d); corpus says %q", c.text, c.args, c.name, out, code, c.want)
		}
	}
}

// TestInteropDefaults compares every option in kelp's table with the
// value `ceph-conf -D` reports for a daemon with an empty file.
func TestInteropDefaults(t *testing.T) {
	path := writeConf(t, "[global]\n")
	out, code := cephConf(t, "-c", path, "--name", "mon.a", "-D")
	if code != 0 {
		t.Fatalf("ceph-conf -D: exit %d: %s", code, out)
	}
	real := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " = "); ok {
			real[k] = v
		} else if k, ok := strings.CutSuffix(sc.Text(), " ="); ok {
			real[k] = ""
		}
	}
	c := New(mustName(t, "mon.a"), "t")
	c.Daemon = true
	c.DataDirOption = "mon_data"
	checked := 0
	for _, o := range Options() {
		if o.Name == "log_to_file" {
			// ceph-conf is a tool: it turns file logging off whatever the
			// daemon default (true) says.
			continue
		}
		want, ok := real[o.Name]
		if !ok {
			t.Errorf("%s: not in ceph-conf -D", o.Name)
			continue
		}
		got, err := c.String(o.Name)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: kelp %q, ceph-conf %q", o.Name, got, want)
		}
		checked++
	}
	t.Logf("%d options agree with ceph-conf -D", checked)
}

// TestInteropMonHost checks the initial monmap built from mon_host
// against monmaptool --create --generate (MonMap::build_initial, for_mkfs).
func TestInteropMonHost(t *testing.T) {
	requireTool(t, "monmaptool")
	for _, c := range monHostCases {
		path := writeConf(t, "[global]\nfsid = 11111111-2222-3333-4444-555555555555\nmon host = "+c.monHost+"\n")
		mm := filepath.Join(t.TempDir(), "monmap")
		if out, err := exec.Command("monmaptool", "--create", "--generate", "-c", path, mm).CombinedOutput(); err != nil {
			t.Fatalf("monmaptool --generate %q: %v\n%s", c.monHost, err, out)
		}
		out, err := exec.Command("monmaptool", "--print", mm).CombinedOutput()
		if err != nil {
			t.Fatalf("monmaptool --print: %v\n%s", err, out)
		}
		var got []string
		for _, line := range strings.Split(string(out), "\n") {
			if i := strings.Index(line, ": "); i > 0 && strings.Trim(line[:i], "0123456789") == "" {
				got = append(got, line[i+2:])
			}
		}
		// monmaptool lists by rank (sorted by address); the corpus is in
		// kelp's order, so compare as sets.
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("mon host %q: monmaptool %q, corpus %q", c.monHost, got, want)
		}
	}
}
