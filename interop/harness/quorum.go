package harness

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
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

// MonKind says which monitor program a Quorum runs.
type MonKind int

const (
	KelpMon MonKind = iota // kelp's cmd/kelp-mon
	CephMon                // Debian's ceph-mon
)

func (k MonKind) String() string {
	switch k {
	case KelpMon:
		return "kelp-mon"
	case CephMon:
		return "ceph-mon"
	}
	return fmt.Sprintf("MonKind(%d)", int(k))
}

// QuorumOptions shapes a multi-monitor cluster.
type QuorumOptions struct {
	// Names are the monitors' ids; "a", "b", "c" when empty.
	Names []string
	// Conf adds or overrides [global] options of ceph.conf.
	Conf map[string]string
	// Proxy puts a TCP proxy in front of each monitor, for Partition and
	// Heal. Monitor i (from 0) gets its own loopback IP 127.0.1.i+1; the
	// monmap and Addrs name its proxy there, the monitor listens on
	// another port of that IP (public_bind_addr) and, with
	// ms_bind_before_connect, dials its peers from it. Monitors listen
	// on msgr2 only then, ceph-mons too.
	Proxy bool
}

// FastFailover is the Conf a failover test wants: a short election
// timeout and lease so that a new leader is elected in seconds, and a
// short hunt interval so the CLI finds a live monitor quickly.
var FastFailover = map[string]string{
	"mon election timeout":     "1",
	"mon lease":                "1",
	"mon client hunt interval": "0.5",
}

// Quorum is a cluster of several monitors made the way deployment
// scripts make one: one keyring from ceph-authtool, one monmap from
// `monmaptool --create --addv NAME ADDR` per monitor, `--mkfs` for each
// monitor, each then run in the foreground (-f) as a child process of
// the test, stopped by pid. The same steps serve kelp-mon and ceph-mon,
// so the two can be compared started alike.
type Quorum struct {
	Kind        MonKind
	Dir         string
	ConfPath    string
	KeyringPath string
	FSID        encoding.UUID
	Names       []string
	// Addrs maps a monitor's id to its address vector as the ceph CLI's
	// -m and client.Options.MonHost take it.
	Addrs map[string]string

	t     testing.TB
	bin   string
	procs map[string]*exec.Cmd
	osds  *Cluster          // see OSDs
	split *splitNet         // the proxies, with QuorumOptions.Proxy
	bind  map[string]string // public_bind_addr by monitor, with a proxy
	// publicAddr is --public-addr by monitor, for one started outside
	// the monmap (JoinMon).
	publicAddr map[string]string
}

// NewQuorum makes (but does not start) a cluster of monitors of kind k
// on free loopback ports. kelp-mons listen on msgr2 only; ceph-mons on
// msgr2 and msgr1, as StartMon's single monitor does. Every process
// stops when t ends.
func NewQuorum(t testing.TB, k MonKind, o QuorumOptions) *Quorum {
	t.Helper()
	RequireBinaries(t, "monmaptool", "ceph-authtool", "ceph")
	if len(o.Names) == 0 {
		o.Names = []string{"a", "b", "c"}
	}
	q := &Quorum{Kind: k, Names: o.Names, Addrs: map[string]string{}, t: t,
		procs: map[string]*exec.Cmd{}, FSID: encoding.NewUUID()}
	switch k {
	case KelpMon:
		q.bin = KelpMonBinary(t)
	case CephMon:
		RequireBinaries(t, "ceph-mon")
		q.bin = "ceph-mon"
	default:
		t.Fatalf("harness: unknown monitor kind %v", k)
	}
	// A short directory: admin socket paths must fit in sun_path.
	dir, err := os.MkdirTemp("", "kelp-q-")
	if err != nil {
		t.Fatal(err)
	}
	q.Dir = dir
	t.Cleanup(q.stop)
	for _, d := range []string{"run", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	q.ConfPath = filepath.Join(dir, "ceph.conf")
	q.KeyringPath = filepath.Join(dir, "keyring")
	mmArgs := []string{"--create", "--fsid", q.FSID.String()}
	var hosts []string
	used := map[int]bool{}
	port := func() int {
		for {
			if p := FreePort(t); !used[p] {
				used[p] = true
				return p
			}
		}
	}
	if o.Proxy {
		q.split, q.bind = newSplitNet(), map[string]string{}
	}
	for i, n := range o.Names {
		switch {
		case o.Proxy:
			ip := netip.AddrFrom4([4]byte{127, 0, 1, byte(i + 1)})
			pub, err := q.split.listen(n, ip)
			if err != nil {
				t.Fatal(err)
			}
			q.Addrs[n] = fmt.Sprintf("[v2:%s]", pub)
			backend := netip.AddrPortFrom(ip, uint16(freePortOn(t, ip.String()))).String()
			q.bind[n] = "v2:" + backend
			q.split.serve(n, backend)
		case k == CephMon:
			q.Addrs[n] = fmt.Sprintf("[v2:127.0.0.1:%d,v1:127.0.0.1:%d]", port(), port())
		default:
			q.Addrs[n] = fmt.Sprintf("[v2:127.0.0.1:%d]", port())
		}
		hosts = append(hosts, q.Addrs[n])
		mmArgs = append(mmArgs, "--addv", n, q.Addrs[n])
	}
	extra := map[string]string{
		"fsid":                                  q.FSID.String(),
		"keyring":                               q.KeyringPath,
		"run dir":                               dir + "/run",
		"pid file":                              dir + "/run/$name.pid",
		"log file":                              dir + "/log/$name.log",
		"admin socket":                          dir + "/run/$name.asok",
		"mon data":                              dir + "/$name",
		"osd data":                              dir + "/$name",
		"auth allow insecure global id reclaim": "false",
		"mon warn on insecure global id reclaim allowed": "false",
	}
	if o.Proxy {
		extra["ms bind before connect"] = "true"
	}
	for key, v := range o.Conf {
		extra[key] = v
	}
	if err := WriteConf(q.ConfPath, strings.Join(hosts, ","), "cephx", extra); err != nil {
		t.Fatal(err)
	}
	q.run("ceph-authtool", "--create-keyring", q.KeyringPath, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
	q.run("ceph-authtool", q.KeyringPath, "--gen-key", "-n", "client.admin",
		"--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *", "--cap", "mds", "allow *")
	monmap := filepath.Join(dir, "monmap")
	q.run("monmaptool", append(mmArgs, monmap)...)
	for _, n := range o.Names {
		q.run(q.bin, "--mkfs", "-i", n, "-c", q.ConfPath, "--monmap", monmap, "--keyring", q.KeyringPath)
	}
	return q
}

// StartQuorum makes a cluster with NewQuorum, starts every monitor and
// waits until all of them are in quorum.
func StartQuorum(t testing.TB, k MonKind, o QuorumOptions) *Quorum {
	t.Helper()
	q := NewQuorum(t, k, o)
	for _, n := range q.Names {
		q.Start(n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	q.WaitQuorum(ctx, q.Names...)
	return q
}

func (q *Quorum) run(name string, args ...string) {
	q.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		q.t.Fatalf("harness: %s %v: %v\n%s", name, args, err, out)
	}
}

// Start runs mon.name in the foreground as a child process, its output
// appended to DIR/log/mon.NAME.stderr.
func (q *Quorum) Start(name string) {
	q.t.Helper()
	if q.procs[name] != nil {
		q.t.Fatalf("harness: mon.%s already running", name)
	}
	logf, err := os.OpenFile(filepath.Join(q.Dir, "log", "mon."+name+".stderr"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		q.t.Fatal(err)
	}
	args := []string{"-i", name, "-c", q.ConfPath, "-f"}
	if b := q.bind[name]; b != "" {
		args = append(args, "--public-bind-addr", b)
	}
	if a := q.publicAddr[name]; a != "" {
		args = append(args, "--public-addr", a)
	}
	cmd := exec.Command(q.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		q.t.Fatalf("harness: start mon.%s: %v", name, err)
	}
	logf.Close()
	q.procs[name] = cmd
}

// PID is mon.name's process id, 0 when it is not running.
func (q *Quorum) PID(name string) int {
	if cmd := q.procs[name]; cmd != nil {
		return cmd.Process.Pid
	}
	return 0
}

// Kill stops mon.name with SIGKILL (kill -9), by pid, and reaps it.
func (q *Quorum) Kill(name string) {
	if cmd := q.procs[name]; cmd != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		delete(q.procs, name)
	}
}

// Freeze sends SIGSTOP to mon.name: its sockets stay open but it
// answers nothing, as a monitor behind a dropped link would not.
func (q *Quorum) Freeze(name string) {
	if cmd := q.procs[name]; cmd != nil {
		_ = cmd.Process.Signal(syscall.SIGSTOP)
	}
}

// Thaw sends SIGCONT to a monitor Freeze stopped.
func (q *Quorum) Thaw(name string) {
	if cmd := q.procs[name]; cmd != nil {
		_ = cmd.Process.Signal(syscall.SIGCONT)
	}
}

// stop terminates every monitor still running and removes the cluster's
// directory, keeping it when the test failed so its logs can be read.
func (q *Quorum) stop() {
	for _, n := range q.Names {
		cmd := q.procs[n]
		if cmd == nil {
			continue
		}
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		delete(q.procs, n)
	}
	if q.split != nil {
		q.split.close()
	}
	if q.t.Failed() {
		q.t.Logf("harness: quorum files kept in %s", q.Dir)
		return
	}
	os.RemoveAll(q.Dir)
}

// Partition splits the network in two, a and b, through the proxies of
// QuorumOptions.Proxy: connections between a monitor of one side and a
// monitor of the other are refused and those open closed, both ways,
// until Heal or the next Partition, which replaces this one (the cut
// between monitors named on the same sides again stays unbroken).
// Clients reach every monitor unless Clients is on one side, which puts
// them there: a client then hunts among that side's monitors only, as
// one in that part of a real network would.
func (q *Quorum) Partition(a, b []string) {
	q.t.Helper()
	if q.split == nil {
		q.t.Fatal("harness: Partition needs QuorumOptions.Proxy")
	}
	closed := q.split.partition(a, b)
	q.t.Logf("harness: partition %v | %v (%d connections closed)", a, b, closed)
}

// Heal lifts every cut Partition made; monitors reconnect by themselves.
func (q *Quorum) Heal() {
	q.t.Helper()
	if q.split == nil {
		q.t.Fatal("harness: Heal needs QuorumOptions.Proxy")
	}
	q.split.heal()
	q.t.Logf("harness: partition healed")
}

// Stop stops the cluster now, for clusters that outlive one test.
func (q *Quorum) Stop() { q.stop() }

// KeepLogs copies every monitor's whole log to a new directory that
// outlives the test, for a failure that the tails in Logs do not explain,
// and returns its path.
func (q *Quorum) KeepLogs() string {
	dst, err := os.MkdirTemp("", "kelp-quorum-logs-")
	if err != nil {
		return err.Error()
	}
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(q.Dir, "log"))); err != nil {
		return err.Error()
	}
	return dst
}

// Logs returns the last lines of every monitor's output and log file,
// without the messenger's lines, for failure messages.
func (q *Quorum) Logs() string {
	var b strings.Builder
	for _, n := range q.Names {
		for _, f := range []string{"mon." + n + ".stderr", "mon." + n + ".log"} {
			out, err := os.ReadFile(filepath.Join(q.Dir, "log", f))
			if err != nil || len(out) == 0 {
				continue
			}
			var lines []string
			for _, l := range strings.Split(string(out), "\n") {
				if !strings.Contains(l, "msgr2:") {
					lines = append(lines, l)
				}
			}
			fmt.Fprintf(&b, "--- %s\n%s\n", f, strings.Join(lines[max(len(lines)-40, 0):], "\n"))
		}
	}
	return b.String()
}

// Ceph runs the real CLI against the cluster, against one monitor (-m)
// when mon is not "", giving up after 15s.
func (q *Quorum) Ceph(ctx context.Context, mon string, args ...string) (string, error) {
	if mon != "" {
		args = append([]string{"-m", q.Addrs[mon]}, args...)
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	out, stderr, err := RunCeph(cctx, q.ConfPath, args...)
	if err != nil {
		return out, fmt.Errorf("%v: %s", err, stderr)
	}
	return out, nil
}

// MonStatus is the part of a monitor's own mon_status (admin socket)
// the tests read: its view, whatever the network between monitors.
type MonStatus struct {
	Name          string `json:"name"`
	State         string `json:"state"` // probing, electing, leader, peon, synchronizing
	ElectionEpoch int    `json:"election_epoch"`
	Quorum        []int  `json:"quorum"`
	Monmap        struct {
		Mons []struct {
			Rank int    `json:"rank"`
			Name string `json:"name"`
		} `json:"mons"`
	} `json:"monmap"`
}

// QuorumNames are the names of the ranks in s.Quorum, sorted.
func (s MonStatus) QuorumNames() []string {
	var names []string
	for _, m := range s.Monmap.Mons {
		if slices.Contains(s.Quorum, m.Rank) {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	return names
}

// MonStatus asks mon.name for mon_status over its admin socket, which no
// partition cuts.
func (q *Quorum) MonStatus(name string) (MonStatus, error) {
	var st MonStatus
	out, err := AdminSocket(filepath.Join(q.Dir, "run", "mon."+name+".asok"), `{"prefix": "mon_status"}`)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(out, &st); err != nil {
		return st, fmt.Errorf("mon.%s mon_status: %w: %q", name, err, out)
	}
	return st, nil
}

// AdminSocket sends one command (JSON) to a daemon's admin socket and
// returns the answer, as `ceph daemon` does (src/common/admin_socket.cc:
// the command ends with a NUL, the answer is a big-endian u32 length and
// that many bytes).
func AdminSocket(path, cmd string) ([]byte, error) {
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(append([]byte(cmd), 0)); err != nil {
		return nil, err
	}
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > 16<<20 {
		return nil, fmt.Errorf("harness: admin socket answer of %d bytes", n)
	}
	out := make([]byte, n)
	_, err = io.ReadFull(c, out)
	return out, err
}

// WaitMonsInQuorum polls the admin socket of each of names until every
// one is leader or peon of a quorum of exactly names (sorted), failing
// the test when ctx ends first.
func (q *Quorum) WaitMonsInQuorum(ctx context.Context, names ...string) MonStatus {
	q.t.Helper()
	var last string
	for {
		var st MonStatus
		ok := true
		for _, n := range names {
			s, err := q.MonStatus(n)
			if err != nil || (s.State != "leader" && s.State != "peon") || !slices.Equal(s.QuorumNames(), names) {
				ok, last = false, fmt.Sprintf("mon.%s %s quorum %v %v", n, s.State, s.QuorumNames(), err)
				break
			}
			if s.State == "leader" {
				st = s
			}
		}
		if ok {
			return st
		}
		if ctx.Err() != nil {
			q.t.Fatalf("harness: monitors %v not in one quorum; last %s\n%s", names, last, q.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// QuorumStatus is the part of `ceph quorum_status` the tests read.
type QuorumStatus struct {
	ElectionEpoch int      `json:"election_epoch"`
	Quorum        []int    `json:"quorum"`
	QuorumNames   []string `json:"quorum_names"`
	Leader        string   `json:"quorum_leader_name"`
}

// WaitQuorum polls quorum_status until the quorum is exactly names
// (given sorted), failing the test when ctx ends first.
func (q *Quorum) WaitQuorum(ctx context.Context, names ...string) QuorumStatus {
	q.t.Helper()
	var last string
	for {
		out, err := q.Ceph(ctx, "", "quorum_status", "--format", "json")
		var qs QuorumStatus
		if err == nil && json.Unmarshal([]byte(out), &qs) == nil {
			got := slices.Clone(qs.QuorumNames)
			slices.Sort(got)
			if slices.Equal(got, names) {
				return qs
			}
		}
		last = fmt.Sprint(out, err)
		if ctx.Err() != nil {
			q.t.Fatalf("harness: no quorum of %v; last answer %s\n%s", names, last, q.Logs())
		}
		time.Sleep(300 * time.Millisecond)
	}
}
