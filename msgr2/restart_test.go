package msgr2

import (
	"context"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// TestRestartedPeerCutsBackoff: a monitor restarts at the same address.
// Its first connections to a peer that still holds the old session are
// stale (a new process starts global_seq over) and are refused, as
// ceph-mon refuses them; the peer then retries its own reconnect at once
// instead of waiting out a backoff of many seconds (or the longest one a
// WAIT asks for), gets the restarted monitor's reset, and the two talk
// again in well under that backoff.
func TestRestartedPeerCutsBackoff(t *testing.T) {
	const backoff = 20 * time.Second
	a, _ := newTestMessenger(t, "mon.a", Config{ReconnectBackoff: backoff})
	listen(t, a)
	b1, _ := newTestMessenger(t, "mon.b", Config{})
	bAddrs := listen(t, b1)
	b1.nextGlobalSeq(10) // the old process had made connections before
	c := dial(t, a, bAddrs, encoding.EntityMon)
	if err := c.Send(&seqMsg{N: 1}); err != nil {
		t.Fatal(err)
	}
	b1.Close()
	time.Sleep(300 * time.Millisecond) // a's first reconnect fails; the next is due in backoff

	b2, d2 := newTestMessenger(t, "mon.b", Config{})
	if _, err := b2.Listen(bAddrs); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// The restarted monitor dials a every 500 ms until it connects, as
	// kelp-mon's dial loop does: a's own reconnect may meet one of these
	// attempts in a connection race and be told to WAIT for it, and the
	// next attempt, refused as stale, wakes a again.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := b2.Dial(ctx, a.Addrs(), encoding.EntityMon)
			cancel()
			if err == nil {
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	for n := uint64(2); ; n++ {
		if err := c.Send(&seqMsg{N: n}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-d2.ch:
			if took := time.Since(start); took > backoff/2 {
				t.Fatalf("a reached the restarted b after %v, its backoff was %v", took, backoff)
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Since(start) > backoff {
			t.Fatalf("a did not reach the restarted b within %v", backoff)
		}
	}
}
