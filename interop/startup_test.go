//go:build interop

package interop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestCephMonStyleStartup sets a cluster up the way scripts set up
// ceph-mon — monmaptool, ceph-authtool, `--mkfs -i NAME --monmap F
// --keyring F`, then `-i NAME -c ceph.conf` — with kelp-mon in its place,
// and checks that the real CLI is served and that SIGTERM stops it
// cleanly with nothing lost.
func TestCephMonStyleStartup(t *testing.T) {
	t.Parallel()
	harness.RequireBinaries(t, "monmaptool", "ceph-authtool", "ceph")
	bin := harness.KelpMonBinary(t)
	dir := t.TempDir()
	port := harness.FreePort(t)
	fsid := encoding.NewUUID().String()
	addr := fmt.Sprintf("[v2:127.0.0.1:%d]", port)
	keyring := filepath.Join(dir, "keyring")
	confPath := filepath.Join(dir, "ceph.conf")
	conf := fmt.Sprintf("[global]\nfsid = %s\nmon host = %s\nkeyring = %s\nmon data = %s/mon-$id\n"+
		"admin socket = %s/$name.asok\nauth allow insecure global id reclaim = false\n", fsid, addr, keyring, dir, dir)
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run("ceph-authtool", "--create-keyring", keyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
	run("ceph-authtool", keyring, "--gen-key", "-n", "client.admin", "--cap", "mon", "allow *", "--cap", "osd", "allow *")
	monmap := filepath.Join(dir, "monmap")
	run("monmaptool", "--create", "--fsid", fsid, "--addv", "x", addr, monmap)
	run(bin, "--mkfs", "-i", "x", "-c", confPath, "--monmap", monmap, "--keyring", keyring)
	if _, err := os.Stat(filepath.Join(dir, "mon-x", "store.db")); err != nil {
		t.Fatalf("mkfs made no store in mon data: %v", err)
	}
	cmd := exec.Command(bin, "-i", "x", "-c", confPath, "-f")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out string
	for {
		var err error
		out, _, err = harness.RunCeph(ctx, confPath, "config-key", "set", "written", "before-term")
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("kelp-mon never answered: %v\n%s", err, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	st, _, err := harness.RunCeph(ctx, confPath, "mon", "dump", "-f", "json")
	if err != nil || !strings.Contains(st, fsid) || !strings.Contains(st, `"name":"x"`) {
		t.Fatalf("mon dump: %v %s", err, st)
	}
	// SIGTERM: a clean stop, then a restart on the same data.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("kelp-mon did not exit cleanly on SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("kelp-mon did not stop within 20s of SIGTERM")
	}
	cmd = exec.Command(bin, "-i", "x", "-c", confPath, "-f")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for {
		out, _, err = harness.RunCeph(ctx, confPath, "config-key", "get", "written")
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("restarted kelp-mon never answered: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out != "before-term" {
		t.Fatalf("value after restart: %q", out)
	}
}
