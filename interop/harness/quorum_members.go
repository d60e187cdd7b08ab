package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"
)

// AddMon adds a monitor to a running cluster the way the manual
// procedure does: `ceph mon getmap`, `monmaptool --addv` of the new
// monitor on a free loopback port into that map, `--mkfs` with it and the
// cluster's keyring, `ceph mon add NAME ADDR`, then Start. The map is
// fetched first because adding a second monitor to a lone one leaves no
// quorum until the new one runs. It returns the CLI's message (stderr)
// for `mon add`.
func (q *Quorum) AddMon(ctx context.Context, name string) string {
	q.t.Helper()
	port := FreePort(q.t)
	addr := fmt.Sprintf("[v2:127.0.0.1:%d]", port)
	monmap := filepath.Join(q.Dir, "monmap."+name)
	if _, stderr, err := RunCeph(ctx, q.ConfPath, "mon", "getmap", "-o", monmap); err != nil {
		q.t.Fatalf("harness: mon getmap: %v: %s", err, stderr)
	}
	q.run("monmaptool", "--addv", name, addr, monmap)
	q.run(q.bin, "--mkfs", "-i", name, "-c", q.ConfPath, "--monmap", monmap, "--keyring", q.KeyringPath)
	out, stderr, err := RunCeph(ctx, q.ConfPath, "mon", "add", name, fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		q.t.Fatalf("harness: mon add %s: %v: %s%s", name, err, out, stderr)
	}
	q.Names = append(q.Names, name)
	q.Addrs[name] = addr
	q.Start(name)
	return stderr
}

// JoinMon starts a monitor that is not in the monmap, the other way to
// grow a cluster: `ceph mon getmap`, `--mkfs` with that map as it is,
// then the monitor run with --public-addr on a free loopback port; it
// asks the quorum to add it (MMonJoin).
func (q *Quorum) JoinMon(ctx context.Context, name string) {
	q.t.Helper()
	port := FreePort(q.t)
	monmap := filepath.Join(q.Dir, "monmap."+name)
	if _, stderr, err := RunCeph(ctx, q.ConfPath, "mon", "getmap", "-o", monmap); err != nil {
		q.t.Fatalf("harness: mon getmap: %v: %s", err, stderr)
	}
	q.run(q.bin, "--mkfs", "-i", name, "-c", q.ConfPath, "--monmap", monmap, "--keyring", q.KeyringPath)
	if q.publicAddr == nil {
		q.publicAddr = map[string]string{}
	}
	q.publicAddr[name] = fmt.Sprintf("v2:127.0.0.1:%d", port)
	q.Names = append(q.Names, name)
	q.Addrs[name] = fmt.Sprintf("[v2:127.0.0.1:%d]", port)
	q.Start(name)
}

// WaitExit waits up to timeout for mon.name to exit by itself and
// returns its exit code; the test fails if it is still running.
func (q *Quorum) WaitExit(name string, timeout time.Duration) int {
	q.t.Helper()
	cmd := q.procs[name]
	if cmd == nil {
		q.t.Fatalf("harness: mon.%s is not running", name)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		q.t.Fatalf("harness: mon.%s still runs %v later", name, timeout)
	}
	delete(q.procs, name)
	q.Names = slices.DeleteFunc(q.Names, func(n string) bool { return n == name })
	return cmd.ProcessState.ExitCode()
}
