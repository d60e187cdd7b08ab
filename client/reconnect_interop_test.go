//go:build interop

package client

import (
	"context"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestInteropReconnect: when the session dies the client hunts again by
// itself; calls made meanwhile wait for the new session and subscriptions
// carry on from where they were. The new session reclaims the global id
// with the old auth ticket, as MonClient does, so that a resent command
// keeps its id. Against ceph-mon and kelp-mon.
func TestInteropReconnect(t *testing.T) {
	t.Run("ceph-mon", func(t *testing.T) { testReconnect(t, harness.StartMon(t, harness.Options{})) })
	t.Run("kelp-mon", func(t *testing.T) { testReconnect(t, harness.StartKelpMon(t, harness.Options{})) })
}

func testReconnect(t *testing.T, cl *harness.Cluster) {
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

	// After authenticating the client fetched service tickets for osd and
	// mgr with an MAuth request, as MonClient::_check_auth_tickets does.
	for {
		c.mu.Lock()
		cx := c.sess.auth.cx
		ok := cx.Ticket(encoding.EntityOSD).HaveKey(time.Now()) && cx.Ticket(encoding.EntityMgr).HaveKey(time.Now())
		c.mu.Unlock()
		if ok {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("no osd/mgr service tickets")
		}
		time.Sleep(20 * time.Millisecond)
	}

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
	if c.GlobalID() != gid {
		t.Fatalf("global id %d after the reconnect, want %d reclaimed", c.GlobalID(), gid)
	}
}

// TestInteropTicketRenewal: with a short auth ticket lifetime the client
// renews its auth ticket on the open session (CEPHX_GET_AUTH_SESSION_KEY
// in an MAuth) before it expires, and keeps working.
func TestInteropTicketRenewal(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{Conf: map[string]string{"auth mon ticket ttl": "4", "auth service ticket ttl": "4"}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Connect(ctx, Options{ConfPath: cl.ConfPath})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	expires := func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		if tk := c.sess.auth.cx.Ticket(encoding.EntityAuth); tk != nil {
			return tk.Expires
		}
		return time.Time{}
	}
	first := expires()
	for expires().Equal(first) {
		if ctx.Err() != nil {
			t.Fatal("auth ticket never renewed")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("auth ticket renewed: expiry %s -> %s", first.Format(time.StampMilli), expires().Format(time.StampMilli))
	if _, _, err := c.MonCommand(ctx, `{"prefix": "mon stat"}`, nil); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Sessions != 1 {
		t.Fatalf("renewal cost a session: %+v", st)
	}
}
