//go:build interop && cgo

package interop

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// The end-to-end OSD scenario (issue 7), run step for step against a real
// ceph-mon and against kelp-mon, each with three real memstore ceph-osd
// daemons: boot, pool creation, object I/O through the rados CLI and
// go-ceph, a crashed OSD marked down from its peers' failure reports, out,
// in, a clean shutdown, and OSD logs free of map crc mismatches and
// asserts. Both clusters run at once; the osd stat each reaches after
// every step must be the same.

const (
	scenarioOSDs    = 3
	scenarioObjects = 100
	scenarioPool    = "e2e"
	// osd heartbeat grace as configured below; a killed OSD must be
	// marked down within it (plus the CLI's polling slack).
	scenarioGrace = 4 * time.Second
)

// scenarioConf is the same on both clusters: two replicas, every OSD on
// one host so CRUSH picks among OSDs, fast heartbeats, one reporter
// enough to mark a peer down, and OSD logging at the level where
// handle_osd_map reports a full map or a crc mismatch (dout 10, 2).
func scenarioConf() map[string]string {
	return map[string]string{
		"osd pool default size":          "2",
		"osd pool default min size":      "1",
		"osd crush chooseleaf type":      "0",
		"osd objectstore":                "memstore",
		"memstore device bytes":          "268435456",
		"osd heartbeat interval":         "1",
		"osd heartbeat grace":            fmt.Sprint(int(scenarioGrace / time.Second)),
		"mon osd min down reporters":     "1",
		"mon osd adjust heartbeat grace": "false",
		"osd mon shutdown timeout":       "5",
		"debug osd":                      "10",
		"mon data avail warn":            "1",
	}
}

// osdStat is the part of `ceph osd stat -f json` that must agree.
type osdStat struct {
	NumOSDs int `json:"num_osds"`
	NumUp   int `json:"num_up_osds"`
	NumIn   int `json:"num_in_osds"`
}

// scenarioStep is what one cluster reached after a step.
type scenarioStep struct {
	Name string
	Stat osdStat
	Raw  string // the osd stat JSON, for the shape comparison
}

type scenarioRun struct {
	steps    []scenarioStep
	downTime time.Duration // kill -9 to marked down
	hangTime time.Duration // SIGSTOP to marked down
	stopTime time.Duration // SIGTERM to marked down
}

func TestOSDScenario(t *testing.T) {
	harness.RequireBinaries(t, "ceph-mon", "ceph-osd", "ceph", "rados", "ceph-authtool", "monmaptool")
	start := time.Now()
	bin := filepath.Join(t.TempDir(), "goceph")
	if out, err := exec.Command("go", "build", "-tags", "interop", "-o", bin, "./goceph").CombinedOutput(); err != nil {
		t.Fatalf("building the go-ceph program: %v\n%s", err, out)
	}
	data := writeObjectFiles(t)
	var runs [2]scenarioRun
	t.Run("clusters", func(t *testing.T) {
		t.Run("ceph-mon", func(t *testing.T) {
			t.Parallel()
			c := harness.StartMon(t, harness.Options{Conf: scenarioConf()})
			runs[0] = runOSDScenario(t, c, bin, data)
		})
		t.Run("kelp-mon", func(t *testing.T) {
			t.Parallel()
			c := harness.StartKelpMon(t, harness.Options{Conf: scenarioConf()})
			runs[1] = runOSDScenario(t, c, bin, data)
		})
	})
	if t.Failed() {
		return
	}
	real, kelp := runs[0], runs[1]
	t.Logf("kill -9 to marked down: ceph-mon %v, kelp-mon %v; SIGSTOP to marked down: ceph-mon %v, kelp-mon %v; SIGTERM to marked down: ceph-mon %v, kelp-mon %v; total %v",
		real.downTime.Round(time.Millisecond), kelp.downTime.Round(time.Millisecond),
		real.hangTime.Round(time.Millisecond), kelp.hangTime.Round(time.Millisecond),
		real.stopTime.Round(time.Millisecond), kelp.stopTime.Round(time.Millisecond), time.Since(start).Round(time.Second))
	compareSteps(t, real.steps, kelp.steps)
}

// compareSteps requires the osd stat each cluster reached after every
// step to be the same, and its JSON of the same shape.
func compareSteps(t *testing.T, real, kelp []scenarioStep) {
	t.Helper()
	if len(real) != len(kelp) {
		t.Fatalf("ceph-mon went through %d steps, kelp-mon %d", len(real), len(kelp))
	}
	for i, r := range real {
		k := kelp[i]
		if r.Stat != k.Stat {
			t.Errorf("after %s: osd stat ceph-mon %+v, kelp-mon %+v", r.Name, r.Stat, k.Stat)
		}
		if err := SameShape([]byte(r.Raw), []byte(k.Raw)); err != nil {
			t.Errorf("after %s: osd stat JSON differs: %v\nceph-mon: %s\nkelp-mon: %s", r.Name, err, r.Raw, k.Raw)
		}
	}
}

// writeObjectFiles writes the scenario's object contents, obj-0 ..
// obj-99 of assorted sizes (1 byte to about 64 KiB), to a directory.
func writeObjectFiles(t *testing.T) string {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range scenarioObjects {
		b := make([]byte, 1+rng.IntN(64<<10))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("obj-%d", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// scenario is one cluster going through the steps.
type scenario struct {
	t    *testing.T
	c    *harness.Cluster
	bin  string // the go-ceph program
	data string // expected object contents
	run  scenarioRun
	// downBound is how soon a killed OSD must be marked down (zero: the
	// heartbeat grace and a second).
	downBound time.Duration
}

func runOSDScenario(t *testing.T, c *harness.Cluster, bin, data string) scenarioRun {
	s := &scenario{t: t, c: c, bin: bin, data: data}
	s.bootOSDs()
	s.createPool()
	s.objectIO()
	s.crashAndRestart(2)
	s.hangAndResume(0)
	s.outIn(1)
	s.cleanStop(1)
	s.checkOSDLogs()
	return s.run
}

func (s *scenario) ceph(args ...string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := s.c.Ceph(ctx, args...)
	if err != nil {
		s.t.Fatalf("ceph %v: %v\nmonitor log:\n%s", args, err, s.c.LogTail("mon.a"))
	}
	return out
}

func (s *scenario) stat() (osdStat, string) {
	s.t.Helper()
	out := s.ceph("osd", "stat", "-f", "json")
	var st osdStat
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		s.t.Fatalf("osd stat: %v: %s", err, out)
	}
	return st, strings.TrimSpace(out)
}

// waitStat polls osd stat until ok holds or timeout passes, and returns
// how long it took.
func (s *scenario) waitStat(what string, timeout time.Duration, ok func(osdStat) bool) time.Duration {
	s.t.Helper()
	start := time.Now()
	for {
		st, raw := s.stat()
		if ok(st) {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			s.t.Fatalf("%s: not reached within %v; osd stat %s\nmonitor log:\n%s", what, timeout, raw, s.c.LogTail("mon.a"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// record keeps the osd stat reached after a step for the comparison.
func (s *scenario) record(step string) {
	s.t.Helper()
	st, raw := s.stat()
	s.run.steps = append(s.run.steps, scenarioStep{Name: step, Stat: st, Raw: raw})
}

// bootOSDs starts three OSDs and checks they are up and in under their
// host bucket in the CRUSH tree.
func (s *scenario) bootOSDs() {
	s.t.Helper()
	for range scenarioOSDs {
		s.c.AddOSD()
	}
	s.waitStat("all OSDs up", 60*time.Second, func(st osdStat) bool {
		return st.NumOSDs == scenarioOSDs && st.NumUp == scenarioOSDs && st.NumIn == scenarioOSDs
	})
	var tree struct {
		Nodes []struct {
			ID       int     `json:"id"`
			Name     string  `json:"name"`
			Type     string  `json:"type"`
			Children []int   `json:"children"`
			Status   string  `json:"status"`
			Reweight float64 `json:"reweight"`
		} `json:"nodes"`
	}
	out := s.ceph("osd", "tree", "-f", "json")
	if err := json.Unmarshal([]byte(out), &tree); err != nil {
		s.t.Fatalf("osd tree: %v: %s", err, out)
	}
	host, osds := -1, 0
	for i, n := range tree.Nodes {
		switch n.Type {
		case "host":
			host = i
		case "osd":
			osds++
			if n.Status != "up" || n.Reweight != 1 {
				s.t.Errorf("osd tree: %s is %s with reweight %v, want up and in", n.Name, n.Status, n.Reweight)
			}
		}
	}
	if host < 0 || osds != scenarioOSDs {
		s.t.Fatalf("osd tree: want one host bucket and %d OSDs:\n%s", scenarioOSDs, out)
	}
	for id := range scenarioOSDs {
		if !slices.Contains(tree.Nodes[host].Children, id) {
			s.t.Errorf("osd tree: osd.%d is not under host %s:\n%s", id, tree.Nodes[host].Name, out)
		}
	}
	s.record("boot")
}

// createPool creates the two-replica pool and waits until the monitor
// no longer sees any of its PGs creating.
func (s *scenario) createPool() {
	s.t.Helper()
	s.ceph("osd", "pool", "create", scenarioPool, "8")
	if got := strings.TrimSpace(s.ceph("osd", "pool", "get", scenarioPool, "size")); got != "size: 2" {
		s.t.Fatalf("pool size: %q, want size: 2", got)
	}
	start := time.Now()
	for strings.Contains(s.ceph("osd", "pool", "ls", "detail"), "creating") {
		if time.Since(start) > 60*time.Second {
			s.t.Fatalf("the pool's PGs are still creating after 60s:\n%s", s.ceph("osd", "pool", "ls", "detail"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.t.Logf("pool PGs created in %v", time.Since(start).Round(time.Millisecond))
	s.record("pool created")
}

// rados runs the rados CLI on the scenario's pool.
func (s *scenario) rados(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	all := append([]string{"-c", s.c.ConfPath, "-p", scenarioPool}, args...)
	if out, err := exec.CommandContext(ctx, "rados", all...).CombinedOutput(); err != nil {
		return fmt.Errorf("rados %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// eachObject runs fn for every object index on a few workers and fails
// the test with the first error.
func (s *scenario) eachObject(fn func(i int) error) {
	s.t.Helper()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range scenarioObjects {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		s.t.Fatal(firstErr)
	}
}

// objectIO writes the objects with rados put and reads them back with
// rados get and with go-ceph.
func (s *scenario) objectIO() {
	s.t.Helper()
	start := time.Now()
	s.eachObject(func(i int) error {
		return s.rados("put", fmt.Sprintf("obj-%d", i), filepath.Join(s.data, fmt.Sprintf("obj-%d", i)))
	})
	got := filepath.Join(s.t.TempDir(), "got")
	if err := os.MkdirAll(got, 0o755); err != nil {
		s.t.Fatal(err)
	}
	s.eachObject(func(i int) error {
		name := fmt.Sprintf("obj-%d", i)
		if err := s.rados("get", name, filepath.Join(got, name)); err != nil {
			return err
		}
		a, err := os.ReadFile(filepath.Join(got, name))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(s.data, name))
		if err != nil {
			return err
		}
		if string(a) != string(b) {
			return fmt.Errorf("rados get %s: %d bytes differ from the %d put", name, len(a), len(b))
		}
		return nil
	})
	s.goceph()
	s.t.Logf("%d objects put, got and read by go-ceph in %v", scenarioObjects, time.Since(start).Round(time.Millisecond))
	s.record("objects written")
}

// goceph reads every object back through go-ceph (and writes and reads
// its own).
func (s *scenario) goceph() {
	s.t.Helper()
	r := runReport(s.t, s.bin, "-c", s.c.ConfPath, "-objects", scenarioPool,
		"-count", fmt.Sprint(scenarioObjects), "-expect", s.data)
	if r["objects_read"] != float64(scenarioObjects) || r["objects_written"] != float64(scenarioObjects) {
		s.t.Fatalf("go-ceph object report: %v", r)
	}
}

// crashAndRestart kills an OSD with SIGKILL: its peers' failure reports
// must get it marked down within the heartbeat grace, every object must
// stay readable, and restarted it must come back up.
func (s *scenario) crashAndRestart(id int) {
	s.t.Helper()
	s.c.KillOSD(id)
	s.run.downTime = s.waitStat(fmt.Sprintf("osd.%d marked down after kill -9", id), 30*time.Second, func(st osdStat) bool {
		return st.NumUp == scenarioOSDs-1
	})
	s.t.Logf("osd.%d killed: marked down after %v (grace %v)", id, s.run.downTime.Round(time.Millisecond), scenarioGrace)
	// The CLI needs a connection per poll; allow it a second of slack.
	bound := scenarioGrace + time.Second
	if s.downBound > 0 {
		bound = s.downBound
	}
	if s.run.downTime > bound {
		s.t.Errorf("osd.%d marked down after %v, beyond %v", id, s.run.downTime, bound)
	}
	s.record("osd killed")
	s.goceph()
	s.c.RestartOSD(id)
	d := s.waitStat(fmt.Sprintf("osd.%d up again", id), 60*time.Second, func(st osdStat) bool {
		return st.NumUp == scenarioOSDs
	})
	s.t.Logf("osd.%d restarted: up after %v", id, d.Round(time.Millisecond))
	s.record("osd restarted")
}

// hangAndResume stops an OSD with SIGSTOP. Its connections stay open, so
// no immediate failure report: its peers report it once its heartbeats
// are osd_heartbeat_grace late, and the monitor marks it down when the
// failure is that old (OSDMonitor::check_failure), not before. Continued,
// the OSD finds itself marked down and boots again.
func (s *scenario) hangAndResume(id int) {
	s.t.Helper()
	s.c.PauseOSD(id)
	s.run.hangTime = s.waitStat(fmt.Sprintf("osd.%d marked down after SIGSTOP", id), 30*time.Second, func(st osdStat) bool {
		return st.NumUp == scenarioOSDs-1
	})
	s.t.Logf("osd.%d hung: marked down after %v (grace %v)", id, s.run.hangTime.Round(time.Millisecond), scenarioGrace)
	// Its last heartbeat may be an interval older than the SIGSTOP; then
	// the peers report on their next tick, and the CLI polls.
	if lo, hi := scenarioGrace-time.Second, scenarioGrace+8*time.Second; s.run.hangTime < lo || s.run.hangTime > hi {
		s.t.Errorf("osd.%d marked down %v after it hung, want between %v and %v", id, s.run.hangTime, lo, hi)
	}
	s.record("osd hung")
	s.c.ResumeOSD(id)
	d := s.waitStat(fmt.Sprintf("osd.%d up again", id), 60*time.Second, func(st osdStat) bool {
		return st.NumUp == scenarioOSDs
	})
	s.t.Logf("osd.%d continued: up after %v", id, d.Round(time.Millisecond))
	s.record("osd resumed")
}

// outIn marks an OSD out and in again.
func (s *scenario) outIn(id int) {
	s.t.Helper()
	s.ceph("osd", "out", fmt.Sprint(id))
	s.waitStat("osd out", 10*time.Second, func(st osdStat) bool { return st.NumIn == scenarioOSDs-1 })
	s.record("osd out")
	s.ceph("osd", "in", fmt.Sprint(id))
	s.waitStat("osd in", 10*time.Second, func(st osdStat) bool { return st.NumIn == scenarioOSDs })
	s.record("osd in")
	s.goceph()
}

// cleanStop stops an OSD with SIGTERM: it asks the monitor to mark it
// down (MOSDMarkMeDown) and must get the acknowledgement, so it exits
// well before osd_mon_shutdown_timeout.
func (s *scenario) cleanStop(id int) {
	s.t.Helper()
	start := time.Now()
	s.c.StopOSD(id, 20*time.Second)
	exited := time.Since(start)
	s.waitStat(fmt.Sprintf("osd.%d down after SIGTERM", id), 10*time.Second, func(st osdStat) bool {
		return st.NumUp == scenarioOSDs-1
	})
	s.run.stopTime = time.Since(start)
	s.t.Logf("osd.%d SIGTERM: exited after %v, marked down after %v", id, exited.Round(time.Millisecond), s.run.stopTime.Round(time.Millisecond))
	log := s.osdLog(id)
	if !strings.Contains(log, "telling mon we are shutting down") {
		s.t.Errorf("osd.%d did not ask the monitor to mark it down", id)
	}
	if !strings.Contains(log, "got_stop_ack") {
		s.t.Errorf("osd.%d got no mark-me-down acknowledgement from the monitor", id)
	}
	s.record("osd stopped")
}

func (s *scenario) osdLog(id int) string {
	s.t.Helper()
	p := s.c.LogPath(fmt.Sprintf("osd.%d", id))
	if p == "" {
		s.t.Fatalf("osd.%d has no log file in %s", id, s.c.Dir)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// badOSDLogLines are what src/osd/OSD.cc (16.2) logs when an incremental
// map does not re-encode to its full_crc (handle_osd_map, dout 2, and the
// clog warning), when it then falls back to asking for full maps
// (request_full_map, dout 10), and when a daemon asserts or crashes.
//
// "got full map for epoch" (handle_osd_map, dout 10) is not among them:
// with either monitor an OSD gets a few full maps from its peers, because
// OSDService::send_incremental_map sends the latest full map to a peer
// whose epoch it does not know yet (a new session). The monitors
// themselves send incrementals only, as the absence of request_full_map
// shows; the count is logged for comparison.
var badOSDLogLines = []string{
	"failed to encode full with correct crc",
	"with expected crc",
	"request_full_map",
	"hmm, i want a full map",
	"FAILED ceph_assert",
	"Caught signal",
}

// checkOSDLogs fails on any bad line in any OSD log, and on a log without
// the dout(10) "got inc map" lines (a level too low to see the bad ones).
func (s *scenario) checkOSDLogs() {
	s.t.Helper()
	for id := range scenarioOSDs {
		sc := bufio.NewScanner(strings.NewReader(s.osdLog(id)))
		sc.Buffer(nil, 1<<20)
		bad := 0
		incs, fulls := 0, 0
		for sc.Scan() {
			if strings.Contains(sc.Text(), "got inc map for epoch") {
				incs++
			}
			if strings.Contains(sc.Text(), "got full map for epoch") {
				fulls++
			}
			for _, b := range badOSDLogLines {
				if strings.Contains(sc.Text(), b) {
					if bad++; bad <= 5 {
						s.t.Errorf("osd.%d log: %s", id, sc.Text())
					}
				}
			}
		}
		if err := sc.Err(); err != nil {
			s.t.Errorf("osd.%d log: %v", id, err)
		}
		s.t.Logf("osd.%d applied %d incremental and %d full maps", id, incs, fulls)
		// Proof that the level is high enough for the lines above.
		if incs == 0 {
			s.t.Errorf("osd.%d log has no \"got inc map for epoch\" line: is debug osd below 10?", id)
		}
	}
}
