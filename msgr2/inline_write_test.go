package msgr2

import (
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// sizedEcho replies to each seqMsg from within Dispatch with fill(N)
// bytes of filler.
type sizedEcho struct{ fill func(n uint64) int }

func (d sizedEcho) Dispatch(c *Conn, m Message) {
	if sm, ok := m.(*seqMsg); ok {
		c.Send(&seqMsg{N: sm.N, Fill: make([]byte, d.fill(sm.N))})
	}
}

// gateDispatcher stops its reader (dispatching inline) until open is
// closed, so that the peer's sends fill the socket.
type gateDispatcher struct {
	open chan struct{}
	ch   chan Message
}

func (d *gateDispatcher) Dispatch(c *Conn, m Message) {
	<-d.open
	d.ch <- m
}

// TestInlineRepliesInOrder: replies that a reader dispatching inline
// queues go out from the reader itself, or from a writer when they are
// large or the socket is full; either way every reply arrives, in order,
// also after the client stopped reading long enough to fill the socket.
func TestInlineRepliesInOrder(t *testing.T) {
	for _, c := range []struct {
		name string
		fill func(n uint64) int
	}{
		// Every reply goes from the reader until the socket is full.
		{"small", func(uint64) int { return 4 << 10 }},
		// Every fifth is larger than the reader writes itself.
		{"mixed", func(n uint64) int {
			if n%5 == 0 {
				return 3 * noWaitLimit
			}
			return 0
		}},
	} {
		t.Run(c.name, func(t *testing.T) { inlineRepliesInOrder(t, c.fill) })
	}
}

func inlineRepliesInOrder(t *testing.T, fill func(n uint64) int) {
	srv, _ := newTestMessenger(t, "mon.a", Config{Dispatcher: sizedEcho{fill}, DispatchInline: true})
	addrs := listen(t, srv)
	gate := &gateDispatcher{open: make(chan struct{}), ch: make(chan Message, 4096)}
	cli, _ := newTestMessenger(t, "client.admin", Config{Dispatcher: gate, DispatchInline: true})
	c := dial(t, cli, addrs, encoding.EntityMon)
	const n = 2000 // 8 or 19 MiB of replies, more than loopback buffers hold
	for i := 1; i <= n; i++ {
		if err := c.Send(&seqMsg{N: uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond) // the server's replies back up meanwhile
	close(gate.open)
	deadline := time.After(20 * time.Second)
	for i := 1; i <= n; i++ {
		select {
		case m := <-gate.ch:
			sm := m.(*seqMsg)
			if sm.N != uint64(i) {
				t.Fatalf("reply %d: got N=%d", i, sm.N)
			}
			if len(sm.Fill) != fill(sm.N) {
				t.Fatalf("reply %d: %d bytes of fill", i, len(sm.Fill))
			}
		case <-deadline:
			t.Fatalf("only %d of %d replies", i-1, n)
		}
	}
}
