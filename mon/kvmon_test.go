package mon

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/kelp-ceph/kelp/mon/store"
)

// applyNow is a consensus of one that applies each proposal at once; the
// real single-monitor path goes through Paxos (paxos.go).
type applyNow struct {
	m *Monitor
}

func (a *applyNow) propose(tx *store.Transaction) error {
	if err := a.m.store.Apply(tx); err != nil {
		return err
	}
	a.m.committed()
	return nil
}

func testMonitor(t *testing.T) *Monitor {
	t.Helper()
	m := newMonitor("a", store.NewMem(), nil)
	m.cons = &applyNow{m}
	if err := m.refreshAll(); err != nil {
		t.Fatal(err)
	}
	return m
}

type result struct {
	r   int
	rs  string
	out string
}

// run sends one command through the service that knows it and waits for
// its reply, proposing as the monitor loop would.
func run(t *testing.T, m *Monitor, args map[string]any) result {
	t.Helper()
	var res *result
	req := &request{prefix: args["prefix"].(string), args: args,
		reply: func(r int, rs string, out []byte) { res = &result{r, rs, string(out)} }}
	handled := false
	for _, s := range m.services {
		if s.command(req) {
			handled = true
			break
		}
	}
	if !handled {
		t.Fatalf("no service handles %q", req.prefix)
	}
	m.maybePropose()
	if res == nil {
		t.Fatalf("%v: no reply", args)
	}
	return *res
}

func TestConfigKeyCommands(t *testing.T) {
	m := testMonitor(t)
	cmd := func(prefix string, kv ...string) map[string]any {
		a := map[string]any{"prefix": prefix}
		for i := 0; i+1 < len(kv); i += 2 {
			a[kv[i]] = kv[i+1]
		}
		return a
	}
	// Expected results as a Pacific ceph-mon gives them (see the interop
	// test that runs the same commands against both).
	for _, c := range []struct {
		args map[string]any
		want result
	}{
		{cmd("config-key set", "key", "a/b", "val", "hello"), result{0, "set a/b", ""}},
		{cmd("config-key set", "key", "a/c"), result{0, "set a/c", ""}},
		{cmd("config-key get", "key", "a/b"), result{0, "", "hello"}},
		{cmd("config-key get", "key", "nope"), result{-int(syscall.ENOENT), "", ""}},
		{cmd("config-key exists", "key", "a/b"), result{0, "key 'a/b' exists", ""}},
		{cmd("config-key exists", "key", "nope"), result{-int(syscall.ENOENT), "key 'nope' doesn't exist", ""}},
		{cmd("config-key ls", "format", "json"), result{0, "", `["a/b","a/c"]` + "\n"}},
		{cmd("config-key dump", "key", "a/", "format", "json"), result{0, "", `{"a/b":"hello","a/c":""}` + "\n"}},
		{cmd("config-key rm", "key", "a/c"), result{0, "key deleted", ""}},
		{cmd("config-key rm", "key", "nope"), result{0, "key deleted", ""}},
		{cmd("config-key set", "key", "bin", "val", "\x01\x02"), result{0, "set bin", ""}},
		{cmd("config-key dump", "format", "json"), result{0, "", `{"a/b":"hello","bin":"<<< binary blob of length 2 >>>"}` + "\n"}},
		{cmd("config-key set"), result{-int(syscall.EINVAL), "must specify a key", ""}},
		{cmd("config-key set", "key", "big", "val", strings.Repeat("x", 65537)),
			result{-int(syscall.EFBIG), "error: entry size limited to 65536 bytes. Use 'mon config key max entry size' to manually adjust", ""}},
	} {
		if got := run(t, m, c.args); got != c.want {
			t.Errorf("%v:\n got %+v\nwant %+v", c.args, got, c.want)
		}
	}
	// Every write was one committed version with its delta.
	if v, _ := store.GetU64(m.store, "kv", "last_committed"); v != 5 || m.kv.version != 5 {
		t.Fatalf("kv at version %d (service %d), want 5", v, m.kv.version)
	}
	if b, err := store.GetVersion(m.store, "kv", 1); err != nil || fmt.Sprintf("%x", b) != "0100000003000000612f62010500000068656c6c6f" {
		t.Fatalf("delta of version 1: %x %v", b, err)
	}
}
