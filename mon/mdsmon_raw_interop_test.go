//go:build interop

package mon_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/client"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// rawResult is a monitor's answer to a command sent as librados sends it.
type rawResult struct {
	errno  int
	status string
	out    string
}

func rawCommand(t *testing.T, cl *client.Client, cmd map[string]any) rawResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, status, err := cl.MonCommand(ctx, cmd, nil)
	var ce *client.CommandError
	switch {
	case errors.As(err, &ce):
		return rawResult{errno: int(ce.Errno), status: ce.Status}
	case err != nil:
		t.Fatalf("%v: %v", cmd, err)
	}
	return rawResult{status: status, out: string(out)}
}

// TestRawFSAndClassCommandsMatchCephMon sends file system and device class
// commands straight to the monitors, as a librados program does, and
// compares the errno, status and output of each: what the CLI shows
// (exit code, one stderr text) does not tell a status of 0 from 1, nor
// which of status and output a text came from.
func TestRawFSAndClassCommandsMatchCephMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph")
	conf := map[string]string{"osd pool default size": "1"}
	real := harness.StartMon(t, harness.Options{Conf: conf})
	kelp := harness.StartKelpMon(t, harness.Options{Conf: conf})
	connect := func(c *harness.Cluster) *client.Client {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cl, err := client.Connect(ctx, client.Options{ConfPath: c.ConfPath})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		return cl
	}
	rc, kc := connect(real), connect(kelp)
	fs := func(v, val string) map[string]any {
		return map[string]any{"prefix": "fs set", "fs_name": "cephfs", "var": v, "val": val}
	}
	for _, c := range []map[string]any{
		{"prefix": "osd pool create", "pool": "meta", "pg_num": 8},
		{"prefix": "osd pool create", "pool": "data", "pg_num": 8},
		{"prefix": "fs new", "fs_name": "cephfs", "metadata": "meta", "data": "data"},
		// Values outside a CephChoices list ("fs set cephfs nosuch 1",
		// "fs flag set other true") reach the handlers of a Pacific
		// ceph-mon, which checks no argument of a monitor command itself;
		// kelp-mon's matcher refuses them ("'nosuch' not belong to ...").
		fs("balancer", "x"), fs("balancer", ""), fs("max_file_size", "131072"), fs("session_timeout", "61"),
		{"prefix": "fs flag set", "flag_name": "enable_multiple", "val": "true"},
		{"prefix": "fs add_data_pool", "fs_name": "nope", "pool": "data"},
		{"prefix": "fs rm_data_pool", "fs_name": "cephfs", "pool": "data"},
		{"prefix": "osd crush class create", "class": "zz"},
		{"prefix": "osd crush class ls"},
		{"prefix": "osd crush class ls", "format": "json"},
		{"prefix": "osd crush class ls-osd", "class": "zz"},
		{"prefix": "osd crush class rename", "srcname": "zz", "dstname": "yy"},
		{"prefix": "osd crush class rm", "class": "yy"},
		{"prefix": "osd crush class rm", "class": "yy"},
	} {
		r, k := rawCommand(t, rc, c), rawCommand(t, kc, c)
		if r != k {
			t.Errorf("%v:\nceph-mon: %+v\nkelp-mon: %+v", c, r, k)
		}
	}
}
