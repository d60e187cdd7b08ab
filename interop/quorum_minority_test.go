//go:build interop

package interop

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestKelpQuorumMinority checks that a monitor cut off from the majority
// stops acknowledging writes, and that the cluster heals. It models an
// isolated minority by freezing the majority (SIGSTOP of two kelp-mons
// of three, their sockets open but silent), not by a network split:
// the lone monitor's peers stop answering rather than becoming
// unreachable, and the frozen two do not go on among themselves. The
// lone monitor is the leader, the one that would commit if it wrongly
// believed it still could. A `config-key set` through it must time out
// or fail; a `config-key get` too once its lease is long over (it has
// left the quorum by then; note that kelp-mon does not yet check the
// lease itself before a read, see TestKelpQuorumLinearizable). After SIGCONT
// the quorum of three returns and writes through every monitor work.
func TestKelpQuorumMinority(t *testing.T) {
	checkMinority(t, harness.KelpMon)
}

// TestCephQuorumMinority runs the same against three real ceph-mons,
// the oracle for what a lone monitor does.
func TestCephQuorumMinority(t *testing.T) {
	checkMinority(t, harness.CephMon)
}

func checkMinority(t *testing.T, kind harness.MonKind) {
	q := harness.NewQuorum(t, kind, harness.QuorumOptions{Conf: harness.FastFailover})
	for _, n := range q.Names {
		q.Start(n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	lone := q.WaitQuorum(ctx, q.Names...).Leader
	if _, err := q.Ceph(ctx, lone, "config-key", "set", "minority/before", "1"); err != nil {
		t.Fatalf("config-key set before the freeze: %v\n%s", err, q.Logs())
	}

	frozen := slices.DeleteFunc(slices.Clone(q.Names), func(n string) bool { return n == lone })
	for _, n := range frozen {
		q.Freeze(n)
	}
	t.Logf("froze %v, mon.%s alone", frozen, lone)
	// A write sent at once, while the lone leader may still hold its
	// lease: it cannot gather a majority of accepts.
	wctx, wcancel := context.WithTimeout(ctx, 8*time.Second)
	out, err := q.Ceph(wctx, lone, "config-key", "set", "minority/during", "x")
	wcancel()
	if err == nil {
		t.Fatalf("config-key set through the lone mon.%s was acknowledged (%q)\n%s", lone, out, q.Logs())
	}
	t.Logf("config-key set through mon.%s alone: %v", lone, firstLine(err.Error()))
	// Its lease (1s) long over and out of quorum, it must not answer
	// reads either.
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
	out, err = q.Ceph(rctx, lone, "config-key", "get", "minority/before")
	rcancel()
	if err == nil {
		t.Fatalf("config-key get through the lone mon.%s answered %q without a quorum\n%s", lone, out, q.Logs())
	}

	for _, n := range frozen {
		q.Thaw(n)
	}
	thawed := time.Now()
	q.WaitQuorum(ctx, q.Names...)
	t.Logf("quorum of three again %.1fs after SIGCONT", time.Since(thawed).Seconds())
	for _, via := range q.Names {
		if _, err := q.Ceph(ctx, via, "config-key", "set", "minority/after-"+via, via); err != nil {
			t.Fatalf("config-key set via mon.%s after the thaw: %v\n%s", via, err, q.Logs())
		}
	}
	for _, from := range q.Names {
		for _, via := range q.Names {
			waitValue(t, ctx, q, from, "minority/after-"+via, via)
		}
		waitValue(t, ctx, q, from, "minority/before", "1")
	}
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
