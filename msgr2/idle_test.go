package msgr2

import (
	"bytes"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// parked reports whether c's reader has parked its socket with the poller.
func parked(c *Conn) bool {
	c.mu.Lock()
	tr := c.tr
	c.mu.Unlock()
	if tr == nil {
		return false
	}
	tr.pmu.Lock()
	defer tr.pmu.Unlock()
	return tr.parked != 0
}

func waitParked(t *testing.T, who string, c *Conn) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !parked(c) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: session did not park", who)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdleSessionParks: both ends of a quiet session park their sockets,
// in every mode and revision, and messages then flow both ways as before,
// through several park-and-wake rounds (big ones included, which take more
// than one read).
func TestIdleSessionParks(t *testing.T) {
	if getPoller() == nil {
		t.Skip("no poller on this platform")
	}
	for _, mode := range []uint32{ConModeCRC, ConModeSecure} {
		for _, rev1 := range []bool{true, false} {
			t.Run(modeName(mode == ConModeSecure, rev1), func(t *testing.T) {
				srv, sd := newTestMessenger(t, "mon.a", Config{AuthServer: &testAuthServer{}, DisableRev1: !rev1})
				addrs := listen(t, srv)
				cli, cd := newTestMessenger(t, "client.admin", Config{
					NewAuthClient:  func(encoding.EntityType) AuthClient { return &testAuthClient{modes: []uint32{mode}} },
					MonClientModes: []uint32{mode}})
				c := dial(t, cli, addrs, encoding.EntityMon)
				for round := 0; round < 3; round++ {
					waitParked(t, "client", c)
					s := onlyConn(t, srv)
					waitParked(t, "server", s)
					fill := pattern(100000*round, byte(round))
					c.Send(&seqMsg{N: uint64(round), Fill: fill})
					if m := recv(t, sd, 5*time.Second).(*seqMsg); m.N != uint64(round) || !bytes.Equal(m.Fill, fill) {
						t.Fatalf("round %d: server got message %d", round, m.N)
					}
					waitParked(t, "client", c)
					s.Send(&seqMsg{N: 100 + uint64(round)})
					if m := recv(t, cd, 5*time.Second).(*seqMsg); m.N != 100+uint64(round) {
						t.Fatalf("round %d: client got message %d", round, m.N)
					}
				}
				// A parked session still notices its peer going away.
				waitParked(t, "server", onlyConn(t, srv))
				s := onlyConn(t, srv)
				c.Close()
				select {
				case <-s.Done():
				case <-time.After(5 * time.Second):
					t.Fatal("server kept a parked session whose peer closed")
				}
			})
		}
	}
}
