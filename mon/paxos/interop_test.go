//go:build interop

package paxos

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/mon/store"
)

// TestInteropMonstoreTool runs Paxos over a LevelDB store in a monitor
// data directory laid out as ceph-mon's (store.db, kv_backend), then lets
// Ceph's own ceph-monstore-tool read it: the paxos versions it dumps are
// the transactions kelp committed, and ceph-kvstore-tool sees kelp's
// first_committed/last_committed.
func TestInteropMonstoreTool(t *testing.T) {
	for _, tool := range []string{"ceph-monstore-tool", "ceph-kvstore-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed: %v", tool, err)
		}
	}
	dir := t.TempDir()
	st, err := store.OpenLevelDB(filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kv_backend"), []byte("leveldb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	px, err := New(DefaultConfig(), st, 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	if _, err := px.LeaderInit(now, 2, []int{0}); err != nil {
		t.Fatal(err)
	}
	const n = 5
	for i := range n {
		tx := store.NewTransaction()
		tx.Put("kelp", fmt.Sprintf("key%d", i), []byte("value"))
		tx.PutU64("kelp", "last_committed", uint64(i+1))
		if i == 3 {
			tx.Erase("kelp", "key0")
			tx.EraseRange("kelp", "key1", "key2")
		}
		if err := px.Propose(tx, i); err != nil {
			t.Fatal(err)
		}
		r, ok, err := px.TriggerPropose(now)
		if err != nil || !ok || len(r.Finished) != 1 {
			t.Fatalf("proposal %d: %v %v %v", i, ok, err, r)
		}
	}
	// Kelp's own dump of each version, as the tool prints it.
	var want strings.Builder
	for v := uint64(1); v <= n; v++ {
		b, err := px.Read(v)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := store.UnmarshalTransaction(b)
		if err != nil {
			t.Fatal(err)
		}
		shown := store.NewTransaction()
		shown.Append(tx)
		fmt.Fprintf(&want, "\n--- %d ---\n", v)
		shown.Dump(&want)
		want.WriteString("\n")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command("ceph-monstore-tool", dir, "dump-paxos", "--", "--start", "1", "--end", fmt.Sprint(n)).Output()
	if err != nil {
		t.Fatalf("ceph-monstore-tool: %v", err)
	}
	got := string(out)
	if i := strings.Index(got, "dumped "); i >= 0 {
		got = got[:i]
	}
	if got != want.String() {
		t.Fatalf("ceph-monstore-tool dump-paxos:\n%s\nkelp:\n%s", got, want.String())
	}
	for key, v := range map[string]uint64{KeyFirstCommitted: 1, KeyLastCommitted: n} {
		path := filepath.Join(t.TempDir(), key)
		if out, err := exec.Command("ceph-kvstore-tool", "leveldb", filepath.Join(dir, "store.db"), "get", Prefix, key, "out", path).CombinedOutput(); err != nil {
			t.Fatalf("ceph-kvstore-tool get %s: %v\n%s", key, err, out)
		}
		b, _ := os.ReadFile(path)
		var le [8]byte
		le[0] = byte(v)
		if !bytes.Equal(b, le[:]) {
			t.Errorf("%s = %x, want %d", key, b, v)
		}
	}
}
