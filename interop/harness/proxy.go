package harness

import (
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Clients stands for every connection that does not come from a
// monitor's IP (the ceph CLI, the tests' Go clients) in Partition.
const Clients = "clients"

// maxProxyConns bounds the connections the proxies of one cluster carry
// at once (two goroutines each); more are refused.
const maxProxyConns = 256

// splitNet is a network of TCP proxies, one in front of each monitor of
// a Quorum, that can be partitioned. Each monitor has its own loopback
// IP and, with ms_bind_before_connect, dials its peers from it, so a
// proxy tells which monitor a connection comes from by its source IP;
// anything else is a client. It is a portable stand-in for network
// namespaces: a cut refuses new connections between the two sides and
// closes those open, in both directions.
type splitNet struct {
	mu     sync.Mutex
	byIP   map[netip.Addr]string // monitor IP -> name
	cut    map[[2]string]bool    // {from, to} pairs that may not connect
	conns  map[*proxyConn]struct{}
	lns    map[string]net.Listener // by monitor
	closed bool
	wg     sync.WaitGroup
}

// proxyConn is one connection carried from a client or monitor (from)
// to a monitor (to).
type proxyConn struct {
	from, to  string
	down, up  net.Conn
	closeOnce sync.Once
	splitNet  *splitNet
}

func newSplitNet() *splitNet {
	return &splitNet{byIP: map[netip.Addr]string{}, cut: map[[2]string]bool{},
		conns: map[*proxyConn]struct{}{}, lns: map[string]net.Listener{}}
}

// listen opens mon.name's proxy on the monitor's own IP and a free port,
// and returns its address; it forwards connections once serve runs.
func (s *splitNet) listen(name string, ip netip.Addr) (netip.AddrPort, error) {
	ln, err := net.Listen("tcp", netip.AddrPortFrom(ip, 0).String())
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("harness: proxy for mon.%s on %s: %w (Linux routes all of 127.0.0.0/8 to lo)", name, ip, err)
	}
	s.mu.Lock()
	s.byIP[ip] = name
	s.lns[name] = ln
	s.mu.Unlock()
	return ln.Addr().(*net.TCPAddr).AddrPort(), nil
}

// serve forwards every connection mon.name's proxy accepts to backend,
// the monitor's bind address, unless the partition cuts it.
func (s *splitNet) serve(name, backend string) {
	s.mu.Lock()
	ln := s.lns[name]
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			s.forward(name, nc, backend)
		}
	}()
}

// forward carries down, accepted by mon.to's proxy, to backend, unless
// the partition cuts its source from mon.to: then down is closed.
func (s *splitNet) forward(to string, down net.Conn, backend string) {
	src := down.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
	s.mu.Lock()
	from, isMon := s.byIP[src]
	if !isMon {
		from = Clients
	}
	ok := s.admitLocked(from, to)
	s.mu.Unlock()
	if !ok {
		down.Close()
		return
	}
	up, err := net.DialTimeout("tcp", backend, 2*time.Second)
	if err != nil {
		down.Close() // the monitor is not running: refused, as without a proxy
		return
	}
	pc := &proxyConn{from: from, to: to, down: down, up: up, splitNet: s}
	s.mu.Lock()
	// A cut made while dialing applies too.
	if !s.admitLocked(from, to) {
		s.mu.Unlock()
		pc.close()
		return
	}
	s.conns[pc] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	go pc.pipe(up, down)
	go pc.pipe(down, up)
}

// admitLocked says whether a connection from a monitor or Clients to a
// monitor may be carried now.
func (s *splitNet) admitLocked(from, to string) bool {
	return !s.closed && !s.cut[[2]string{from, to}] && len(s.conns) < maxProxyConns
}

// pipe copies one direction; the first direction to end closes both.
func (pc *proxyConn) pipe(dst, src net.Conn) {
	defer pc.splitNet.wg.Done()
	io.Copy(dst, src)
	pc.close()
}

func (pc *proxyConn) close() {
	pc.closeOnce.Do(func() {
		pc.down.Close()
		pc.up.Close()
		s := pc.splitNet
		s.mu.Lock()
		delete(s.conns, pc)
		s.mu.Unlock()
	})
}

// partition makes the cuts exactly every pair of a side-a and a side-b
// member, both ways, in place of any earlier ones, and closes the
// connections open across them. It returns how many it closed.
func (s *splitNet) partition(a, b []string) int {
	s.mu.Lock()
	clear(s.cut)
	for _, x := range a {
		for _, y := range b {
			s.cut[[2]string{x, y}] = true
			s.cut[[2]string{y, x}] = true
		}
	}
	victims := slices.Collect(maps.Keys(s.conns))
	victims = slices.DeleteFunc(victims, func(pc *proxyConn) bool { return !s.cut[[2]string{pc.from, pc.to}] })
	s.mu.Unlock()
	for _, pc := range victims {
		pc.close()
	}
	return len(victims)
}

// heal lifts every cut.
func (s *splitNet) heal() {
	s.mu.Lock()
	clear(s.cut)
	s.mu.Unlock()
}

// close stops the proxies and every connection they carry.
func (s *splitNet) close() {
	s.mu.Lock()
	s.closed = true
	lns := slices.Collect(maps.Values(s.lns))
	open := slices.Collect(maps.Keys(s.conns))
	s.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
	for _, pc := range open {
		pc.close()
	}
	s.wg.Wait()
}
