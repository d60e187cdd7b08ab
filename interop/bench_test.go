//go:build interop

package interop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/client"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// The Compare benchmarks run one client workload against kelp-mon and a
// real ceph-mon on this machine, each as a single-monitor cluster with its
// defaults (cephx, secure mode, synced writes), so that `make
// bench-compare` prints both side by side. Server CPU time comes from
// /proc/PID/stat of the monitor process.

var (
	benchOnce     sync.Once
	benchClusters map[string]*harness.Cluster
)

// benchTB keeps the clusters alive across sub-benchmarks: a benchmark's
// own cleanup would stop them after the first run.
type benchTB struct{ testing.TB }

func (benchTB) Cleanup(func()) {}

func clusters(b *testing.B) map[string]*harness.Cluster {
	benchOnce.Do(func() {
		tb := benchTB{b}
		benchClusters = map[string]*harness.Cluster{
			"ceph-mon": harness.StartMon(tb, harness.Options{}),
			"kelp-mon": harness.StartKelpMon(tb, harness.Options{}),
		}
	})
	return benchClusters
}

// cpuTicks returns a process's user+system CPU time.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ is 100 on Linux
}

func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

func connect(b *testing.B, c *harness.Cluster) *client.Client {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := client.Connect(ctx, client.Options{ConfPath: c.ConfPath})
	if err != nil {
		b.Fatal(err)
	}
	return cl
}

// eachMon runs fn as a sub-benchmark per monitor, reporting the monitor's
// CPU time per operation.
func eachMon(b *testing.B, fn func(b *testing.B, c *harness.Cluster)) {
	for _, name := range []string{"ceph-mon", "kelp-mon"} {
		c := clusters(b)[name]
		b.Run(name, func(b *testing.B) {
			pid := c.MonPID()
			before := cpuTime(pid)
			fn(b, c)
			b.ReportMetric(float64((cpuTime(pid)-before).Microseconds())/float64(b.N), "server-cpu-us/op")
		})
	}
}

// BenchmarkCompareSessionSetup: connect, cephx, secure mode, monmap, close.
func BenchmarkCompareSessionSetup(b *testing.B) {
	eachMon(b, func(b *testing.B, c *harness.Cluster) {
		for b.Loop() {
			connect(b, c).Close()
		}
	})
}

// BenchmarkCompareReadCommand: `mon dump` on one session.
func BenchmarkCompareReadCommand(b *testing.B) {
	eachMon(b, func(b *testing.B, c *harness.Cluster) {
		cl := connect(b, c)
		defer cl.Close()
		ctx := context.Background()
		for b.Loop() {
			if _, _, err := cl.MonCommand(ctx, map[string]any{"prefix": "mon dump", "format": "json"}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompareWrite: `config-key set`, acknowledged once committed.
func BenchmarkCompareWrite(b *testing.B) {
	eachMon(b, func(b *testing.B, c *harness.Cluster) {
		cl := connect(b, c)
		defer cl.Close()
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			if _, _, err := cl.MonCommand(ctx, map[string]any{"prefix": "config-key set",
				"key": "bench/" + strconv.Itoa(i%100), "val": "v" + strconv.Itoa(i)}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompareWriteParallel: the same with 16 sessions writing at once,
// where batching proposals pays.
func BenchmarkCompareWriteParallel(b *testing.B) {
	eachMon(b, func(b *testing.B, c *harness.Cluster) {
		cls := make(chan *client.Client, 16)
		for range 16 {
			cls <- connect(b, c)
		}
		var n sync.Mutex
		i := 0
		b.SetParallelism(8) // 8 x GOMAXPROCS(2) = 16 goroutines
		b.RunParallel(func(pb *testing.PB) {
			cl := <-cls
			defer func() { cls <- cl }()
			for pb.Next() {
				n.Lock()
				i++
				k := i
				n.Unlock()
				if _, _, err := cl.MonCommand(context.Background(), map[string]any{"prefix": "config-key set",
					"key": "benchp/" + strconv.Itoa(k%100), "val": "v"}, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
		for range 16 {
			(<-cls).Close()
		}
	})
}

// BenchmarkCompareIdleSessions opens 1000 sessions and reports the
// monitor's resident memory per session.
func BenchmarkCompareIdleSessions(b *testing.B) {
	start := map[string]func(testing.TB, harness.Options) *harness.Cluster{
		"ceph-mon": harness.StartMon, "kelp-mon": harness.StartKelpMon}
	for _, name := range []string{"ceph-mon", "kelp-mon"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				// A fresh monitor each round: one that already held
				// sessions (another benchmark's, or an earlier round's)
				// reuses the memory they freed, and its growth says
				// nothing per session.
				b.StopTimer()
				c := start[name](benchTB{b}, harness.Options{})
				b.StartTimer()
				pid := c.MonPID()
				before := rssKB(pid)
				var cls []*client.Client
				for range 1000 {
					cls = append(cls, connect(b, c))
				}
				time.Sleep(time.Second)
				after := rssKB(pid)
				for _, cl := range cls {
					cl.Close()
				}
				b.ReportMetric(float64(after-before)/1000, "server-KiB/session")
				b.StopTimer()
				c.Stop()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkCompareCephStatus: wall time of the real `ceph -s`.
func BenchmarkCompareCephStatus(b *testing.B) {
	eachMon(b, func(b *testing.B, c *harness.Cluster) {
		for b.Loop() {
			if out, err := exec.Command("ceph", "-c", c.ConfPath, "-s").CombinedOutput(); err != nil {
				b.Fatalf("ceph -s: %v\n%s", err, out)
			}
		}
	})
}
