//go:build interop

package interop

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// waitValue polls config-key get on one monitor until it answers want.
func waitValue(t *testing.T, ctx context.Context, q *harness.Quorum, mon, key, want string) {
	t.Helper()
	var out string
	var err error
	for ctx.Err() == nil {
		if out, err = q.Ceph(ctx, mon, "config-key", "get", key); err == nil && out == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("mon.%s: config-key get %s = %q, %v; want %q\n%s", mon, key, out, err, want, q.Logs())
}

// TestKelpQuorum runs three kelp-mons as one cluster and checks with the
// real ceph CLI: a quorum of three, writes through any monitor readable
// from every monitor, a new leader after kill -9 of the leader with
// writes going on and nothing acknowledged lost, and the old leader
// rejoining with every value.
func TestKelpQuorum(t *testing.T) {
	q := harness.NewQuorum(t, harness.KelpMon, harness.QuorumOptions{Conf: harness.FastFailover})
	for _, n := range q.Names {
		q.Start(n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	qs := q.WaitQuorum(ctx, "a", "b", "c")
	// monmaptool ranks monitors by address; the lowest rank leads.
	leader := qs.QuorumNames[0]
	if qs.Leader != leader || !slices.Equal(qs.Quorum, []int{0, 1, 2}) || qs.ElectionEpoch%2 != 0 {
		t.Fatalf("quorum_status %+v: want the lowest rank leading, an even epoch", qs)
	}
	stat, err := q.Ceph(ctx, "", "mon", "stat")
	if err != nil || !strings.Contains(stat, "3 mons at") || !strings.Contains(stat, "leader 0 "+leader) ||
		!strings.Contains(stat, "quorum 0,1,2 "+strings.Join(qs.QuorumNames, ",")) {
		t.Fatalf("mon stat: %v\n%s", err, stat)
	}

	// Writes through each monitor are readable from all of them.
	acked := map[string]string{}
	for _, via := range q.Names {
		key, val := "k-"+via, "v-"+via
		if _, err := q.Ceph(ctx, via, "config-key", "set", key, val); err != nil {
			t.Fatalf("config-key set via mon.%s: %v\n%s", via, err, q.Logs())
		}
		acked[key] = val
	}
	for key, val := range acked {
		for _, from := range q.Names {
			waitValue(t, ctx, q, from, key, val)
		}
	}

	// kill -9 of the leader: the other two elect the lower rank of
	// theirs, and writes continue.
	q.Kill(leader)
	killed := time.Now()
	rest := slices.DeleteFunc(slices.Clone(q.Names), func(n string) bool { return n == leader })
	qs = q.WaitQuorum(ctx, rest...)
	t.Logf("new quorum %v leader %s %.1fs after kill -9 of mon.%s", qs.QuorumNames, qs.Leader, time.Since(killed).Seconds(), leader)
	if qs.Leader != qs.QuorumNames[0] {
		t.Fatalf("leader after failover %q, want %s", qs.Leader, qs.QuorumNames[0])
	}
	for i := range 15 {
		via := rest[i%2]
		key, val := fmt.Sprintf("after-%d", i), fmt.Sprintf("w%d", i)
		if _, err := q.Ceph(ctx, via, "config-key", "set", key, val); err != nil {
			t.Fatalf("config-key set via mon.%s after failover: %v\n%s", via, err, q.Logs())
		}
		acked[key] = val
	}
	for key, val := range acked {
		for _, from := range rest {
			waitValue(t, ctx, q, from, key, val)
		}
	}

	// The old leader comes back, syncs what it missed and rejoins.
	q.Start(leader)
	q.WaitQuorum(ctx, "a", "b", "c")
	for key, val := range acked {
		waitValue(t, ctx, q, leader, key, val)
	}
	// Fifteen commits is more than paxos_max_join_drift (10): probing
	// finds the old leader too far behind to join by Paxos recovery, so
	// it copies the store from a peer first (as ceph-mon, it ignores
	// election messages until probing lets it join).
	log, _ := os.ReadFile(filepath.Join(q.Dir, "log", "mon."+leader+".stderr"))
	if !strings.Contains(string(log), "store synchronized") {
		t.Fatalf("mon.%s rejoined without synchronizing its store:\n%s", leader, q.Logs())
	}
}
