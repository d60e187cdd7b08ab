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

// TestInteropTypedAndSubscribe: the typed helpers decode a real mon's
// answers, and an osdmap subscription follows pool creation through
// incrementals that all verify against the mon's full_crc.
func TestInteropTypedAndSubscribe(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := client.Connect(ctx, client.Options{ConfPath: cl.ConfPath})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	osdmaps, err := c.Subscribe(ctx, "osdmap")
	if err != nil {
		t.Fatal(err)
	}
	monmaps, _ := c.Subscribe(ctx, "monmap")
	mgrmaps, _ := c.Subscribe(ctx, "mgrmap")
	if u := <-monmaps; u.Epoch != 1 {
		t.Fatalf("monmap update %+v", u)
	}
	if u := <-mgrmaps; u.Epoch < 1 {
		t.Fatalf("mgrmap update %+v", u)
	}
	first := <-osdmaps
	for i := 1; i <= 3; i++ {
		if _, _, err := c.MonCommand(ctx, map[string]any{"prefix": "osd pool create", "pool": "p" + string(rune('0'+i)), "pg_num": 8}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var last client.Update
	for last.Epoch < first.Epoch+3 {
		select {
		case last = <-osdmaps:
			t.Logf("osdmap e%d", last.Epoch)
		case <-ctx.Done():
			t.Fatalf("osdmap updates stopped at e%d", last.Epoch)
		}
	}
	st := c.Stats()
	if st.OSDMapFallbacks != 0 || st.OSDMapInc < 3 {
		t.Fatalf("stats %+v: incrementals did not verify", st)
	}
	t.Logf("stats %+v", st)

	pools, err := c.PoolList(ctx)
	if err != nil || len(pools) != 3 || pools[0].Name != "p1" || pools[0].PGNum != 8 {
		t.Fatalf("PoolList: %+v %v", pools, err)
	}
	d, err := c.OSDDump(ctx)
	if err != nil || uint32(d.Epoch) != last.Epoch || len(d.Pools) != 3 {
		t.Fatalf("OSDDump: %+v %v", d, err)
	}
	s, err := c.Status(ctx)
	if err != nil || s.FSID != cl.FSID.String() || len(s.QuorumNames) != 1 || s.OSDMap.Epoch != d.Epoch {
		t.Fatalf("Status: %+v %v", s, err)
	}
	h, err := c.Health(ctx)
	if err != nil || h.Status == "" {
		t.Fatalf("Health: %+v %v", h, err)
	}
	m, err := c.MonDump(ctx)
	if err != nil || m.FSID != cl.FSID.String() || len(m.Mons) != 1 {
		t.Fatalf("MonDump: %+v %v", m, err)
	}
	newest, _, err := c.GetVersion(ctx, "osdmap")
	if err != nil || newest != uint64(d.Epoch) {
		t.Fatalf("GetVersion osdmap %d, osd dump epoch %d: %v", newest, d.Epoch, err)
	}
}
