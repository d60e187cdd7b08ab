//go:build interop

package mon_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// fuseRun is what one ceph-fuse attempt showed.
type fuseRun struct {
	code   int
	stderr string   // the sentences of fuseOutcome it printed
	got    []string // the fsmap.user and mdsmap messages it received, as its log names them
}

// mdsMessage matches the messenger's log line for a received fsmap.user or
// mdsmap message: its name, epoch, version and segment lengths.
var mdsMessage = regexp.MustCompile(`<== mon\.\d+ \S+ \d+ ==== ((?:fsmap\.user|mdsmap)\(e \d+\) v\d+ ==== \d+\+\d+\+\d+)`)

// fuseOutcome matches the sentences ceph-fuse ends a failed mount with.
var fuseOutcome = regexp.MustCompile(`probably no MDS server is up\?|mdsmap subscription failed: [^\n]*|ceph mount failed with [^\n]*`)

// runFuse starts ceph-fuse in the foreground against c for the named file
// system (the legacy one if fs is empty), with a short mount timeout: with no MDS up it gives up after
// reading the monitor's maps.
func runFuse(t *testing.T, c *harness.Cluster, fs string) fuseRun {
	t.Helper()
	dir := t.TempDir()
	mnt, log := filepath.Join(dir, "mnt"), filepath.Join(dir, "fuse.log")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Its log goes to the file only: on stderr its lines would interleave
	// with what ceph-fuse prints there itself, even mid-line.
	args := []string{"-c", c.ConfPath, "-f", "--client_mount_timeout=3", "--debug_ms=1", "--log-file=" + log,
		"--log_to_stderr=false", "--err_to_stderr=false"}
	if fs != "" {
		args = append(args, "--client_fs="+fs) // else the legacy file system, through "mdsmap"
	}
	cmd := exec.CommandContext(ctx, "ceph-fuse", append(args, mnt)...)
	var e bytes.Buffer
	cmd.Stderr = &e
	cmd.WaitDelay = 2 * time.Second
	runErr := cmd.Run()
	// The outcome is in these sentences: ceph-fuse prints some, and logs
	// others (with stamps that differ run to run).
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	outcome := fuseOutcome.FindAllString(e.String(), -1)
	outcome = append(outcome, fuseOutcome.FindAllString(string(b), -1)...)
	slices.Sort(outcome)
	r := fuseRun{stderr: strings.Join(outcome, "\n")}
	var ee *exec.ExitError
	switch {
	case errors.As(runErr, &ee):
		r.code = ee.ExitCode()
	case runErr != nil:
		t.Fatalf("ceph-fuse: %v", runErr)
	}
	for _, m := range mdsMessage.FindAllSubmatch(b, -1) {
		r.got = append(r.got, string(m[1]))
	}
	return r
}

// TestCephFuseSubscriptionsMatchCephMon mounts CephFS with the stock
// ceph-fuse against a real ceph-mon and against kelp-mon. No MDS runs, so
// the mount fails after the client resolved the file system through its
// "fsmap.user" subscription and read its map through "mdsmap.<fscid>" (or
// the legacy file system's through "mdsmap"):
// both monitors must send the same messages (name, epoch, version,
// length) and ceph-fuse must end the same way, also for a file system
// that does not exist.
func TestCephFuseSubscriptionsMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph", "ceph-fuse")
	conf := map[string]string{"osd pool default size": "1"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	for _, c := range []string{
		"osd pool create meta 8", "osd pool create data 8", "osd pool create m2 8", "osd pool create d2 8",
		"fs new cephfs meta data", "fs new fs2 m2 d2", "fs set fs2 max_file_size 65536",
	} {
		if r, k := runCeph(t, real, strings.Fields(c)...), runCeph(t, kelp, strings.Fields(c)...); r.code != 0 || k.code != 0 {
			t.Fatalf("ceph %s: %d %q / %d %q", c, r.code, r.errOut, k.code, k.errOut)
		}
	}
	for _, fs := range []string{"", "cephfs", "fs2", "nope"} {
		r, k := runFuse(t, real, fs), runFuse(t, kelp, fs)
		if r.code != k.code || r.stderr != k.stderr {
			t.Errorf("ceph-fuse --client_fs=%s:\nceph-mon: exit %d %q\nkelp-mon: exit %d %q", fs, r.code, r.stderr, k.code, k.stderr)
		}
		if strings.Join(r.got, "\n") != strings.Join(k.got, "\n") {
			t.Errorf("ceph-fuse --client_fs=%s received:\nfrom ceph-mon: %q\nfrom kelp-mon: %q", fs, r.got, k.got)
		}
		t.Logf("ceph-fuse --client_fs=%s: exit %d, %q; received %q", fs, k.code, k.stderr, k.got)
		want := map[string]int{"": 1, "nope": 1}[fs] // mdsmap alone, or fsmap.user alone
		if want == 0 {
			want = 2 // fsmap.user, then mdsmap.<fscid>
		}
		if len(r.got) != want {
			t.Errorf("ceph-fuse --client_fs=%s: ceph-mon sent %q, want %d messages", fs, r.got, want)
		}
	}
}
