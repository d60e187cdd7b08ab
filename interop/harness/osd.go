package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// osdName is the daemon name the harness gives OSD id.
func osdName(id int) string { return fmt.Sprintf("osd.%d", id) }

// runningOSD returns the index in c.procs of OSD id's live process, or -1.
func (c *Cluster) runningOSD(id int) int {
	for i := len(c.procs) - 1; i >= 0; i-- {
		if c.names[i] == osdName(id) && c.procs[i].ProcessState == nil {
			return i
		}
	}
	return -1
}

// OSDPID returns the process id of OSD id, or 0 when it is not running.
func (c *Cluster) OSDPID(id int) int {
	if i := c.runningOSD(id); i >= 0 {
		return c.procs[i].Process.Pid
	}
	return 0
}

// KillOSD sends SIGKILL to OSD id and waits for it to exit: a crash, with
// no chance to tell the monitor (its peers' failure reports must).
func (c *Cluster) KillOSD(id int) {
	c.t.Helper()
	i := c.runningOSD(id)
	if i < 0 {
		c.t.Fatalf("harness: osd.%d is not running", id)
	}
	c.Kill(i)
}

// StopOSD sends SIGTERM to OSD id and waits up to timeout for it to exit.
// A ceph-osd that gets SIGTERM asks the monitor to mark it down
// (MOSDMarkMeDown, OSDService::prepare_to_stop in src/osd/OSD.cc) and
// waits up to osd_mon_shutdown_timeout for the acknowledgement.
func (c *Cluster) StopOSD(id int, timeout time.Duration) {
	c.t.Helper()
	i := c.runningOSD(id)
	if i < 0 {
		c.t.Fatalf("harness: osd.%d is not running", id)
	}
	p := c.procs[i]
	_ = p.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		_ = p.Process.Kill()
		<-done
		c.t.Fatalf("harness: osd.%d did not stop within %v of SIGTERM\n%s", id, timeout, c.LogTail(osdName(id)))
	}
}

// RestartOSD starts OSD id again from its data directory and the keyring
// AddOSD made for it, after KillOSD or StopOSD.
func (c *Cluster) RestartOSD(id int) {
	c.t.Helper()
	if c.runningOSD(id) >= 0 {
		c.t.Fatalf("harness: osd.%d is still running", id)
	}
	name := osdName(id)
	keyring := filepath.Join(c.Dir, name, "keyring")
	if _, err := os.Stat(keyring); err != nil {
		c.t.Fatalf("harness: osd.%d was not made by AddOSD: %v", id, err)
	}
	c.spawn(name, "ceph-osd", "-c", c.ConfPath, "-f", "-i", fmt.Sprint(id), "--keyring", keyring)
}

// LogPath returns the path of a daemon's log file ("log file" is
// $dir/log/$name.log for StartMon clusters and $dir/$name.log for
// kelp-mon dev clusters), or "" when it has none yet.
func (c *Cluster) LogPath(name string) string {
	for _, p := range []string{filepath.Join(c.Dir, "log", name+".log"), filepath.Join(c.Dir, name+".log")} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// PauseOSD stops OSD id with SIGSTOP: a hung daemon whose connections stay
// open, so only missed heartbeats (osd heartbeat grace) reveal it.
func (c *Cluster) PauseOSD(id int) { c.signalOSD(id, syscall.SIGSTOP) }

// ResumeOSD continues OSD id after PauseOSD.
func (c *Cluster) ResumeOSD(id int) { c.signalOSD(id, syscall.SIGCONT) }

func (c *Cluster) signalOSD(id int, sig syscall.Signal) {
	c.t.Helper()
	i := c.runningOSD(id)
	if i < 0 {
		c.t.Fatalf("harness: osd.%d is not running", id)
	}
	if err := c.procs[i].Process.Signal(sig); err != nil {
		c.t.Fatalf("harness: %v to osd.%d: %v", sig, id, err)
	}
}
