//go:build interop

package interop

import (
	"context"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestQuorumOSDsAcrossFailover runs real OSDs and clients against three
// monitors while the leader is killed with kill -9 and later restarted,
// against ceph-mon and against kelp-mon, step for step: OSDs boot, a pool
// is created and written; the leader dies; the OSDs stay up and every
// object stays readable and writable; a pool created through librados
// against a peon of the new quorum (a pool op forwarded to the leader and
// its reply routed back); an OSD crashed and restarted (failure reports
// and the boot through whichever monitor each OSD talks to); the old
// leader rejoins; an OSD stopped cleanly gets its mark-me-down
// acknowledged. The osd stat after every step must be the same for both
// monitors.
func TestQuorumOSDsAcrossFailover(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph-osd", "ceph", "rados", "monmaptool", "ceph-authtool")
	bin := filepath.Join(t.TempDir(), "goceph")
	if out, err := exec.Command("go", "build", "-tags", "interop", "-o", bin, "./goceph").CombinedOutput(); err != nil {
		t.Fatalf("building the go-ceph program: %v\n%s", err, out)
	}
	data := writeObjectFiles(t)
	kinds := []harness.MonKind{harness.CephMon, harness.KelpMon}
	runs := make([]failoverRun, len(kinds))
	for i, kind := range kinds {
		// One after the other: six daemons each are enough for two cores.
		t.Run(kind.String(), func(t *testing.T) { runs[i] = runOSDFailover(t, kind, bin, data) })
		if t.Failed() {
			return
		}
	}
	real, kelp := runs[0], runs[1]
	t.Logf("new quorum after the leader's kill: ceph-mon %v, kelp-mon %v; "+
		"crashed OSD marked down by the new leader: ceph-mon %v, kelp-mon %v; "+
		"old leader back in quorum: ceph-mon %v, kelp-mon %v",
		real.failover, kelp.failover, real.down, kelp.down, real.rejoin, kelp.rejoin)
	compareSteps(t, real.steps, kelp.steps)
}

// failoverRun is what one kind of monitor reached and how fast.
type failoverRun struct {
	steps                  []scenarioStep
	failover, down, rejoin time.Duration
}

func runOSDFailover(t *testing.T, kind harness.MonKind, bin, data string) failoverRun {
	conf := scenarioConf()
	maps.Copy(conf, harness.FastFailover)
	q := harness.StartQuorum(t, kind, harness.QuorumOptions{Conf: conf})
	// After a leader change the survivors' failure reports may reach the
	// new leader through a peon; on this two-core machine under the
	// suite's load ceph-mon took up to 9.5 s to mark the killed OSD down
	// (kelp-mon 0.1-0.4 s). Both are held to the same bound, and the
	// times are logged.
	s := &scenario{t: t, c: q.OSDs(), bin: bin, data: data, downBound: 20 * time.Second}
	var run failoverRun
	defer func() {
		if t.Failed() {
			t.Logf("monitor logs:\n%s", q.Logs())
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	s.bootOSDs()
	s.createPool()
	s.objectIO()

	leader := q.WaitQuorum(ctx, q.Names...).Leader
	q.Kill(leader)
	killed := time.Now()
	rest := slices.DeleteFunc(slices.Clone(q.Names), func(n string) bool { return n == leader })
	st := q.WaitQuorum(ctx, rest...)
	run.failover = time.Since(killed).Round(time.Millisecond)
	t.Logf("%v: kill -9 of leader mon.%s; mon.%s leads after %v", kind, leader, st.Leader, run.failover)

	// No OSD is marked down for the monitor's death: beacons and the
	// sessions of OSDs that talked to it move to the survivors. Wait past
	// a heartbeat grace to see it.
	time.Sleep(scenarioGrace + 2*time.Second)
	s.waitStat("every OSD up after the failover", 10*time.Second, func(st osdStat) bool {
		return st.NumUp == scenarioOSDs && st.NumIn == scenarioOSDs
	})
	s.record("leader killed")
	s.objectIO()

	// A pool op through a peon: librados against that monitor alone.
	peon := rest[0]
	if peon == st.Leader {
		peon = rest[1]
	}
	s.poolCreateVia(q.Addrs[peon], "viapeon")
	s.record("pool created via a peon")

	s.crashAndRestart(2)
	run.down = s.run.downTime.Round(time.Millisecond)

	q.Start(leader)
	restarted := time.Now()
	q.WaitQuorum(ctx, q.Names...)
	run.rejoin = time.Since(restarted).Round(time.Millisecond)
	t.Logf("%v: mon.%s restarted, quorum of three after %v", kind, leader, run.rejoin)
	s.record("old leader rejoined")

	s.cleanStop(1)
	s.checkOSDLogs()
	run.steps = s.run.steps
	return run
}

// poolCreateVia creates a pool with python3-rados (librados's pool op,
// MPoolOp; Debian's python3, which has the module) connected to the
// monitor at addr only, and checks the
// cluster lists it.
func (s *scenario) poolCreateVia(addr, pool string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	script := `import rados, sys
c = rados.Rados(conffile=sys.argv[1], conf={"mon_host": sys.argv[2]})
c.connect(timeout=30)
c.create_pool(sys.argv[3])
print(c.pool_exists(sys.argv[3]))
c.shutdown()
`
	out, err := exec.CommandContext(ctx, "/usr/bin/python3", "-c", script, s.c.ConfPath, addr, pool).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "True" {
		s.t.Fatalf("librados create_pool %s via %s: %v: %s", pool, addr, err, out)
	}
	if ls := s.ceph("osd", "pool", "ls"); !slices.Contains(strings.Fields(ls), pool) {
		s.t.Fatalf("pool %s created via %s is not listed: %s", pool, addr, ls)
	}
	s.t.Logf("pool %s created through librados against %s", pool, addr)
}
