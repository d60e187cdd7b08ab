package msgr2

import (
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

type observer struct{ events chan string }

func (o *observer) Dispatch(c *Conn, m Message) { o.events <- "message" }
func (o *observer) HandleAccept(c *Conn)        { o.events <- "accept" }
func (o *observer) HandleReset(c *Conn)         { o.events <- "reset" }

// TestObserverOrder: the accepting side hears of a connection before its
// first message, and of its end when a lossy client goes away.
func TestObserverOrder(t *testing.T) {
	o := &observer{events: make(chan string, 16)}
	srv, _ := newTestMessenger(t, "mon.a", Config{Dispatcher: o})
	addrs := listen(t, srv)
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	c := dial(t, cli, addrs, encoding.EntityMon)
	c.Send(&seqMsg{N: 1})
	for _, want := range []string{"accept", "message"} {
		select {
		case got := <-o.events:
			if got != want {
				t.Fatalf("event %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s event", want)
		}
	}
	c.Close()
	select {
	case got := <-o.events:
		if got != "reset" {
			t.Fatalf("event %q, want reset", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no reset event")
	}
}

func TestPriv(t *testing.T) {
	srv, _ := newTestMessenger(t, "mon.a", Config{})
	addrs := listen(t, srv)
	cli, _ := newTestMessenger(t, "client.admin", Config{})
	c := dial(t, cli, addrs, encoding.EntityMon)
	if c.Priv() != nil {
		t.Fatal("fresh conn has priv")
	}
	c.SetPriv("session")
	if c.Priv() != "session" {
		t.Fatal("priv lost")
	}
}
