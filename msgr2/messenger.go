package msgr2

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/kelp-ceph/kelp/encoding"
)

// Messenger owns this entity's listeners and sessions (AsyncMessenger).
type Messenger struct {
	cfg      Config
	log      *slog.Logger
	throttle *throttle

	mu        sync.Mutex
	conns     map[string]*Conn // lossless and outgoing sessions by peer address
	all       map[*Conn]struct{}
	listeners []net.Listener
	pending   map[net.Conn]struct{} // accepted, still in the handshake
	myAddrs   encoding.EntityAddrVec
	none      *AuthNoneServer
	globalSeq uint64
	closed    bool
	wg        sync.WaitGroup
}

// NewMessenger returns a Messenger for cfg (defaults filled in).
func NewMessenger(cfg Config) *Messenger {
	cfg.setDefaults()
	// Monitors keep nonce 0: clients find them by addresses from mon_host
	// and the monmap, which carry nonce 0.
	if cfg.Nonce == 0 && cfg.Name.Type != encoding.EntityMon {
		cfg.Nonce = uint32(randU64())
	}
	return &Messenger{
		cfg: cfg, log: cfg.Logger, throttle: newThrottle(cfg.ThrottleBytes),
		conns: map[string]*Conn{}, all: map[*Conn]struct{}{}, pending: map[net.Conn]struct{}{},
	}
}

// Config returns the Messenger's configuration, defaults filled in.
func (m *Messenger) Config() *Config { return &m.cfg }

func randU64() uint64 {
	var b [8]byte
	for {
		rand.Read(b[:])
		if v := binary.LittleEndian.Uint64(b[:]); v != 0 {
			return v
		}
	}
}

// nextGlobalSeq returns a fresh global_seq above floor
// (AsyncMessenger::get_global_seq).
func (m *Messenger) nextGlobalSeq(floor uint64) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.globalSeq = max(m.globalSeq, floor) + 1
	return m.globalSeq
}

// Addrs returns the addresses this Messenger listens on.
func (m *Messenger) Addrs() encoding.EntityAddrVec {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append(encoding.EntityAddrVec(nil), m.myAddrs...)
}

// myIdentAddrs is what CLIENT_IDENT announces: our listening addresses, or
// for a pure client an address of type ANY at the IP the peer saw, port 0.
func (m *Messenger) myIdentAddrs(learned encoding.EntityAddr) encoding.EntityAddrVec {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.myAddrs) > 0 {
		return append(encoding.EntityAddrVec(nil), m.myAddrs...)
	}
	a := encoding.EntityAddr{Type: encoding.AddrAny, Nonce: m.cfg.Nonce}
	if learned.Addr.IsValid() {
		a.Addr = netip.AddrPortFrom(learned.Addr.Addr(), 0)
	}
	return encoding.EntityAddrVec{a}
}

// Listen listens on every msgr2 (or "any") address of addrs, on loopback
// or wherever they say; a port of 0 picks a free one. It returns the
// addresses bound. The Messenger announces them, or Config.PublicAddrs
// when set.
func (m *Messenger) Listen(addrs encoding.EntityAddrVec) (encoding.EntityAddrVec, error) {
	var bound encoding.EntityAddrVec
	for _, a := range addrs {
		if a.Type != encoding.AddrMsgr2 && a.Type != encoding.AddrAny {
			continue
		}
		// No TCP keepalive probes (Ceph sets none: sessions have their
		// own KEEPALIVE2 frames), which saves three setsockopt calls per
		// accepted connection.
		lc := net.ListenConfig{KeepAlive: -1}
		ln, err := lc.Listen(context.Background(), "tcp", a.Addr.String())
		if err != nil {
			return nil, err
		}
		ap := ln.Addr().(*net.TCPAddr).AddrPort()
		b := encoding.EntityAddr{Type: encoding.AddrMsgr2, Nonce: m.cfg.Nonce, Addr: netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())}
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			ln.Close()
			return nil, ErrClosed
		}
		m.listeners = append(m.listeners, ln)
		bound = append(bound, b)
		if len(m.cfg.PublicAddrs) > 0 {
			m.myAddrs = publicAddrs(m.cfg.PublicAddrs, bound, m.cfg.Nonce)
		} else {
			m.myAddrs = append(m.myAddrs, b)
		}
		m.mu.Unlock()
		m.wg.Add(1)
		idle := new(atomic.Int32)
		idle.Store(1)
		go m.acceptLoop(ln, idle)
	}
	if len(bound) == 0 {
		return nil, fmt.Errorf("msgr2: no msgr2 address in %s", addrs)
	}
	return bound, nil
}

// publicAddrs is what a Messenger bound at bound announces for the
// public addresses pub (AsyncMessenger::_finish_bind): pub with our
// nonce, a port of 0 taking the bound port of the same type.
func publicAddrs(pub, bound encoding.EntityAddrVec, nonce uint32) encoding.EntityAddrVec {
	out := make(encoding.EntityAddrVec, len(pub))
	for i, a := range pub {
		a.Nonce = nonce
		if a.Addr.Port() == 0 {
			for _, b := range bound {
				if b.Type == a.Type {
					a.Addr = netip.AddrPortFrom(a.Addr.Addr(), b.Addr.Port())
				}
			}
		}
		out[i] = a
	}
	return out
}

// maxIdleAcceptors is how many goroutines may wait for connections on
// one listener before one that has served a session exits.
const maxIdleAcceptors = 2

// acceptLoop accepts connections on ln. The goroutine that accepts a
// connection runs its handshake and reads the session until it goes quiet
// (readNew), starting another acceptLoop first if no other goroutine is
// left waiting on ln; then it goes back to accepting unless
// maxIdleAcceptors others already do. Short sessions one after another
// are thus served by the same few goroutines, whose stacks have grown to
// what a handshake needs, rather than by a new goroutine each.
//
// idle counts the goroutines of ln not serving a session, this one
// included; m.wg counts this goroutine except while it reads a session
// (a reader can wait on its Dispatcher, which may be waiting for Close).
func (m *Messenger) acceptLoop(ln net.Listener, idle *atomic.Int32) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				idle.Add(-1)
				m.wg.Done()
				return
			}
			m.log.Warn("msgr2: accept", "err", err)
			continue
		}
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			nc.Close()
			idle.Add(-1)
			m.wg.Done()
			return
		}
		m.pending[nc] = struct{}{}
		if idle.Add(-1) == 0 {
			idle.Add(1)
			m.wg.Add(1)
			go m.acceptLoop(ln, idle)
		}
		m.mu.Unlock()
		c, tr := m.accept(nc)
		m.mu.Lock()
		delete(m.pending, nc)
		m.mu.Unlock()
		m.wg.Done()
		if c != nil {
			c.readNew(tr)
		}
		if idle.Add(1) > maxIdleAcceptors {
			idle.Add(-1)
			return
		}
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			idle.Add(-1)
			return
		}
		m.wg.Add(1)
		m.mu.Unlock()
	}
}

// Close stops listening and closes every session.
func (m *Messenger) Close() error {
	m.mu.Lock()
	m.closed = true
	lns := m.listeners
	m.listeners = nil
	var conns []*Conn
	for c := range m.all {
		conns = append(conns, c)
	}
	for nc := range m.pending {
		nc.Close() // handshakes in progress end now, not at their deadline
	}
	m.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
	for _, c := range conns {
		c.Close()
	}
	m.wg.Wait()
	m.throttle.close()
	return nil
}

func addrKey(a encoding.EntityAddr) string {
	return fmt.Sprintf("%s/%d", a.Addr, a.Nonce)
}

// forget drops a closed Conn from the Messenger's maps.
func (m *Messenger) forget(c *Conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.all, c)
	for k, v := range m.conns {
		if v == c {
			delete(m.conns, k)
		}
	}
}

// msgr2Addr picks the address to dial from a peer's address vector.
func msgr2Addr(addrs encoding.EntityAddrVec) (encoding.EntityAddr, bool) {
	for _, a := range addrs {
		if a.Type == encoding.AddrMsgr2 || a.Type == encoding.AddrAny {
			return a, true
		}
	}
	return encoding.EntityAddr{}, false
}

// Dial returns a session with the peer at addrs, connecting if there is
// none. The first connection attempt is made before Dial returns; a
// lossless session then reconnects by itself after faults.
func (m *Messenger) Dial(ctx context.Context, addrs encoding.EntityAddrVec, peerType encoding.EntityType) (*Conn, error) {
	target, ok := msgr2Addr(addrs)
	if !ok {
		return nil, fmt.Errorf("msgr2: no msgr2 address in %s", addrs)
	}
	key := addrKey(target)
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	if c := m.conns[key]; c != nil {
		m.mu.Unlock()
		return c, c.waitReady(ctx)
	}
	policy := m.cfg.Policy(peerType, false)
	c := newConn(m, peerType, policy, true)
	c.target = target
	c.peerAddrs = addrs
	c.clientCookie = randU64()
	c.attempt = 1
	m.conns[key] = c
	m.all[c] = struct{}{}
	m.mu.Unlock()

	err := c.connect(ctx, 1)
	c.mu.Lock()
	superseded := c.attempt != 1 || c.state == stateOpen
	c.mu.Unlock()
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, errWait):
		// The peer is connecting to us and wins the race: wait for its
		// connection, retrying ourselves only if it never comes.
		go c.reconnectLoop(1, maxBackoff)
		return c, c.waitReady(ctx)
	case errors.Is(err, errSuperseded), superseded:
		// We adopted the peer's connection meanwhile.
		return c, c.waitReady(ctx)
	}
	c.closeWith(err, false)
	return nil, err
}

// waitReady waits until the session has opened once.
func (c *Conn) waitReady(ctx context.Context) error {
	select {
	case <-c.readyChan():
		return nil
	case <-c.Done():
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}
