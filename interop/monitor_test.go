//go:build interop

package interop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// result is what one ceph CLI run gave.
type result struct {
	out, errOut string
	code        int
}

func ceph(t *testing.T, c *harness.Cluster, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return runCLI(t, ctx, c.ConfPath, args...)
}

// runCLI runs the real ceph CLI with the cluster's ceph.conf and returns
// what it printed and its exit code; a CLI that did not run fails t.
func runCLI(t *testing.T, ctx context.Context, confPath string, args ...string) result {
	t.Helper()
	out, errOut, err := harness.RunCeph(ctx, confPath, args...)
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ceph %v: %v", args, err)
	}
	return result{out, errOut, code}
}

// pair is a real ceph-mon and a kelp-mon, each a single-monitor cluster.
type pair struct {
	real, kelp *harness.Cluster
}

func startPair(t *testing.T) pair {
	t.Helper()
	// The disk-space warning depends on this machine's free space, which
	// hovers near the 30% default; keep it out of the comparison.
	o := harness.Options{Conf: map[string]string{"mon data avail warn": "1"}}
	return pair{real: harness.StartMon(t, o), kelp: harness.StartKelpMon(t, o)}
}

// same runs one command against both monitors and checks that the exit
// codes match, that successful outputs end alike (SameEnding) and, for
// JSON output, that the documents have the same shape.
func (p pair) same(t *testing.T, args []string, ignore ...string) (real, kelp result) {
	t.Helper()
	real, kelp = ceph(t, p.real, args...), ceph(t, p.kelp, args...)
	if real.code != kelp.code {
		t.Errorf("ceph %s: exit %d from ceph-mon (%s), %d from kelp-mon (%s)",
			strings.Join(args, " "), real.code, strings.TrimSpace(real.errOut), kelp.code, strings.TrimSpace(kelp.errOut))
		return
	}
	if real.code == 0 {
		if err := SameEnding(real.out, kelp.out); err != nil {
			t.Errorf("ceph %s: %v", strings.Join(args, " "), err)
		}
	}
	if isJSONArgs(args) && real.code == 0 {
		if err := SameShape([]byte(real.out), []byte(kelp.out), ignore...); err != nil {
			t.Errorf("ceph %s: JSON differs: %v\nceph-mon: %s\nkelp-mon: %s", strings.Join(args, " "), err, real.out, kelp.out)
		}
	}
	return real, kelp
}

func isJSONArgs(args []string) bool {
	for i, a := range args {
		if (a == "-f" || a == "--format") && i+1 < len(args) && strings.HasPrefix(args[i+1], "json") {
			return true
		}
		if strings.HasPrefix(a, "--format=json") {
			return true
		}
	}
	return false
}

func words(s string) []string { return strings.Fields(s) }

// TestCommandsMatchCephMon runs the commands kelp-mon serves against
// kelp-mon and a real ceph-mon side by side.
func TestCommandsMatchCephMon(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	// Outputs that hold no fsid, key, address, epoch or time are compared
	// byte for byte.
	exact := map[string]bool{}
	for _, c := range []string{
		"mon stat -f json", "health", "health -f json", "health detail -f json", "health detail",
		"config-key get a/b", "config-key ls -f json", "config-key ls", "config-key dump -f json",
		"features -f json", "features", "mon feature ls", "mon feature ls -f json", "mon feature ls -f json-pretty",
		"mon stat -f json-pretty", "config-key ls -f json-pretty", "config get osd.3 osd_max_backfills -f json",
		"config dump -f json", "config get client.admin -f json", "config get osd.3 osd_max_backfills",
		"config help osd_pool_default_size -f json", "df", "df detail -f json",
	} {
		exact[c] = true
	}
	for _, cmd := range [][]string{
		words("mon stat"), words("mon stat -f json"), words("mon dump -f json"),
		words("mon dump -f json-pretty"), words("mon dump"),
		words("health"), words("health -f json"), words("health detail -f json"), words("health detail"),
		words("config-key set a/b hello"), words("config-key set a/c"), words("config-key get a/b"),
		words("config-key get nope"), words("config-key exists a/b"), words("config-key exists nope"),
		words("config-key ls -f json"), words("config-key ls -f json-pretty"), words("config-key ls"), words("config-key dump -f json"),
		words("config-key rm a/c"), words("config-key rm nope"),
		words("auth get client.admin -f json"), words("auth ls -f json"), words("auth get client.nope"),
		{"auth", "get-or-create", "client.t", "mon", "allow r", "-f", "json"},
		{"auth", "get-or-create", "client.t", "mon", "allow w"},
		{"auth", "add", "client.u", "mon", "allow r"},
		{"auth", "caps", "client.u", "mon", "allow rw"},
		words("auth get client.u -f json"), words("auth print-key client.u"), words("auth del client.u"),
		words("auth rm client.u"), words("auth get client.u"),
		// Errors the CLI or the monitor report.
		words("quorum_status -f json"), words("features -f json"), words("time-sync-status -f json"),
		words("mon metadata a -f json"), words("mon feature ls"), words("mon feature ls -f json"),
		words("mon feature ls -f json-pretty"), words("features"), words("mon stat -f json-pretty"),
		words("config set global osd_pool_default_size 2"), words("config set mon.a debug_mon 5"),
		words("config set osd/class:ssd osd_max_backfills 3"), words("config set client.admin rbd_cache false"),
		words("config set bogus.x debug_mon 1"), words("config set global no_such_option 1"),
		words("config set global osd_pool_default_size 11"), words("config set global mon_host 1.2.3.4"),
		words("config dump -f json"), words("config get client.admin -f json"),
		words("config get osd.3 osd_max_backfills"), words("config get osd.3 osd_max_backfills -f json"),
		words("config get mon.a nope"),
		words("config rm global nothere"), words("config rm mon.a debug_mon"), words("config log 1 -f json"),
		words("config help osd_pool_default_size -f json"), words("config ls -f json"),
		words("status -f json"), words("-s"), words("df"), words("df detail -f json"),
		// Health that follows from the OSDMap.
		words("osd pool create hp 8"), words("osd set noout"), words("health detail -f json"), words("health detail"),
		words("osd unset noout"), words("osd pool rm hp hp --yes-i-really-really-mean-it"),
		words("health mute NOT_RAISED"), words("mon getmap 99"),
		words("config-key"), words("nonsense command"),
	} {
		real, kelp := p.same(t, cmd, "auth_dump")
		if line := strings.Join(cmd, " "); exact[line] && real.code == 0 && kelp.code == 0 && real.out != kelp.out {
			t.Errorf("ceph %s: output differs\nceph-mon: %q\nkelp-mon: %q", line, real.out, kelp.out)
		}
	}
	// Version strings are keys: kelp-mon names itself where Ceph has its
	// git hash.
	p.same(t, words("versions -f json"), "mon", "overall")
	p.same(t, words("mon versions -f json"), "$")
}

// TestCapsEnforced checks that a client limited to reading is refused
// writes by both monitors, and that a wrong key or unknown entity is
// refused.
func TestCapsEnforced(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	for name, c := range map[string]*harness.Cluster{"ceph-mon": p.real, "kelp-mon": p.kelp} {
		kr := filepath.Join(c.Dir, "ro.keyring")
		if r := ceph(t, c, "auth", "get-or-create", "client.ro", "mon", "allow r", "-o", kr); r.code != 0 {
			t.Fatalf("%s: get-or-create: %+v", name, r)
		}
		as := func(args ...string) result {
			return ceph(t, c, append([]string{"-n", "client.ro", "-k", kr}, args...)...)
		}
		if r := as("mon", "stat"); r.code != 0 {
			t.Errorf("%s: read refused: %+v", name, r)
		}
		if r := as("config-key", "set", "x", "y"); r.code != 13 || !strings.Contains(r.errOut, "EACCES") {
			t.Errorf("%s: write not refused with EACCES: %+v", name, r)
		}
		if r := as("auth", "ls"); r.code != 13 {
			t.Errorf("%s: auth ls not refused: %+v", name, r)
		}
		if r := ceph(t, c, "-n", "client.nobody", "-k", kr, "mon", "stat"); r.code != 13 || !strings.Contains(r.errOut, "permission denied") {
			t.Errorf("%s: unknown entity not refused: %+v", name, r)
		}
		bad := filepath.Join(c.Dir, "bad.keyring")
		os.WriteFile(bad, []byte("[client.admin]\n\tkey = AQBzBwRrAAAAABAAQfbhKy6eEFl5qVq3kSRgVw==\n"), 0o600)
		if r := ceph(t, c, "-n", "client.admin", "-k", bad, "mon", "stat"); r.code != 13 {
			t.Errorf("%s: wrong key not refused: %+v", name, r)
		}
	}
}

// TestKillNineLosesNoAcknowledgedWrite kills kelp-mon during a stream of
// config-key writes and checks, after a restart on the same data, that
// every write the CLI saw acknowledged is there.
func TestKillNineLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	c := harness.StartKelpMon(t, harness.Options{})
	acked := make(chan int, 1000)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, _, err := harness.RunCeph(ctx, c.ConfPath, "config-key", "set", fmt.Sprintf("k%d", i), fmt.Sprint(i)); err != nil {
				return
			}
			acked <- i
		}
	}()
	// Let some writes land, then kill the monitor mid-stream.
	for range 5 {
		<-acked
	}
	c.KillMon()
	close(stop)
	<-done
	close(acked)
	c.StartKelpMonProcess()
	n := 0
	for i := range acked {
		n++
		r := ceph(t, c, "config-key", "get", fmt.Sprintf("k%d", i))
		if r.code != 0 || r.out != fmt.Sprint(i) {
			t.Errorf("acknowledged write k%d lost after kill -9: %+v", i, r)
		}
	}
	for i := range 5 {
		if r := ceph(t, c, "config-key", "get", fmt.Sprintf("k%d", i)); r.code != 0 {
			t.Errorf("k%d missing after restart", i)
		}
	}
	// The monitor keeps committing after the restart.
	if r := ceph(t, c, "config-key", "set", "after", "restart"); r.code != 0 {
		t.Fatalf("write after restart: %+v", r)
	}
	t.Logf("%d acknowledged writes checked after kill -9", n+5)
}

// TestAdminSocket talks to kelp-mon's admin socket with the real
// `ceph daemon` command, and compares with a real ceph-mon's.
func TestAdminSocket(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	asok := func(c *harness.Cluster, args ...string) result {
		path := filepath.Join(c.Dir, "mon.a.asok")
		if _, err := os.Stat(path); err != nil {
			path = filepath.Join(c.Dir, "run", "mon.a.asok")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "ceph", append([]string{"--admin-daemon", path}, args...)...)
		out, err := cmd.Output()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("ceph daemon %v: %v", args, err)
		}
		return result{out: string(out), code: code}
	}
	for _, cmd := range [][]string{
		{"mon_status"}, {"version"}, {"config", "get", "mon_lease"}, {"config", "set", "debug_mon", "5"},
		{"help"},
	} {
		real, kelp := asok(p.real, cmd...), asok(p.kelp, cmd...)
		if real.code != 0 || kelp.code != 0 {
			t.Errorf("ceph daemon %v: exit %d (ceph-mon) / %d (kelp-mon)", cmd, real.code, kelp.code)
			continue
		}
		if cmd[0] == "help" {
			continue // kelp-mon offers fewer commands; both answer
		}
		if err := SameShape([]byte(real.out), []byte(kelp.out), "feature_map"); err != nil {
			t.Errorf("ceph daemon %v: %v\nceph-mon: %s\nkelp-mon: %s", cmd, err, real.out, kelp.out)
		}
	}
	if r := asok(p.kelp, "config", "get", "mon_lease"); !strings.Contains(r.out, `"mon_lease": "5.000000"`) {
		t.Errorf("config get mon_lease: %q", r.out)
	}
}
