package mon

import (
	"syscall"
	"testing"
)

// TestElectionDiscardsPending: a write that was pending, not proposed,
// when an election started is dropped with its waiting reply, and is not
// proposed later (as PaxosService::restart discards pending); the next
// write proposes only itself.
func TestElectionDiscardsPending(t *testing.T) {
	m := testMonitor(t)
	replied := false
	req := &request{prefix: "config-key set", args: cmd("config-key set", "key", "k", "val", "old"),
		reply: func(int, string, []byte) { replied = true }}
	if !m.kv.command(req) {
		t.Fatal("config-key set not handled")
	}
	if !m.wantPropose || len(m.next) != 1 {
		t.Fatalf("set did not wait for a proposal: wantPropose %v, %d waiting", m.wantPropose, len(m.next))
	}
	m.discardPending()
	m.maybePropose()
	if replied {
		t.Fatal("a discarded write was acknowledged")
	}
	if got := run(t, m, cmd("config-key get", "key", "k")); got.r != -int(syscall.ENOENT) {
		t.Fatalf("discarded write is visible: %+v", got)
	}
	if got := run(t, m, cmd("config-key set", "key", "j", "val", "new")); got.r != 0 {
		t.Fatalf("next write: %+v", got)
	}
	if got := run(t, m, cmd("config-key get", "key", "k")); got.r != -int(syscall.ENOENT) {
		t.Fatalf("discarded write came back with the next proposal: %+v", got)
	}
}
