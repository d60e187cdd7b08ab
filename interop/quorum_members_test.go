//go:build interop

package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestQuorumMonAddRm grows three monitors to four with `ceph mon add`
// and the manual procedure (getmap, --mkfs, start), then shrinks them
// back with `ceph mon rm`, ceph-mon's and kelp-mon's alike: the new
// monitor syncs and joins a quorum of four that serves reads and writes
// through it; removed, it leaves the quorum of three and exits 0. Then
// the election rules change: under the disallow strategy the leader,
// disallowed, gives way to another. The commands' exit codes and
// messages, refusals included, must be the same (addresses and ports
// aside).
func TestQuorumMonAddRm(t *testing.T) {
	kinds := []harness.MonKind{harness.CephMon, harness.KelpMon}
	var said [2][]string
	for i, kind := range kinds {
		t.Run(kind.String(), func(t *testing.T) { said[i] = addRemoveMon(t, kind) })
	}
	if t.Failed() {
		return
	}
	for i := range said[0] {
		t.Logf("%s", said[0][i])
		if said[0][i] == "mon rm d: 0 mon.d does not exist or has already been removed" && said[1][i] == "mon rm d: 0 " {
			// The CLI's monitor went out of service with the removal and
			// the CLI sent the command again elsewhere: ceph-mon applies
			// the repeat and answers so; kelp-mon answers it from its
			// request log as it answered the first copy.
			continue
		}
		if said[0][i] != said[1][i] {
			t.Errorf("step %d: ceph-mon %q, kelp-mon %q", i, said[0][i], said[1][i])
		}
	}
}

// addrRE matches the addresses and ports that differ between clusters.
var (
	addrRE = regexp.MustCompile(`\[?v[12]:127\.0\.0\.1:\d+/\d+(,v[12]:127\.0\.0\.1:\d+/\d+)*\]?|127\.0\.0\.1:\d+`)
	v2RE   = regexp.MustCompile(`v2:(127\.0\.0\.1:\d+)`)
)

func addRemoveMon(t *testing.T, kind harness.MonKind) []string {
	conf := maps.Clone(harness.FastFailover)
	if kind == harness.KelpMon {
		conf["debug mon"] = "10"
	}
	q := harness.StartQuorum(t, kind, harness.QuorumOptions{Conf: conf})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	defer func() {
		if t.Failed() {
			t.Logf("monitor logs:\n%s", q.Logs())
		}
	}()
	var said []string
	// role names monitors by what they are, not by their letters,
	// which differ between the two clusters.
	role := map[string]string{}
	// run records a CLI command's exit code and message.
	run := func(args ...string) {
		t.Helper()
		r := runCLI(t, ctx, q.ConfPath, args...)
		line := fmt.Sprintf("%s: %d %s", strings.Join(args, " "), r.code, strings.TrimSpace(r.errOut))
		for name, as := range role {
			line = strings.ReplaceAll(line, "mon."+name+" ", "mon."+as+" ")
			line = strings.ReplaceAll(line, " "+name+":", " "+as+":")
		}
		said = append(said, addrRE.ReplaceAllString(line, "ADDR"))
		t.Logf("%v: %s", kind, said[len(said)-1])
	}
	first := q.Names[0]

	start := time.Now()
	msg := q.AddMon(ctx, "d")
	said = append(said, "mon add d: "+addrRE.ReplaceAllString(strings.TrimSpace(msg), "ADDR"))
	q.WaitQuorum(ctx, "a", "b", "c", "d")
	t.Logf("%v: mon.d added and in a quorum of four after %v", kind, time.Since(start).Round(time.Millisecond))
	if _, err := q.Ceph(ctx, "d", "config-key", "set", "via-d", "yes"); err != nil {
		t.Fatalf("%v: config-key set through mon.d: %v", kind, err)
	}
	for _, n := range q.Names {
		waitValue(t, ctx, q, n, "via-d", "yes")
	}
	stat, err := q.Ceph(ctx, "", "mon", "stat")
	if err != nil || !strings.Contains(stat, "4 mons at") {
		t.Fatalf("%v: mon stat with four: %v %s", kind, err, stat)
	}

	// Refusals and no-ops, the same on both.
	v2 := func(name string) string { return v2RE.FindStringSubmatch(q.Addrs[name])[1] }
	run("mon", "add", "d", v2(first))
	run("mon", "add", "e", v2("d"))
	run("mon", "rm", "nosuch")

	start = time.Now()
	run("mon", "rm", "d")
	if os.Getenv("KELP_KEEP_LOGS") != "" {
		defer func() { t.Logf("%v: logs in %s", kind, q.KeepLogs()) }()
	}
	if code := q.WaitExit("d", 30*time.Second); code != 0 {
		t.Errorf("%v: mon.d exited %d after its removal, want 0", kind, code)
	}
	q.WaitQuorum(ctx, "a", "b", "c")
	t.Logf("%v: mon.d removed, exited, quorum of three after %v", kind, time.Since(start).Round(time.Millisecond))
	if _, err := q.Ceph(ctx, "", "config-key", "set", "after-rm", "yes"); err != nil {
		t.Fatalf("%v: write after mon rm: %v", kind, err)
	}
	stat, err = q.Ceph(ctx, "", "mon", "stat")
	if err != nil || !strings.Contains(stat, "3 mons at") {
		t.Fatalf("%v: mon stat after mon rm: %v %s", kind, err, stat)
	}

	// Election rules: under the disallow strategy a disallowed leader
	// steps down and another monitor leads.
	leader := q.WaitQuorum(ctx, q.Names...).Leader
	others := slices.DeleteFunc(slices.Clone(q.Names), func(n string) bool { return n == leader })
	role[leader], role[others[0]], role[others[1]] = "LEADER", "OTHER1", "OTHER2"
	run("mon", "add", "disallowed_leader", leader)
	run("mon", "set", "election_strategy", "disallow")
	run("mon", "set", "election_strategy", "disallow")
	start = time.Now()
	run("mon", "add", "disallowed_leader", leader)
	for {
		qs := q.WaitQuorum(ctx, q.Names...)
		if qs.Leader != leader {
			t.Logf("%v: mon.%s disallowed; mon.%s leads %v later", kind, leader, qs.Leader, time.Since(start).Round(time.Millisecond))
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%v: mon.%s still leads after it was disallowed", kind, leader)
		}
		time.Sleep(200 * time.Millisecond)
	}
	run("mon", "add", "disallowed_leader", leader)
	run("mon", "add", "disallowed_leader", others[0])
	run("mon", "add", "disallowed_leader", others[1])
	run("mon", "rm", "disallowed_leader", others[0])
	run("mon", "rm", "disallowed_leader", others[0])
	run("mon", "rm", "disallowed_leader", "nosuch")
	var dump struct {
		Strategy int `json:"election_strategy"`
		// Ceph's key has the colon and space in it.
		Disallowed string `json:"disallowed_leaders: "`
	}
	out, err := q.Ceph(ctx, "", "mon", "dump", "-f", "json")
	if err != nil || json.Unmarshal([]byte(out), &dump) != nil {
		t.Fatalf("%v: mon dump: %v %s", kind, err, out)
	}
	said = append(said, fmt.Sprintf("mon dump: strategy %d, disallowed %q", dump.Strategy, role[dump.Disallowed]))
	if dump.Strategy != 2 || !strings.Contains(dump.Disallowed, leader) {
		t.Errorf("%v: mon dump after the changes: strategy %d, disallowed leaders %q", kind, dump.Strategy, dump.Disallowed)
	}
	run("mon", "rm", "disallowed_leader", leader)
	run("mon", "set", "election_strategy", "classic")
	q.WaitQuorum(ctx, q.Names...)
	return said
}

// TestQuorumGrowsFromOne starts one monitor, as `kelp-mon dev` or a
// first ceph-mon does, and grows it to three with `ceph mon add` and
// the manual procedure, ceph-mon's and kelp-mon's alike: what was
// written to the lone monitor is read through the last one added, and
// writes go through every monitor.
func TestQuorumGrowsFromOne(t *testing.T) {
	for _, kind := range []harness.MonKind{harness.CephMon, harness.KelpMon} {
		t.Run(kind.String(), func(t *testing.T) {
			q := harness.StartQuorum(t, kind, harness.QuorumOptions{Names: []string{"a"}, Conf: harness.FastFailover})
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
			defer cancel()
			defer func() {
				if t.Failed() {
					t.Logf("monitor logs:\n%s", q.Logs())
				}
			}()
			if _, err := q.Ceph(ctx, "", "config-key", "set", "alone", "yes"); err != nil {
				t.Fatalf("%v: write to the lone monitor: %v", kind, err)
			}
			for _, name := range []string{"b", "c"} {
				start := time.Now()
				q.AddMon(ctx, name)
				q.WaitQuorum(ctx, q.Names...)
				t.Logf("%v: mon.%s added, quorum %v after %v", kind, name, q.Names, time.Since(start).Round(time.Millisecond))
			}
			waitValue(t, ctx, q, "c", "alone", "yes")
			for _, via := range q.Names {
				if _, err := q.Ceph(ctx, via, "config-key", "set", "via-"+via, via); err != nil {
					t.Fatalf("%v: write through mon.%s: %v", kind, via, err)
				}
			}
			for _, from := range q.Names {
				for _, via := range q.Names {
					waitValue(t, ctx, q, from, "via-"+via, via)
				}
			}
		})
	}
}

// TestQuorumMonJoin starts a fourth monitor outside the monmap, with only
// its address (--public-addr), ceph-mon's and kelp-mon's alike: it asks
// the quorum to add it (MMonJoin), syncs and joins a quorum of four that
// serves writes through it.
func TestQuorumMonJoin(t *testing.T) {
	for _, kind := range []harness.MonKind{harness.CephMon, harness.KelpMon} {
		t.Run(kind.String(), func(t *testing.T) {
			q := harness.StartQuorum(t, kind, harness.QuorumOptions{Conf: harness.FastFailover})
			ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
			defer cancel()
			defer func() {
				if t.Failed() {
					t.Logf("monitor logs:\n%s", q.Logs())
				}
			}()
			start := time.Now()
			q.JoinMon(ctx, "d")
			q.WaitQuorum(ctx, q.Names...)
			t.Logf("%v: mon.d joined by asking; quorum of four after %v", kind, time.Since(start).Round(time.Millisecond))
			if _, err := q.Ceph(ctx, "d", "config-key", "set", "joined", "yes"); err != nil {
				t.Fatalf("%v: write through mon.d: %v", kind, err)
			}
			for _, n := range q.Names {
				waitValue(t, ctx, q, n, "joined", "yes")
			}
		})
	}
}
