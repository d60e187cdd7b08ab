// Package harness starts real Ceph daemons (Debian's ceph-mon and ceph-osd)
// on loopback for kelp's interop tests, each cluster in its own temporary
// directory on its own ports so tests can run in parallel, and stops every
// process it started when the test ends.
//
// Tests that use it carry the build tag "interop"; a missing binary fails
// the test (RequireBinaries), it never skips: CI installs Ceph first.
package harness

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// RequireBinaries fails t unless every named program is on PATH.
func RequireBinaries(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Fatalf("interop test needs %s on PATH (install ceph-mon ceph-osd ceph-common: see README.md): %v", n, err)
		}
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	return freePortOn(t, "127.0.0.1")
}

// freePortOn returns a TCP port free on ip.
func freePortOn(t testing.TB, ip string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatalf("harness: no free port on %s: %v", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Options shapes a cluster.
type Options struct {
	// Auth is "cephx" (the default) or "none".
	Auth string
	// OSDs is how many memstore OSDs to start.
	OSDs int
	// Conf adds or overrides [global] options of ceph.conf.
	Conf map[string]string
}

// Cluster is a running real Ceph cluster with one monitor, mon.a.
type Cluster struct {
	Dir         string
	ConfPath    string
	KeyringPath string // holds mon. and client.admin
	FSID        encoding.UUID
	V2Port      int
	V1Port      int
	MonAddrs    encoding.EntityAddrVec
	AdminKey    string // base64 secret of client.admin
	MonKey      string // base64 secret of mon.

	t       testing.TB
	procs   []*exec.Cmd
	kelpBin string   // kelp-mon binary, for kelp clusters
	names   []string // daemon name of each process
	// sharedDir marks a Cluster that runs OSDs in a Quorum's directory,
	// which the Quorum removes.
	sharedDir bool
}

// MonHost is the value of "mon host" for this cluster.
func (c *Cluster) MonHost() string { return c.MonAddrs.String() }

// V2Addr is the monitor's msgr2 address as host:port.
func (c *Cluster) V2Addr() string { return fmt.Sprintf("127.0.0.1:%d", c.V2Port) }

// StartMon starts a real ceph-mon (and o.OSDs OSDs) and waits until the
// monitor answers the ceph CLI. Everything stops when t ends.
func StartMon(t testing.TB, o Options) *Cluster {
	t.Helper()
	RequireBinaries(t, "ceph-mon", "ceph", "ceph-authtool", "monmaptool")
	if o.Auth == "" {
		o.Auth = "cephx"
	}
	// A short directory: admin socket paths must fit in sun_path.
	dir, err := os.MkdirTemp("", "kelp-ceph-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Dir: dir, t: t, FSID: encoding.NewUUID(), V2Port: FreePort(t), V1Port: FreePort(t)}
	for c.V1Port == c.V2Port {
		c.V1Port = FreePort(t)
	}
	t.Cleanup(c.stop)
	c.ConfPath = filepath.Join(dir, "ceph.conf")
	c.KeyringPath = filepath.Join(dir, "keyring")
	c.MonAddrs, _ = encoding.ParseAddrVec(fmt.Sprintf("[v2:127.0.0.1:%d/0,v1:127.0.0.1:%d/0]", c.V2Port, c.V1Port))
	for _, d := range []string{"run", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	extra := map[string]string{
		"fsid":                      c.FSID.String(),
		"keyring":                   c.KeyringPath,
		"run dir":                   dir + "/run",
		"pid file":                  dir + "/run/$name.pid",
		"log file":                  dir + "/log/$name.log",
		"admin socket":              dir + "/run/$name.asok",
		"mon data":                  dir + "/$name",
		"osd data":                  dir + "/$name",
		"osd objectstore":           "memstore",
		"memstore device bytes":     "268435456",
		"osd pool default size":     "1",
		"osd pool default min size": "1",
		"mon allow pool delete":     "true",
		"osd crush chooseleaf type": "0",
		"mon warn on insecure global id reclaim allowed": "false",
	}
	for k, v := range o.Conf {
		extra[k] = v
	}
	if err := WriteConf(c.ConfPath, c.MonHost(), o.Auth, extra); err != nil {
		t.Fatal(err)
	}
	c.mustRun("ceph-authtool", "--create-keyring", c.KeyringPath, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
	c.mustRun("ceph-authtool", c.KeyringPath, "--gen-key", "-n", "client.admin",
		"--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *", "--cap", "mds", "allow *")
	c.MonKey = strings.TrimSpace(c.mustRun("ceph-authtool", c.KeyringPath, "-p", "-n", "mon."))
	c.AdminKey = strings.TrimSpace(c.mustRun("ceph-authtool", c.KeyringPath, "-p", "-n", "client.admin"))
	monmap := filepath.Join(dir, "monmap")
	c.mustRun("monmaptool", "--create", "--fsid", c.FSID.String(), "--addv", "a", c.MonHost(), monmap)
	c.mustRun("ceph-mon", "-c", c.ConfPath, "--mkfs", "-i", "a", "--monmap", monmap, "--keyring", c.KeyringPath)
	c.spawn("mon.a", "ceph-mon", "-c", c.ConfPath, "-f", "-i", "a")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		if _, err := c.Ceph(ctx, "mon", "stat"); err == nil {
			break
		} else if ctx.Err() != nil {
			t.Fatalf("harness: ceph-mon did not answer within 60s: %v\n%s", err, c.LogTail("mon.a"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for range o.OSDs {
		c.AddOSD()
	}
	return c
}

// AddOSD creates and starts one memstore OSD and returns its id.
func (c *Cluster) AddOSD() int {
	t := c.t
	t.Helper()
	RequireBinaries(t, "ceph-osd")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	uuid := encoding.NewUUID().String()
	out, err := c.Ceph(ctx, "osd", "new", uuid)
	if err != nil {
		t.Fatalf("harness: osd new: %v", err)
	}
	var id int
	if _, err := fmt.Sscan(strings.TrimSpace(out), &id); err != nil {
		t.Fatalf("harness: osd new said %q", out)
	}
	name := fmt.Sprintf("osd.%d", id)
	dataDir := filepath.Join(c.Dir, name)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	keyring := filepath.Join(dataDir, "keyring")
	c.mustRun("ceph-authtool", "--create-keyring", keyring, "--gen-key", "-n", name)
	if _, err := c.Ceph(ctx, "auth", "add", name, "osd", "allow *", "mon", "allow profile osd",
		"mgr", "allow profile osd", "-i", keyring); err != nil {
		t.Fatalf("harness: auth add %s: %v", name, err)
	}
	c.mustRun("ceph-osd", "-c", c.ConfPath, "-i", fmt.Sprint(id), "--mkfs", "--osd-uuid", uuid, "--keyring", keyring)
	c.spawn(name, "ceph-osd", "-c", c.ConfPath, "-f", "-i", fmt.Sprint(id), "--keyring", keyring)
	return id
}

// Ceph runs the real ceph CLI against the cluster and returns its stdout.
func (c *Cluster) Ceph(ctx context.Context, args ...string) (string, error) {
	out, _, err := RunCeph(ctx, c.ConfPath, args...)
	return out, err
}

// RunCeph runs the real ceph CLI with the given ceph.conf. The error
// includes stderr and the exit status.
func RunCeph(ctx context.Context, confPath string, args ...string) (stdout, stderr string, err error) {
	all := append([]string{"-c", confPath, "--connect-timeout", "20"}, args...)
	cmd := exec.CommandContext(ctx, "ceph", all...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		return o.String(), e.String(), fmt.Errorf("ceph %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(e.String()))
	}
	return o.String(), e.String(), nil
}

// WriteConf writes a ceph.conf whose [global] section points at monHost
// with the given auth mode ("cephx" or "none") and extra options.
func WriteConf(path, monHost, auth string, extra map[string]string) error {
	opts := map[string]string{
		"mon host":              monHost,
		"auth cluster required": auth,
		"auth service required": auth,
		"auth client required":  auth,
	}
	for k, v := range extra {
		opts[k] = v
	}
	var b strings.Builder
	b.WriteString("[global]\n")
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, opts[k])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// LogTail returns the last lines of a daemon's log, for failure messages.
func (c *Cluster) LogTail(name string) string {
	var out []byte
	for _, p := range []string{filepath.Join(c.Dir, "log", name+".log"), filepath.Join(c.Dir, "log", name+".stderr")} {
		b, _ := os.ReadFile(p)
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		out = append(out, b...)
	}
	return string(out)
}

func (c *Cluster) mustRun(name string, args ...string) string {
	c.t.Helper()
	cmd := exec.Command(name, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		c.t.Fatalf("harness: %s %s: %v\n%s%s", name, strings.Join(args, " "), err, o.String(), e.String())
	}
	return o.String()
}

// spawn starts a daemon in the foreground as our child, so that its pid is
// ours to stop.
func (c *Cluster) spawn(name, prog string, args ...string) {
	c.t.Helper()
	logf, err := os.OpenFile(filepath.Join(c.Dir, "log", name+".stderr"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(prog, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("harness: start %s: %v", prog, err)
	}
	logf.Close()
	c.procs = append(c.procs, cmd)
	c.names = append(c.names, name)
}

// Kill sends SIGKILL to the i-th daemon started (0 is the mon) and waits
// for it, for failure tests.
func (c *Cluster) Kill(i int) {
	p := c.procs[i]
	_ = p.Process.Signal(syscall.SIGKILL)
	_ = p.Wait()
}

// KillMon kills the most recently started monitor process with SIGKILL.
func (c *Cluster) KillMon() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		if c.names[i] == "mon.a" && c.procs[i].ProcessState == nil {
			c.Kill(i)
			return
		}
	}
}

// stop terminates every daemon this cluster started and removes its
// directory, keeping it when the test failed so its logs can be read.
func (c *Cluster) stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		if p.ProcessState != nil {
			continue
		}
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
	if c.sharedDir {
		return
	}
	if c.t.Failed() {
		c.t.Logf("harness: cluster files kept in %s", c.Dir)
		return
	}
	os.RemoveAll(c.Dir)
}

// MonPID returns the process id of the running monitor, for measuring
// its CPU time and memory.
func (c *Cluster) MonPID() int {
	for i := len(c.procs) - 1; i >= 0; i-- {
		if c.names[i] == "mon.a" && c.procs[i].ProcessState == nil {
			return c.procs[i].Process.Pid
		}
	}
	return 0
}

// Stop stops the cluster now, for clusters that outlive one test (the
// comparison benchmarks share theirs).
func (c *Cluster) Stop() { c.stop() }
