package harness

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

var (
	kelpMonOnce sync.Once
	kelpMonPath string
	kelpMonErr  error
)

// KelpMonBinary builds ./cmd/kelp-mon once per test process and returns
// the binary's path; KELP_MON_RACE=1 builds it with the race detector.
func KelpMonBinary(t testing.TB) string {
	t.Helper()
	kelpMonOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			kelpMonErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		dir, err := os.MkdirTemp("", "kelp-bin-")
		if err != nil {
			kelpMonErr = err
			return
		}
		kelpMonPath = filepath.Join(dir, "kelp-mon")
		cmd := exec.Command("go", "build", "-o", kelpMonPath, "./cmd/kelp-mon")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if os.Getenv("KELP_MON_RACE") != "" {
			// kelp-mon under the race detector (with GORACE=halt_on_error=1
			// in the environment a race stops the monitor, failing the test).
			cmd = exec.Command("go", "build", "-race", "-o", kelpMonPath, "./cmd/kelp-mon")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		}
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			kelpMonErr = fmt.Errorf("building kelp-mon: %v\n%s", err, b)
		}
	})
	if kelpMonErr != nil {
		t.Fatal(kelpMonErr)
	}
	return kelpMonPath
}

// StartKelpMon starts kelp-mon as a ready single-monitor cluster
// (`kelp-mon dev`) on a free loopback port and waits until the real ceph
// CLI gets an answer from it. Conf options in o.Conf are appended to the
// cluster's ceph.conf before the monitor starts serving clients (the
// monitor reads its own options at start, so they apply to it too).
func StartKelpMon(t testing.TB, o Options) *Cluster {
	t.Helper()
	RequireBinaries(t, "ceph")
	bin := KelpMonBinary(t)
	dir, err := os.MkdirTemp("", "kelp-mon-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Dir: dir, t: t, V2Port: FreePort(t), kelpBin: bin}
	t.Cleanup(c.stop)
	c.ConfPath = filepath.Join(dir, "ceph.conf")
	c.KeyringPath = filepath.Join(dir, "keyring")
	c.MonAddrs, _ = encoding.ParseAddrVec(fmt.Sprintf("v2:127.0.0.1:%d/0", c.V2Port))
	for _, d := range []string{"log", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// OSDs keep their data in the cluster's directory, where AddOSD makes
	// it, as with StartMon; o.Conf may say otherwise.
	conf := map[string]string{"osd data": dir + "/$name", "run dir": dir + "/run"}
	maps.Copy(conf, o.Conf)
	// Create the cluster first, add the options, then serve.
	c.mustRun(bin, "dev", "--dir", dir, "--addr", c.V2Addr(), "--create-only")
	var extra strings.Builder
	for _, k := range slices.Sorted(maps.Keys(conf)) {
		fmt.Fprintf(&extra, "\t%s = %s\n", k, conf[k])
	}
	if o.Auth == "none" {
		for _, k := range []string{"auth cluster required", "auth service required", "auth client required"} {
			fmt.Fprintf(&extra, "\t%s = none\n", k)
		}
	}
	f, err := os.OpenFile(c.ConfPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(extra.String())
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c.StartKelpMonProcess()
	c.AdminKey = strings.TrimSpace(c.mustRun("ceph-authtool", c.KeyringPath, "-p", "-n", "client.admin"))
	return c
}

// StartKelpMonProcess (re)starts the cluster's kelp-mon and waits for it
// to answer, e.g. after Kill in a crash test.
func (c *Cluster) StartKelpMonProcess() {
	c.t.Helper()
	c.spawn("mon.a", c.kelpBin, "dev", "--dir", c.Dir, "--addr", c.V2Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if _, err := c.Ceph(ctx, "mon", "stat"); err == nil {
			return
		} else if ctx.Err() != nil {
			c.t.Fatalf("harness: kelp-mon did not answer within 30s: %v\n%s", err, c.LogTail("mon.a"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
