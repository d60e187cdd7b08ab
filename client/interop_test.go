//go:build interop

package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/client"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestInteropConnectCommand: connect with cephx (secure mode, as stock
// clients do) and with auth none to a real ceph-mon 16.2, run mon dump,
// and see a bad command come back as an errno error.
func TestInteropConnectCommand(t *testing.T) {
	for _, authMode := range []string{"cephx", "none"} {
		t.Run(authMode, func(t *testing.T) {
			cl := harness.StartMon(t, harness.Options{Auth: authMode})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, err := client.Connect(ctx, client.Options{ConfPath: cl.ConfPath, Keyring: cl.KeyringPath})
			if err != nil {
				t.Fatalf("connect: %v\n%s", err, cl.LogTail("mon.a"))
			}
			defer c.Close()
			if c.FSID() != cl.FSID {
				t.Fatalf("fsid %s, want %s", c.FSID(), cl.FSID)
			}
			out, status, err := c.MonCommand(ctx, map[string]any{"prefix": "mon dump", "format": "json"}, nil)
			if err != nil {
				t.Fatalf("mon dump: %v", err)
			}
			var dump struct {
				FSID  string `json:"fsid"`
				Epoch int    `json:"epoch"`
			}
			if err := json.Unmarshal(out, &dump); err != nil || dump.FSID != cl.FSID.String() {
				t.Fatalf("mon dump %q: %v", out, err)
			}
			t.Logf("mon dump: status %q, epoch %d, global id %d", status, dump.Epoch, c.GlobalID())

			_, status, err = c.MonCommand(ctx, `{"prefix": "osd pool get", "pool": "nonexistent", "var": "size"}`, nil)
			if !errors.Is(err, syscall.ENOENT) {
				t.Fatalf("osd pool get on a missing pool: err %v, want ENOENT", err)
			}
			t.Logf("missing pool: %v (status %q)", err, status)

			newest, oldest, err := c.GetVersion(ctx, "osdmap")
			if err != nil || newest < 1 {
				t.Fatalf("get_version osdmap: %d %d %v", newest, oldest, err)
			}
		})
	}
}

// TestInteropWrongKey: a wrong key is refused at the authenticate step,
// quickly, with EACCES.
func TestInteropWrongKey(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := client.Connect(ctx, client.Options{ConfPath: cl.ConfPath, Key: "AQBzg+xkAAAAABAAkvPjxYJHSH7B3ZEJc96cbA=="})
	if err == nil {
		t.Fatal("connected with a wrong key")
	}
	if !errors.Is(err, syscall.EACCES) || ctx.Err() != nil {
		t.Fatalf("wrong key: %v (want a prompt EACCES)", err)
	}
	t.Logf("wrong key: %v", err)
}
