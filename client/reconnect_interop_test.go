//go:build interop

package client

import (
	"context"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestInteropReconnect: when the session dies the client hunts again by
// itself; calls made meanwhile wait for the new session and subscriptions
// carry on from where they were.
func TestInteropReconnect(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Connect(ctx, Options{ConfPath: cl.ConfPath})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	osdmaps, _ := c.Subscribe(ctx, "osdmap")
	first := <-osdmaps
	gid := c.GlobalID()

	c.mu.Lock()
	c.sess.conn.Close()
	c.mu.Unlock()

	if _, _, err := c.MonCommand(ctx, `{"prefix": "osd pool create", "pool": "after", "pg_num": 8}`, nil); err != nil {
		t.Fatalf("command across the reconnect: %v", err)
	}
	select {
	case u := <-osdmaps:
		if u.Epoch != first.Epoch+1 {
			t.Fatalf("after reconnect got osdmap e%d, want e%d", u.Epoch, first.Epoch+1)
		}
	case <-ctx.Done():
		t.Fatal("no osdmap after reconnect")
	}
	if st := c.Stats(); st.Sessions != 2 || st.OSDMapFallbacks != 0 {
		t.Fatalf("stats %+v", st)
	}
	t.Logf("global id %d, then %d", gid, c.GlobalID())
}
