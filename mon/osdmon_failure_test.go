package mon

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// upOSDs creates n OSDs and marks them up, returning each one's session.
func upOSDs(t *testing.T, m *Monitor, n int) []*Session {
	t.Helper()
	var sess []*Session
	inc := (*osdmap.Incremental)(nil)
	for i := range n {
		run(t, m, cmd("osd new", "uuid", fmt.Sprintf("11111111-2222-3333-4444-%012d", i)))
	}
	inc = m.osd.pendingInc()
	inc.NewUpClient = map[int32]encoding.EntityAddrVec{}
	for i := range n {
		a := encoding.EntityAddrVec{encoding.NewAddr(encoding.AddrMsgr2, netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", 6800+i)))}
		inc.NewUpClient[int32(i)] = a
		sess = append(sess, &Session{Entity: encoding.EntityName{Type: encoding.EntityOSD, ID: fmt.Sprint(i)},
			Addrs: a})
	}
	m.proposeAndThen(nil)
	m.maybePropose()
	if _, up, _ := m.osd.osdmap.Counts(); up != n {
		t.Fatalf("%d OSDs up, want %d", up, n)
	}
	return sess
}

func TestOSDFailureReports(t *testing.T) {
	m := testCluster(t)
	sess := upOSDs(t, m, 3)
	report := func(from, target int32, flags uint8) {
		m.osd.dispatch(sess[from], &msg.OSDFailure{FSID: m.osd.osdmap.FSID, TargetOSD: target,
			TargetAddrs: m.osd.osdmap.ClientAddrs[target], Flags: flags, FailedFor: 30})
		m.maybePropose()
	}
	// One reporter is not enough; a second subtree is.
	report(0, 2, msg.FailureFlagFailed)
	if !m.osd.osdmap.IsUp(2) {
		t.Fatal("osd.2 marked down on one report")
	}
	report(1, 2, msg.FailureFlagFailed)
	if m.osd.osdmap.IsUp(2) {
		t.Fatal("osd.2 still up after two reporters")
	}
	// A certain failure needs one report.
	report(0, 1, msg.FailureFlagFailed|msg.FailureFlagImmediate)
	if m.osd.osdmap.IsUp(1) {
		t.Fatal("osd.1 still up after an immediate report")
	}
	// Down long enough, an OSD is marked out and autoout.
	later := time.Now().Add(11 * time.Minute)
	m.osd.now = func() time.Time { return later }
	m.osd.tick()
	m.maybePropose()
	om := m.osd.osdmap
	if !om.IsOut(2) || om.OSDState[2]&osdmap.StateAutoOut == 0 || om.OSDXInfo[2].OldWeight != osdmap.WeightIn {
		t.Fatalf("osd.2 after the down-out interval: weight %#x state %v xinfo %+v",
			om.OSDWeight[2], osdmap.StateNames(om.OSDState[2]), om.OSDXInfo[2])
	}
	if om.IsOut(0) {
		t.Fatal("up osd.0 was marked out")
	}
}

func TestOSDReportTimeout(t *testing.T) {
	m := testCluster(t)
	sess := upOSDs(t, m, 2)
	start := time.Now()
	at := func(d time.Duration) { m.osd.now = func() time.Time { return start.Add(d) } }
	at(0)
	m.osd.tick() // starts the clocks of OSDs up before it looked
	at(10 * time.Minute)
	m.osd.dispatch(sess[0], &msg.OSDBeacon{})
	at(16 * time.Minute)
	m.osd.tick()
	m.maybePropose()
	if !m.osd.osdmap.IsUp(0) || m.osd.osdmap.IsUp(1) {
		t.Fatalf("after 16 minutes: osd.0 up %v, osd.1 up %v", m.osd.osdmap.IsUp(0), m.osd.osdmap.IsUp(1))
	}
}
