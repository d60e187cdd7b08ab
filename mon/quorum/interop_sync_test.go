//go:build interop

package quorum

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// TestInteropSyncFromRealMon: kelp's SyncRequester copies a real Pacific
// monitor's store through MMonSync (full sync, small chunks), and the
// copy matches the real store as ceph-kvstore-tool reads it once the
// monitor is stopped.
func TestInteropSyncFromRealMon(t *testing.T) {
	harness.RequireBinaries(t, "ceph-kvstore-tool")
	c := harness.StartMon(t, harness.Options{Auth: "none", Conf: map[string]string{
		"mon sync max payload size": "4096", "debug mon": "10", "debug ms": "1"}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for i := range 20 {
		if _, err := c.Ceph(ctx, "config-key", "set", fmt.Sprintf("kelp/k%02d", i), strings.Repeat("v", 300+i)); err != nil {
			t.Fatal(err)
		}
	}
	in := make(chan received, 64)
	reg := msg.NewRegistry()
	RegisterMessages(reg)
	m := msgr2.NewMessenger(msgr2.Config{
		Name: encoding.EntityName{Type: encoding.EntityMon, ID: "x"}, Num: 1, Registry: reg,
		NewAuthClient: func(encoding.EntityType) msgr2.AuthClient {
			return &msgr2.AuthNoneClient{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "x"}}
		},
		Dispatcher: msgr2.DispatcherFunc(func(c *msgr2.Conn, m msgr2.Message) { in <- received{c, m} }),
	})
	defer m.Close()
	conn, err := m.Dial(ctx, c.MonAddrs, encoding.EntityMon)
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMem()
	targets := []string{"auth", "config", "health", "logm", "mgr", "mgr_command_descs", "mgr_metadata", "mgrstat",
		"mon_config_key", "monitor", "monmap", "osd_metadata", "osd_pg_creating", "osd_snap", "osdmap", "paxos"}
	req, res, err := StartSync(time.Now(), st, targets, 0, true, nil, DefaultSyncConfig())
	if err != nil {
		t.Fatal(err)
	}
	chunks := 0
	for !res.Done {
		if res.Failed {
			t.Fatalf("sync failed\n%s", c.LogTail("mon.a"))
		}
		for _, env := range res.Messages {
			if err := conn.Send(env.Msg); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case r := <-in:
			sm, ok := r.m.(*msg.MonSync)
			if !ok {
				res = SyncResult{}
				continue
			}
			if sm.Op == msg.SyncOpChunk || sm.Op == msg.SyncOpLastChunk {
				chunks++
			}
			if res, err = req.Handle(time.Now(), 0, sm); err != nil {
				t.Fatal(err)
			}
		case <-ctx.Done():
			t.Fatalf("sync did not finish\n%s", c.LogTail("mon.a"))
		}
	}
	if chunks < 3 {
		t.Errorf("only %d chunks with 4 KB payloads", chunks)
	}
	px, err := paxos.New(paxos.DefaultConfig(), st, 1)
	if err != nil || px.LastCommitted() != res.LastCommitted || px.LastCommitted() < 20 {
		t.Fatalf("synced paxos: %v, lc %d, sync said %d", err, px.LastCommitted(), res.LastCommitted)
	}
	for i := range 20 {
		v, err := st.Get("mon_config_key", fmt.Sprintf("kelp/k%02d", i))
		if err != nil || len(v) != 300+i {
			t.Fatalf("config-key kelp/k%02d: %q %v", i, v, err)
		}
	}

	// Stop the monitor and read its store with ceph-kvstore-tool.
	c.KillMon()
	time.Sleep(500 * time.Millisecond)
	db := filepath.Join(c.Dir, "mon.a", "store.db")
	list, err := exec.Command("ceph-kvstore-tool", "rocksdb", db, "list").Output()
	if err != nil {
		t.Fatalf("ceph-kvstore-tool list: %v", err)
	}
	real := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		p, k, _ := strings.Cut(line, "\t")
		real[p] = append(real[p], k)
	}
	// Prefixes no commit touched after the sync must match key for key.
	for _, p := range []string{"mon_config_key", "monmap", "osdmap", "auth", "mgr_command_descs"} {
		var ours []string
		st.Iterate(p, "", func(k string, _ []byte) bool { ours = append(ours, k); return true })
		if len(ours) == 0 || !slices.Equal(ours, real[p]) {
			t.Errorf("prefix %s: kelp has %d keys, the real store %d\nkelp %q\nreal %q", p, len(ours), len(real[p]), ours, real[p])
		}
	}
	// Values: every synced Paxos version kelp holds is the real one.
	out := filepath.Join(t.TempDir(), "v")
	for _, v := range []uint64{px.FirstCommitted(), px.LastCommitted()} {
		if b, err := exec.Command("ceph-kvstore-tool", "rocksdb", db, "get", "paxos", store.VersionKey(v), "out", out).CombinedOutput(); err != nil {
			t.Fatalf("get paxos/%d: %v %s", v, err, b)
		}
		want, _ := os.ReadFile(out)
		got, _ := st.Get("paxos", store.VersionKey(v))
		if string(got) != string(want) {
			t.Errorf("paxos/%d differs (%d vs %d bytes)", v, len(got), len(want))
		}
	}
}
