//go:build interop

package client_test

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/client"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// BenchmarkClientVsLibrados measures, against one real ceph-mon 16.2
// (cephx, secure mode as both clients default to): connect-to-first-
// command latency (connect, authenticate, monmap, `mon dump`, close) and
// sequential `mon dump` commands on one session, for kelp's client and
// for librados through python3-rados (client/testdata/bench_librados.py).
// Run: make bench-client.
func BenchmarkClientVsLibrados(b *testing.B) {
	cl := harness.StartMon(b, harness.Options{})
	harness.RequireBinaries(b, "python3")
	ctx := context.Background()
	monDump := map[string]any{"prefix": "mon dump", "format": "json"}

	b.Run("kelp/connect+mon_dump", func(b *testing.B) {
		for b.Loop() {
			cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			c, err := client.Connect(cctx, client.Options{ConfPath: cl.ConfPath})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := c.MonCommand(cctx, monDump, nil); err != nil {
				b.Fatal(err)
			}
			c.Close()
			cancel()
		}
	})
	b.Run("kelp/mon_dump", func(b *testing.B) {
		c, err := client.Connect(ctx, client.Options{ConfPath: cl.ConfPath})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		for b.Loop() {
			if _, _, err := c.MonCommand(ctx, monDump, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
	})
	librados := func(what string) func(b *testing.B) {
		return func(b *testing.B) {
			n := b.N
			out, err := exec.Command("/usr/bin/python3", "testdata/bench_librados.py", cl.ConfPath, what, strconv.Itoa(n)).CombinedOutput()
			if err != nil {
				b.Fatalf("librados: %v\n%s", err, out)
			}
			ns, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
			if err != nil {
				b.Fatalf("librados said %q", out)
			}
			b.ReportMetric(ns, "ns/op")
			if what == "command" {
				b.ReportMetric(1e9/ns, "cmds/s")
			}
		}
	}
	b.Run("librados/connect+mon_dump", librados("connect"))
	b.Run("librados/mon_dump", librados("command"))
}
