package client

import (
	"context"
	"fmt"
	"sync"

	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// Update is one map delivered to a subscriber.
type Update struct {
	// What is the subscription: "monmap", "osdmap", "mgrmap" or "config".
	What  string
	Epoch uint32 // 0 for config
	// Map is a *monmap.MonMap, *osdmap.OSDMap, *mgrmap.MgrMap, or for
	// config the map[string]string of options the monitor holds for this
	// client. Values are shared between subscribers: do not modify them.
	Map any
}

// maxQueued bounds the updates waiting for a slow subscriber; beyond it
// the oldest are dropped (the newest map is what matters).
const maxQueued = 4096

// watcher feeds one subscriber's channel from an unbounded-but-capped
// queue, so that dispatch never blocks on a slow reader.
type watcher struct {
	what   string
	ch     chan Update
	mu     sync.Mutex
	queue  []Update
	wake   chan struct{}
	closed chan struct{}
}

func (w *watcher) push(u Update) {
	w.mu.Lock()
	if len(w.queue) >= maxQueued {
		w.queue = w.queue[1:]
	}
	w.queue = append(w.queue, u)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) run(ctx context.Context) {
	defer close(w.ch)
	for {
		w.mu.Lock()
		var next *Update
		if len(w.queue) > 0 {
			u := w.queue[0]
			w.queue = w.queue[1:]
			next = &u
		}
		w.mu.Unlock()
		if next == nil {
			select {
			case <-w.wake:
				continue
			case <-ctx.Done():
				return
			case <-w.closed:
				return
			}
		}
		select {
		case w.ch <- *next:
		case <-ctx.Done():
			return
		case <-w.closed:
			return
		}
	}
}

// Subscribe delivers a map on the returned channel each time the
// monitors publish a new one, starting with the current one: "monmap",
// "osdmap", "mgrmap" or "config" (MonClient::sub_want). For osdmap the
// monitor sends incrementals; the client applies them and checks each
// result against the monitor's full-map crc, asking for a full map after
// a gap or a mismatch. The channel is closed when ctx ends or the client
// closes.
func (c *Client) Subscribe(ctx context.Context, what string) (<-chan Update, error) {
	switch what {
	case "monmap", "osdmap", "mgrmap", "config":
	default:
		return nil, fmt.Errorf("client: cannot subscribe to %q (want monmap, osdmap, mgrmap or config)", what)
	}
	w := &watcher{what: what, ch: make(chan Update), wake: make(chan struct{}, 1), closed: make(chan struct{})}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	if c.watchers[what] == nil {
		c.watchers[what] = map[*watcher]struct{}{}
	}
	c.watchers[what][w] = struct{}{}
	switch what {
	case "monmap":
		if c.monmap != nil {
			w.push(Update{What: what, Epoch: c.monmap.Epoch, Map: c.monmap})
		}
	case "osdmap":
		if c.osd.cur != nil {
			w.push(Update{What: what, Epoch: c.osd.cur.Epoch, Map: c.osd.cur})
		}
	case "mgrmap":
		if c.mgrmap != nil {
			w.push(Update{What: what, Epoch: c.mgrmap.Epoch, Map: c.mgrmap})
		}
	case "config":
		if c.config != nil {
			w.push(Update{What: what, Map: cloneConfig(c.config)})
		}
	}
	if _, ok := c.subs[what]; !ok {
		c.subs[what] = msg.SubscribeItem{}
		c.sendSubsLocked([]string{what})
	}
	c.mu.Unlock()

	go func() {
		select {
		case <-ctx.Done():
		case <-c.life.Done():
		}
		c.mu.Lock()
		delete(c.watchers[what], w)
		c.mu.Unlock()
		close(w.closed)
	}()
	go w.run(ctx)
	return w.ch, nil
}

func (c *Client) deliverLocked(u Update) {
	for w := range c.watchers[u.What] {
		w.push(u)
	}
}
