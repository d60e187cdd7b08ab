package client

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/mgrmap"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// Client is a session with a cluster's monitors (MonClient). It is safe
// for concurrent use.
type Client struct {
	s    *settings
	reg  *msgr2.Registry
	life context.Context
	stop context.CancelFunc
	done chan struct{} // closed when the maintain loop has exited

	mu      sync.Mutex
	sess    *session
	ready   chan struct{} // closed while a session with a monmap is up
	monmap  *monmap.MonMap
	mons    []monTarget // from the monmap once we have one
	lastTid uint64
	// lastAuth is the cephx state of the last session, which the next
	// session carries over to reclaim the global id (MonClient keeps its
	// global id, and so the ids of its commands, across sessions).
	lastAuth *cephx.Client
	cmds     map[uint64]*pendingCmd
	versions map[uint64]*pendingVersion
	subs     map[string]msg.SubscribeItem
	watchers map[string]map[*watcher]struct{}
	osd      osdmapTracker
	mgrmap   *mgrmap.MgrMap
	config   map[string]string
	stats    Stats
	closed   bool
}

// Stats counts what the client did, for tests and diagnostics.
type Stats struct {
	Sessions        int // sessions opened (1 + reconnects)
	OSDMapFull      int // full osdmaps received
	OSDMapInc       int // incrementals applied and verified
	OSDMapFallbacks int // times a full map was requested (gap or crc mismatch)
	LastFallback    string
}

// Connect hunts for a monitor, authenticates and waits for the monmap,
// all within ctx; the session then lives until Close, reconnecting by
// itself.
func Connect(ctx context.Context, o Options) (*Client, error) {
	s, err := o.resolve()
	if err != nil {
		return nil, err
	}
	life, stop := context.WithCancel(context.Background())
	c := &Client{
		s: s, reg: newRegistry(), life: life, stop: stop, done: make(chan struct{}),
		ready:    make(chan struct{}),
		cmds:     map[uint64]*pendingCmd{},
		versions: map[uint64]*pendingVersion{},
		subs:     map[string]msg.SubscribeItem{"monmap": {}},
		watchers: map[string]map[*watcher]struct{}{},
	}
	if err := c.hunt(ctx, true); err != nil {
		stop()
		close(c.done)
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		c.mu.Lock()
		sess := c.sess
		c.mu.Unlock()
		c.Close()
		if sess != nil {
			return nil, &MonError{Mon: sess.mon.name, Addr: sess.mon.addrString(), Step: "waiting for the monmap", Err: err}
		}
		return nil, err
	}
	go c.maintain()
	return c, nil
}

// waitReady waits until a session with a monmap is up.
func (c *Client) waitReady(ctx context.Context) error {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return ErrClosed
		}
		ready := c.ready
		c.mu.Unlock()
		select {
		case <-ready:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-c.life.Done():
			return ErrClosed
		}
	}
}

// Close ends the session and fails every call still waiting.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.done
		return nil
	}
	c.closed = true
	sess := c.sess
	c.sess = nil
	for tid, p := range c.cmds {
		delete(c.cmds, tid)
		close(p.done)
	}
	for h, p := range c.versions {
		delete(c.versions, h)
		close(p.done)
	}
	c.mu.Unlock()
	c.stop()
	if sess != nil {
		sess.close()
	}
	<-c.done
	return nil
}

// Stats returns a copy of the client's counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// MonMap returns the newest monmap received.
func (c *Client) MonMap() *monmap.MonMap {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.monmap
}

// FSID is the cluster's fsid (from the monmap).
func (c *Client) FSID() encoding.UUID {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.monmap == nil {
		return encoding.UUID{}
	}
	return c.monmap.FSID
}

// Mon returns the name and address of the monitor of the current
// session, empty while hunting.
func (c *Client) Mon() (name, addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return "", ""
	}
	return c.sess.mon.name, c.sess.mon.addrString()
}

// GlobalID is the global id the monitor gave this session.
func (c *Client) GlobalID() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return 0
	}
	return c.sess.conn.AuthResult().GlobalID
}

// maintain watches the session: it ticks (keepalive timeout, ticket
// renewal) and, when the session ends, hunts again until Close.
func (c *Client) maintain() {
	defer close(c.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		c.mu.Lock()
		sess := c.sess
		c.mu.Unlock()
		if sess == nil {
			if err := c.hunt(c.life, false); err != nil {
				return // closed
			}
			continue
		}
		select {
		case <-c.life.Done():
			return
		case <-sess.conn.Done():
			c.s.log.Info("client: session lost", "mon", sess.mon.name, "err", sess.conn.Err())
			c.dropSession(sess)
		case <-tick.C:
			c.tick(sess)
		}
	}
}

// dropSession forgets a failed session; calls wait for the next one.
func (c *Client) dropSession(sess *session) {
	c.mu.Lock()
	if c.sess == sess {
		c.sess = nil
		select {
		case <-c.ready:
			c.ready = make(chan struct{})
		default:
		}
	}
	c.mu.Unlock()
	sess.close()
}

// tick is MonClient::tick for one session: a monitor that has not
// answered keepalives within the ping timeout is dropped, and cephx
// tickets are renewed before they expire.
func (c *Client) tick(sess *session) {
	last := sess.conn.LastKeepaliveAck()
	if last.IsZero() || last.Before(sess.started) {
		last = sess.started
	}
	if time.Since(last) > c.s.pingTO {
		c.s.log.Warn("client: monitor stopped answering keepalives", "mon", sess.mon.name)
		sess.conn.Close()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == sess {
		c.checkTicketsLocked(sess)
	}
}

var errAuthRefused = errors.New("monitor refused authentication")
