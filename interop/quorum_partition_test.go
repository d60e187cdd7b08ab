//go:build interop

package interop

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestKelpQuorumPartitionLeader splits the network of three kelp-mons,
// the leader on one side and its two peons on the other, through the
// harness's proxies: every connection between the sides is refused or
// closed. Clients first sit on the old leader's side, where it
// acknowledges no write (sent at once, while it may still hold its
// lease) and serves no read, while the peons elect a new leader; then on
// the peons' side, where writes through either are acknowledged (the
// real CLI aimed at each). Once the network heals the quorum of three
// returns and every monitor has every acknowledged write. The times to
// the new quorum and back to three, as the monitors' admin sockets tell
// them, are logged to compare with ceph-mon's.
func TestKelpQuorumPartitionLeader(t *testing.T) {
	checkPartition(t, harness.KelpMon, true)
}

// TestCephQuorumPartitionLeader runs the same against three ceph-mons,
// the oracle.
func TestCephQuorumPartitionLeader(t *testing.T) {
	checkPartition(t, harness.CephMon, true)
}

// TestKelpQuorumPartitionPeon cuts one peon off: the leader and the
// other peon keep serving, the lone peon does not, and it catches up
// after the heal.
func TestKelpQuorumPartitionPeon(t *testing.T) {
	checkPartition(t, harness.KelpMon, false)
}

// TestCephQuorumPartitionPeon runs the same against three ceph-mons.
func TestCephQuorumPartitionPeon(t *testing.T) {
	checkPartition(t, harness.CephMon, false)
}

// checkPartition cuts the leader (cutLeader) or the highest-ranked peon
// off from the two other monitors of a cluster of kind, and heals it.
// Clients are first on the lone monitor's side, then on the majority's.
func checkPartition(t *testing.T, kind harness.MonKind, cutLeader bool) {
	conf := maps.Clone(harness.FastFailover)
	if kind == harness.KelpMon {
		conf["debug mon"] = "10" // elections and Paxos logged, for a failure to be explained
	}
	q := harness.NewQuorum(t, kind, harness.QuorumOptions{Conf: conf, Proxy: true})
	for _, n := range q.Names {
		q.Start(n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	qs := q.WaitQuorum(ctx, q.Names...)
	lone, role := qs.Leader, "leader"
	if !cutLeader {
		lone, role = qs.QuorumNames[len(qs.QuorumNames)-1], "peon"
	}
	rest := slices.DeleteFunc(slices.Clone(q.Names), func(n string) bool { return n == lone })
	acked := map[string]string{}
	set := func(via, key, val string) {
		t.Helper()
		if _, err := q.Ceph(ctx, via, "config-key", "set", key, val); err != nil {
			t.Fatalf("config-key set %s via mon.%s: %v\n%s", key, via, err, q.Logs())
		}
		acked[key] = val
	}
	set(lone, "part/before", "1")

	// Clients with the lone monitor: the CLI cannot hunt its way to the
	// majority.
	q.Partition([]string{lone, harness.Clients}, rest)
	cut := time.Now()
	// A write through the lone monitor sent at once, while it may still
	// hold its lease: it cannot gather a majority.
	loneSet := make(chan error, 1)
	go func() {
		wctx, wcancel := context.WithTimeout(ctx, 8*time.Second)
		defer wcancel()
		_, err := q.Ceph(wctx, lone, "config-key", "set", "part/during", "x")
		loneSet <- err
	}()
	nq := q.WaitMonsInQuorum(ctx, rest...)
	elected := time.Since(cut)
	t.Logf("%s: %s mon.%s cut off; mon.%s leads %v %.2fs after the cut (election epoch %d)",
		kind, role, lone, nq.Name, nq.QuorumNames(), elected.Seconds(), nq.ElectionEpoch)
	if err := <-loneSet; err == nil {
		t.Fatalf("config-key set through the cut-off mon.%s was acknowledged\n%s", lone, q.Logs())
	} else {
		t.Logf("config-key set through the cut-off mon.%s: %v", lone, firstLine(err.Error()))
	}
	// Its lease long over and out of quorum, it must not answer reads.
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
	out, err := q.Ceph(rctx, lone, "config-key", "get", "part/before")
	rcancel()
	if err == nil {
		t.Fatalf("config-key get through the cut-off mon.%s answered %q without a quorum\n%s", lone, out, q.Logs())
	}
	t.Logf("config-key get through the cut-off mon.%s: %v", lone, firstLine(err.Error()))
	if st, err := q.MonStatus(lone); err != nil || st.State == "leader" || st.State == "peon" {
		t.Fatalf("the cut-off mon.%s says it is %s of %v (%v)", lone, st.State, st.QuorumNames(), err)
	} else {
		t.Logf("the cut-off mon.%s is %s", lone, st.State)
	}

	// Clients with the majority, which acknowledges writes through
	// either of its monitors.
	q.Partition([]string{lone}, append(slices.Clone(rest), harness.Clients))
	moved := time.Now()
	for _, via := range rest {
		set(via, "part/during-"+via, via)
	}
	t.Logf("%s: %d writes through the majority acknowledged in %.2fs", kind, len(rest), time.Since(moved).Seconds())

	q.Heal()
	healed := time.Now()
	q.WaitMonsInQuorum(ctx, q.Names...)
	t.Logf("%s: quorum of three %.2fs after the heal", kind, time.Since(healed).Seconds())
	q.WaitQuorum(ctx, q.Names...) // as the CLI sees it too
	for _, from := range q.Names {
		for key, val := range acked {
			waitValue(t, ctx, q, from, key, val)
		}
	}
	// Never acknowledged, "part/during" may or may not have been
	// recovered by the new leader: either is correct Paxos.
	_, err = q.Ceph(ctx, lone, "config-key", "exists", "part/during")
	t.Logf("the unacknowledged write exists after the heal: %v", err == nil)
}
