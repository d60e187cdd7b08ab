//go:build interop

package interop

import (
	"context"
	"encoding/json"
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
)

// kelpQuorum is three kelp-mon processes made the way scripts make a
// ceph-mon cluster: monmaptool with three --addv, one keyring, --mkfs
// for each.
type kelpQuorum struct {
	t        *testing.T
	bin, dir string
	confPath string
	names    []string
	addrs    map[string]string
	procs    map[string]*exec.Cmd
}

func newKelpQuorum(t *testing.T, names ...string) *kelpQuorum {
	harness.RequireBinaries(t, "monmaptool", "ceph-authtool", "ceph")
	q := &kelpQuorum{t: t, bin: harness.KelpMonBinary(t), dir: t.TempDir(), names: names,
		addrs: map[string]string{}, procs: map[string]*exec.Cmd{}}
	fsid := encoding.NewUUID().String()
	keyring := filepath.Join(q.dir, "keyring")
	q.confPath = filepath.Join(q.dir, "ceph.conf")
	var hosts []string
	mmArgs := []string{"--create", "--fsid", fsid}
	for _, n := range names {
		q.addrs[n] = fmt.Sprintf("[v2:127.0.0.1:%d]", harness.FreePort(t))
		hosts = append(hosts, q.addrs[n])
		mmArgs = append(mmArgs, "--addv", n, q.addrs[n])
	}
	// Short election timeout and lease so that a failover takes seconds.
	conf := fmt.Sprintf("[global]\nfsid = %s\nmon host = %s\nkeyring = %s\nmon data = %s/mon-$id\n"+
		"auth allow insecure global id reclaim = false\nmon election timeout = 1\nmon lease = 1\n"+
		"mon client hunt interval = 0.5\n", fsid, strings.Join(hosts, ","), keyring, q.dir)
	if err := os.WriteFile(q.confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	q.run("ceph-authtool", "--create-keyring", keyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
	q.run("ceph-authtool", keyring, "--gen-key", "-n", "client.admin", "--cap", "mon", "allow *", "--cap", "osd", "allow *")
	monmap := filepath.Join(q.dir, "monmap")
	q.run("monmaptool", append(mmArgs, monmap)...)
	for _, n := range names {
		q.run(q.bin, "--mkfs", "-i", n, "-c", q.confPath, "--monmap", monmap, "--keyring", keyring)
	}
	t.Cleanup(func() {
		for _, n := range names {
			q.kill(n)
		}
	})
	return q
}

func (q *kelpQuorum) run(name string, args ...string) {
	q.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		q.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// start runs mon.name as a child process, its log in DIR/name.log.
func (q *kelpQuorum) start(name string) {
	q.t.Helper()
	log, err := os.OpenFile(filepath.Join(q.dir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		q.t.Fatal(err)
	}
	cmd := exec.Command(q.bin, "-i", name, "-c", q.confPath, "-f")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		q.t.Fatal(err)
	}
	log.Close()
	q.procs[name] = cmd
}

// kill stops mon.name with SIGKILL, by pid.
func (q *kelpQuorum) kill(name string) {
	if cmd := q.procs[name]; cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
		delete(q.procs, name)
	}
}

func (q *kelpQuorum) logs() string {
	var b strings.Builder
	for _, n := range q.names {
		out, _ := os.ReadFile(filepath.Join(q.dir, n+".log"))
		// The monitor's own lines, without the messenger's.
		var lines []string
		for _, l := range strings.Split(string(out), "\n") {
			if !strings.Contains(l, "msgr2:") {
				lines = append(lines, l)
			}
		}
		fmt.Fprintf(&b, "--- mon.%s\n%s\n", n, strings.Join(lines[max(len(lines)-40, 0):], "\n"))
	}
	return b.String()
}

// ceph runs the real CLI, against one monitor when mon is not "".
func (q *kelpQuorum) ceph(ctx context.Context, mon string, args ...string) (string, error) {
	if mon != "" {
		args = append([]string{"-m", q.addrs[mon]}, args...)
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	out, stderr, err := harness.RunCeph(cctx, q.confPath, args...)
	if err != nil {
		return out, fmt.Errorf("%v: %s", err, stderr)
	}
	return out, nil
}

type quorumStatus struct {
	ElectionEpoch int      `json:"election_epoch"`
	Quorum        []int    `json:"quorum"`
	QuorumNames   []string `json:"quorum_names"`
	Leader        string   `json:"quorum_leader_name"`
}

// waitQuorum polls quorum_status until the quorum is exactly names.
func (q *kelpQuorum) waitQuorum(ctx context.Context, names ...string) quorumStatus {
	q.t.Helper()
	var last string
	for {
		out, err := q.ceph(ctx, "", "quorum_status", "--format", "json")
		var qs quorumStatus
		if err == nil && json.Unmarshal([]byte(out), &qs) == nil {
			got := slices.Clone(qs.QuorumNames)
			slices.Sort(got)
			if slices.Equal(got, names) {
				return qs
			}
		}
		last = fmt.Sprint(out, err)
		if ctx.Err() != nil {
			q.t.Fatalf("no quorum of %v; last answer %s\n%s", names, last, q.logs())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// waitValue polls config-key get on one monitor until it answers want.
func (q *kelpQuorum) waitValue(ctx context.Context, mon, key, want string) {
	q.t.Helper()
	var out string
	var err error
	for ctx.Err() == nil {
		if out, err = q.ceph(ctx, mon, "config-key", "get", key); err == nil && out == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	q.t.Fatalf("mon.%s: config-key get %s = %q, %v; want %q\n%s", mon, key, out, err, want, q.logs())
}

// TestKelpQuorum runs three kelp-mons as one cluster and checks with the
// real ceph CLI: a quorum of three, writes through any monitor readable
// from every monitor, a new leader after kill -9 of the leader with
// writes going on and nothing acknowledged lost, and the old leader
// rejoining with every value.
func TestKelpQuorum(t *testing.T) {
	q := newKelpQuorum(t, "a", "b", "c")
	for _, n := range q.names {
		q.start(n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	qs := q.waitQuorum(ctx, "a", "b", "c")
	// monmaptool ranks monitors by address; the lowest rank leads.
	leader := qs.QuorumNames[0]
	if qs.Leader != leader || !slices.Equal(qs.Quorum, []int{0, 1, 2}) || qs.ElectionEpoch%2 != 0 {
		t.Fatalf("quorum_status %+v: want the lowest rank leading, an even epoch", qs)
	}
	stat, err := q.ceph(ctx, "", "mon", "stat")
	if err != nil || !strings.Contains(stat, "3 mons at") || !strings.Contains(stat, "leader 0 "+leader) ||
		!strings.Contains(stat, "quorum 0,1,2 "+strings.Join(qs.QuorumNames, ",")) {
		t.Fatalf("mon stat: %v\n%s", err, stat)
	}

	// Writes through each monitor are readable from all of them.
	acked := map[string]string{}
	for _, via := range q.names {
		key, val := "k-"+via, "v-"+via
		if _, err := q.ceph(ctx, via, "config-key", "set", key, val); err != nil {
			t.Fatalf("config-key set via mon.%s: %v\n%s", via, err, q.logs())
		}
		acked[key] = val
	}
	for key, val := range acked {
		for _, from := range q.names {
			q.waitValue(ctx, from, key, val)
		}
	}

	// kill -9 of the leader: the other two elect the lower rank of
	// theirs, and writes continue.
	q.kill(leader)
	killed := time.Now()
	rest := slices.DeleteFunc(slices.Clone(q.names), func(n string) bool { return n == leader })
	qs = q.waitQuorum(ctx, rest...)
	t.Logf("new quorum %v leader %s %.1fs after kill -9 of mon.%s", qs.QuorumNames, qs.Leader, time.Since(killed).Seconds(), leader)
	if qs.Leader != qs.QuorumNames[0] {
		t.Fatalf("leader after failover %q, want %s", qs.Leader, qs.QuorumNames[0])
	}
	for i := range 15 {
		via := rest[i%2]
		key, val := fmt.Sprintf("after-%d", i), fmt.Sprintf("w%d", i)
		if _, err := q.ceph(ctx, via, "config-key", "set", key, val); err != nil {
			t.Fatalf("config-key set via mon.%s after failover: %v\n%s", via, err, q.logs())
		}
		acked[key] = val
	}
	for key, val := range acked {
		for _, from := range rest {
			q.waitValue(ctx, from, key, val)
		}
	}

	// The old leader comes back, syncs what it missed and rejoins.
	q.start(leader)
	q.waitQuorum(ctx, "a", "b", "c")
	for key, val := range acked {
		q.waitValue(ctx, leader, key, val)
	}
	// Fifteen commits is more than paxos_max_join_drift (10): when the
	// old leader probes before an election starts, it syncs; when a
	// peer's election proposal reaches it first, Paxos recovery (the
	// peers' LAST messages share their commits) catches it up instead.
	log, _ := os.ReadFile(filepath.Join(q.dir, leader+".log"))
	t.Logf("mon.%s caught up by a store sync: %v", leader, strings.Contains(string(log), "store synchronized"))
}
