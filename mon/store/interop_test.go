//go:build interop

package store

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func kvstoreTool(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("ceph-kvstore-tool"); err != nil {
		t.Fatalf("ceph-kvstore-tool not installed: %v", err)
	}
	out, err := exec.Command("ceph-kvstore-tool", args...).Output()
	if err != nil {
		t.Fatalf("ceph-kvstore-tool %v: %v", args, err)
	}
	return string(out)
}

// TestInteropKVStoreTool: Ceph's ceph-kvstore-tool (KeyValueDB over
// LevelDB, as ceph-mon with mon_keyvaluedb=leveldb) reads what kelp wrote,
// and kelp reads what the tool wrote: same key layout, same values.
func TestInteropKVStoreTool(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db")
	s, err := OpenLevelDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	tx := NewTransaction()
	tx.Put("paxos", "1", []byte("first"))
	tx.PutU64("paxos", "last_committed", 1)
	tx.Put("osdmap", "full_1", []byte("map"))
	tx.Put("osdmap", "gone", []byte("x"))
	tx.EraseRange("osdmap", "g", "h")
	if err := s.Apply(tx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	var got []string
	for _, line := range strings.Split(strings.TrimSpace(kvstoreTool(t, "leveldb", dir, "list")), "\n") {
		got = append(got, strings.ReplaceAll(line, "\t", "/"))
	}
	want := []string{"osdmap/full_1", "paxos/1", "paxos/last_committed"}
	if !slices.Equal(got, want) {
		t.Fatalf("ceph-kvstore-tool lists %q, want %q", got, want)
	}
	out := filepath.Join(t.TempDir(), "v")
	kvstoreTool(t, "leveldb", dir, "get", "paxos", "1", "out", out)
	if b, _ := os.ReadFile(out); string(b) != "first" {
		t.Fatalf("paxos/1 = %q", b)
	}

	in := filepath.Join(t.TempDir(), "in")
	os.WriteFile(in, []byte("from ceph"), 0o644)
	kvstoreTool(t, "leveldb", dir, "set", "monmap", "last_committed", "in", in)
	kvstoreTool(t, "leveldb", dir, "rm", "osdmap", "full_1")
	s, err = OpenLevelDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Get("monmap", "last_committed"); err != nil || string(v) != "from ceph" {
		t.Fatalf("monmap/last_committed = %q, %v", v, err)
	}
	if ok, _ := s.Exists("osdmap", "full_1"); ok {
		t.Fatal("key removed by ceph-kvstore-tool still there")
	}
}
