//go:build interop

package interop

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/client"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// The Quorum benchmarks measure committed writes (`config-key set`,
// acknowledged once Paxos has committed it) against kelp-mon and real
// ceph-mon, each as a cluster of one and of three monitors made the same
// way by harness.NewQuorum (monmaptool --create --addv per monitor,
// --mkfs, -f children) with default options (cephx, secure mode, synced
// writes, default lease and election timeout). Run:
//
//	go test -tags interop -run '^$' -bench Quorum ./interop/

type quorumBenchCluster struct {
	name   string
	q      *harness.Quorum
	leader string
	peon   string // "" for a single monitor
}

var (
	quorumBenchOnce     sync.Once
	quorumBenchClusters []*quorumBenchCluster
)

func quorumClusters(b *testing.B) []*quorumBenchCluster {
	quorumBenchOnce.Do(func() {
		tb := benchTB{b}
		for _, c := range []struct {
			name  string
			kind  harness.MonKind
			names []string
		}{
			{"kelp-mon-1", harness.KelpMon, []string{"a"}},
			{"kelp-mon-3", harness.KelpMon, []string{"a", "b", "c"}},
			{"ceph-mon-1", harness.CephMon, []string{"a"}},
			{"ceph-mon-3", harness.CephMon, []string{"a", "b", "c"}},
		} {
			q := harness.StartQuorum(tb, c.kind, harness.QuorumOptions{Names: c.names})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			qs := q.WaitQuorum(ctx, c.names...)
			cancel()
			qc := &quorumBenchCluster{name: c.name, q: q, leader: qs.Leader}
			for _, n := range c.names {
				if n != qs.Leader {
					qc.peon = n
					break
				}
			}
			quorumBenchClusters = append(quorumBenchClusters, qc)
		}
	})
	return quorumBenchClusters
}

func connectMon(b *testing.B, q *harness.Quorum, mon string) *client.Client {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := client.Connect(ctx, client.Options{ConfPath: q.ConfPath, MonHost: q.Addrs[mon]})
	if err != nil {
		b.Fatal(err)
	}
	return cl
}

// monsCPU is the CPU time of every monitor of q.
func monsCPU(q *harness.Quorum) time.Duration {
	var d time.Duration
	for _, n := range q.Names {
		if pid := q.PID(n); pid != 0 {
			d += cpuTime(pid)
		}
	}
	return d
}

// BenchmarkQuorumWrite: one session writes serially, so ns/op is the
// commit latency; through the leader, and for three monitors also
// through a peon (forwarded to the leader, the reply routed back).
func BenchmarkQuorumWrite(b *testing.B) {
	for _, c := range quorumClusters(b) {
		vias := []struct{ label, mon string }{{"leader", c.leader}}
		if c.peon != "" {
			vias = append(vias, struct{ label, mon string }{"peon", c.peon})
		}
		for _, via := range vias {
			b.Run(c.name+"/via-"+via.label, func(b *testing.B) {
				cl := connectMon(b, c.q, via.mon)
				defer cl.Close()
				ctx := context.Background()
				var lat []time.Duration
				cpu := monsCPU(c.q)
				i := 0
				for b.Loop() {
					i++
					t0 := time.Now()
					if _, _, err := cl.MonCommand(ctx, map[string]any{"prefix": "config-key set",
						"key": "qbench/" + strconv.Itoa(i%100), "val": "v" + strconv.Itoa(i)}, nil); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
				}
				b.ReportMetric(float64((monsCPU(c.q)-cpu).Microseconds())/float64(b.N), "server-cpu-us/op")
				reportLatency(b, lat)
			})
		}
	}
}

// BenchmarkQuorumWriteParallel: 16 sessions spread over the monitors
// write at once; writes/s is the committed throughput.
func BenchmarkQuorumWriteParallel(b *testing.B) {
	for _, c := range quorumClusters(b) {
		b.Run(c.name, func(b *testing.B) {
			cls := make(chan *client.Client, 16)
			for i := range 16 {
				cls <- connectMon(b, c.q, c.q.Names[i%len(c.q.Names)])
			}
			var n atomic.Int64
			cpu := monsCPU(c.q)
			start := time.Now()
			b.SetParallelism(8) // 8 x GOMAXPROCS(2) = 16 goroutines
			b.RunParallel(func(pb *testing.PB) {
				cl := <-cls
				defer func() { cls <- cl }()
				for pb.Next() {
					k := n.Add(1)
					if _, _, err := cl.MonCommand(context.Background(), map[string]any{"prefix": "config-key set",
						"key": "qbenchp/" + strconv.Itoa(int(k%100)), "val": "v"}, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
			b.ReportMetric(float64((monsCPU(c.q)-cpu).Microseconds())/float64(b.N), "server-cpu-us/op")
			for range 16 {
				(<-cls).Close()
			}
		})
	}
}

// reportLatency reports writes/s of the serial loop and the median and
// 99th percentile commit latency.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/sum.Seconds(), "writes/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
