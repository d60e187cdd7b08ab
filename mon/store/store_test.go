package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// opener returns a fresh store; reopen closes it and opens the same data
// again (the identity for Mem, which lives only in memory).
type opener struct {
	name   string
	open   func(t *testing.T) Store
	reopen func(t *testing.T, s Store) Store
}

func openers() []opener {
	return []opener{
		{
			name:   "mem",
			open:   func(t *testing.T) Store { return NewMem() },
			reopen: func(t *testing.T, s Store) Store { return s },
		},
		{
			name: "leveldb",
			open: func(t *testing.T) Store {
				dir := filepath.Join(t.TempDir(), "store.db")
				s, err := OpenLevelDB(dir)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				ldbDirs.Store(s, dir)
				return s
			},
			reopen: func(t *testing.T, s Store) Store {
				dir, _ := ldbDirs.Load(s)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				n, err := OpenLevelDB(dir.(string))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { n.Close() })
				ldbDirs.Store(n, dir)
				return n
			},
		},
	}
}

var ldbDirs sync.Map

func keysOf(t *testing.T, s Store, prefix, from string) []string {
	t.Helper()
	var ks []string
	if err := s.Iterate(prefix, from, func(k string, v []byte) bool {
		ks = append(ks, k+"="+string(v))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestContract(t *testing.T) {
	for _, o := range openers() {
		t.Run(o.name, func(t *testing.T) {
			s := o.open(t)
			if _, err := s.Get("p", "k"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get missing: %v", err)
			}
			if v, err := GetU64(s, "paxos", "last_committed"); v != 0 || err != nil {
				t.Fatalf("GetU64 missing = %d, %v", v, err)
			}

			tx := NewTransaction()
			tx.Put("p", "a", []byte("1"))
			tx.Put("p", "b", []byte("2"))
			tx.Put("p", "c", []byte("3"))
			tx.Put("p", "c\x00x", []byte("zero"))
			tx.Put("pp", "a", []byte("other prefix"))
			tx.PutU64("paxos", "last_committed", 42)
			tx.PutVersion("paxos", 42, []byte("value42"))
			tx.CompactPrefix("p")
			if err := s.Apply(tx); err != nil {
				t.Fatal(err)
			}
			if got := keysOf(t, s, "p", ""); !slices.Equal(got, []string{"a=1", "b=2", "c=3", "c\x00x=zero"}) {
				t.Errorf("p = %q", got)
			}
			if got := keysOf(t, s, "p", "b"); !slices.Equal(got, []string{"b=2", "c=3", "c\x00x=zero"}) {
				t.Errorf("p from b = %q", got)
			}
			if v, _ := GetU64(s, "paxos", "last_committed"); v != 42 {
				t.Errorf("last_committed = %d", v)
			}
			if v, _ := GetVersion(s, "paxos", 42); string(v) != "value42" {
				t.Errorf("paxos/42 = %q", v)
			}
			if ok, _ := s.Exists("pp", "a"); !ok {
				t.Error("pp/a missing")
			}

			// Ops see earlier ops of the same transaction.
			tx = NewTransaction()
			tx.Put("p", "bb", []byte("new"))
			tx.EraseRange("p", "b", "c")   // removes b and the just-put bb
			tx.Put("p", "b1", []byte("x")) // after the range erase: stays
			tx.Erase("p", "a")
			tx.Put("p", "a", []byte("again"))
			tx.Erase("p", "missing")
			if err := s.Apply(tx); err != nil {
				t.Fatal(err)
			}
			if got := keysOf(t, s, "p", ""); !slices.Equal(got, []string{"a=again", "b1=x", "c=3", "c\x00x=zero"}) {
				t.Errorf("after ranges p = %q", got)
			}

			// Early stop.
			n := 0
			s.Iterate("p", "", func(string, []byte) bool { n++; return false })
			if n != 1 {
				t.Errorf("iterate visited %d after false", n)
			}

			// A transaction with a bad op changes nothing.
			bad := NewTransaction()
			bad.Put("p", "z", []byte("z"))
			bad.Ops = append(bad.Ops, Op{Type: 77, Prefix: "p"})
			if err := s.Apply(bad); err == nil {
				t.Error("bad transaction applied")
			}
			bad = NewTransaction()
			bad.Put("bad\x00prefix", "z", nil)
			if err := s.Apply(bad); err == nil {
				t.Error("prefix with zero byte applied")
			}
			if ok, _ := s.Exists("p", "z"); ok {
				t.Error("part of a refused transaction applied")
			}

			// Returned values are the caller's.
			v, _ := s.Get("p", "c")
			v[0] = 'X'
			if v2, _ := s.Get("p", "c"); string(v2) != "3" {
				t.Error("Get aliases store memory")
			}

			s = o.reopen(t, s)
			if got := keysOf(t, s, "p", ""); !slices.Equal(got, []string{"a=again", "b1=x", "c=3", "c\x00x=zero"}) {
				t.Errorf("after reopen p = %q", got)
			}
			if err := s.ClearPrefixes("p"); err != nil {
				t.Fatal(err)
			}
			if got := keysOf(t, s, "p", ""); len(got) != 0 {
				t.Errorf("after clear p = %q", got)
			}
			if got := keysOf(t, s, "pp", ""); len(got) != 1 {
				t.Errorf("clear removed another prefix: %q", got)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get("pp", "a"); !errors.Is(err, ErrClosed) {
				t.Errorf("Get after Close: %v", err)
			}
		})
	}
}

// The crash test runs a child process that applies numbered transactions
// to a LevelDB store and prints each number once Apply returned; the
// parent kills it with SIGKILL mid-stream, reopens the store and checks
// every acknowledged transaction is there, whole.

const crashChildEnv = "KELP_STORE_CRASH_CHILD"

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashConsistency")
	}
	s, err := OpenLevelDB(dir)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	for i := 1; ; i++ {
		tx := NewTransaction()
		// Each transaction writes several keys that must appear together.
		for j := range 4 {
			tx.Put("crash", fmt.Sprintf("%08d-%d", i, j), []byte(strconv.Itoa(i)))
		}
		tx.PutU64("crash", "last", uint64(i))
		if err := s.Apply(tx); err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		fmt.Println(i)
	}
}

func TestCrashConsistency(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db")
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		acked := 0
		deadline := time.Now().Add(10 * time.Second)
		for sc.Scan() {
			n, err := strconv.Atoi(sc.Text())
			if err != nil {
				cmd.Process.Kill()
				t.Fatalf("child: %s", sc.Text())
			}
			acked = n
			if acked >= 40*(round+1) || time.Now().After(deadline) {
				break
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if acked == 0 {
			t.Fatal("child acknowledged nothing")
		}
		s, err := OpenLevelDB(dir)
		if err != nil {
			t.Fatal(err)
		}
		last, err := GetU64(s, "crash", "last")
		if err != nil {
			t.Fatal(err)
		}
		if last < uint64(acked) {
			t.Fatalf("round %d: acknowledged %d, store has %d", round, acked, last)
		}
		// Every transaction up to last is whole, and nothing beyond it
		// exists: no torn transaction.
		count := 0
		s.Iterate("crash", "0", func(k string, v []byte) bool {
			if k != "last" {
				count++
			}
			return true
		})
		if uint64(count) != 4*last {
			t.Fatalf("round %d: %d keys for %d transactions", round, count, last)
		}
		s.Close()
	}
}
