//go:build interop

package mon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestRealOSDBootsAgainstKelpMon starts a real memstore ceph-osd against
// kelp-mon the way a deployment does (osd new, auth add, mkfs, start),
// waits for it to be marked up, creates a pool, and stores and reads an
// object with the real rados CLI: boot, incremental maps with their
// full_crc and PG creation all go through kelp-mon.
func TestRealOSDBootsAgainstKelpMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-osd", "ceph", "rados", "ceph-authtool")
	c := harness.StartKelpMon(t, harness.Options{Conf: map[string]string{
		"osd objectstore":           "memstore",
		"memstore device bytes":     "268435456",
		"osd crush chooseleaf type": "0",
		"osd pool default size":     "1",
	}})
	c.AddOSD()
	waitFor(t, c, "the OSD to come up", func() bool {
		var st struct {
			NumUp int `json:"num_up_osds"`
		}
		out := cephOut(t, c, "osd", "stat", "-f", "json")
		return json.Unmarshal([]byte(out), &st) == nil && st.NumUp == 1
	})
	tree := cephOut(t, c, "osd", "tree")
	if !strings.Contains(tree, "osd.0") || !strings.Contains(tree, " up ") {
		t.Fatalf("osd tree after boot:\n%s", tree)
	}
	cephOut(t, c, "osd", "pool", "create", "p1", "8")
	waitFor(t, c, "the pool's PGs to be created", func() bool {
		return !strings.Contains(cephOut(t, c, "osd", "pool", "ls", "detail"), "creating")
	})
	in := filepath.Join(c.Dir, "in")
	if err := os.WriteFile(in, []byte("hello kelp"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rados := func(args ...string) {
		t.Helper()
		all := append([]string{"-c", c.ConfPath, "-p", "p1"}, args...)
		if out, err := exec.CommandContext(ctx, "rados", all...).CombinedOutput(); err != nil {
			t.Fatalf("rados %v: %v: %s", args, err, out)
		}
	}
	out := filepath.Join(c.Dir, "out")
	rados("put", "o1", in)
	rados("get", "o1", out)
	if b, err := os.ReadFile(out); err != nil || string(b) != "hello kelp" {
		t.Fatalf("read back %q, %v", b, err)
	}
	// Pool snapshots go through MPoolOp.
	rados("mksnap", "s1")
	if d := cephOut(t, c, "osd", "pool", "ls", "detail"); !strings.Contains(d, "pool_snaps") {
		t.Fatalf("no pool snaps after mksnap:\n%s", d)
	}
	rados("rmsnap", "s1")
}

func cephOut(t *testing.T, c *harness.Cluster, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := c.Ceph(ctx, args...)
	if err != nil {
		t.Fatalf("ceph %v: %v", args, err)
	}
	return out
}

func waitFor(t *testing.T, c *harness.Cluster, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; kelp-mon log:\n%s", what, c.LogTail("mon.a"))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestOSDFailoverAgainstKelpMon runs two real OSDs with a two-replica
// pool, kills one, and checks that its peer's failure report gets it
// marked down and that every object stays readable from the survivor
// (re-peering needs new up_thru values from kelp-mon).
func TestOSDFailoverAgainstKelpMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-osd", "ceph", "rados", "ceph-authtool")
	c := harness.StartKelpMon(t, harness.Options{Conf: map[string]string{
		"osd objectstore":           "memstore",
		"memstore device bytes":     "268435456",
		"osd crush chooseleaf type": "0",
		"osd pool default size":     "2",
		"osd pool default min size": "1",
	}})
	c.AddOSD()
	c.AddOSD()
	waitFor(t, c, "both OSDs to come up", func() bool {
		return strings.Contains(cephOut(t, c, "osd", "stat"), "2 up")
	})
	cephOut(t, c, "osd", "pool", "create", "p1", "8")
	waitFor(t, c, "the pool's PGs to be created", func() bool {
		return !strings.Contains(cephOut(t, c, "osd", "pool", "ls", "detail"), "creating")
	})
	in := filepath.Join(c.Dir, "in")
	if err := os.WriteFile(in, []byte("replicated"), 0o644); err != nil {
		t.Fatal(err)
	}
	rados := func(args ...string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		all := append([]string{"-c", c.ConfPath, "-p", "p1"}, args...)
		out, err := exec.CommandContext(ctx, "rados", all...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("rados %v: %v: %s", args, err, out)
		}
		return nil
	}
	for i := range 5 {
		if err := rados("put", fmt.Sprintf("o%d", i), in); err != nil {
			t.Fatal(err)
		}
	}
	// The harness spawned kelp-mon first, then osd.0 and osd.1.
	c.Kill(2)
	waitFor(t, c, "osd.1 to be marked down", func() bool {
		return strings.Contains(cephOut(t, c, "osd", "stat"), "1 up")
	})
	out := filepath.Join(c.Dir, "out")
	for i := range 5 {
		if err := rados("get", fmt.Sprintf("o%d", i), out); err != nil {
			t.Fatal(err)
		}
	}
}
