package msgr2

import (
	"errors"
	"os"
	"sync"
	"syscall"
)

// poller watches idle sessions' sockets so that a session waiting for its
// peer holds no goroutine: its reader parks the socket here and exits, and
// the poller starts a new reader when bytes (or a hang-up) arrive. This is
// what AsyncMessenger's EventCenter does for every connection; kelp keeps
// the goroutine per connection while frames flow and parks only at a frame
// boundary with nothing buffered.
//
// The poller's own epoll instance is registered with Go's network poller
// (os.NewFile on a non-blocking epoll fd), so waiting on it holds no thread.
// Each registration is one-shot and carries a fresh token: an event is
// acted on at most once, and an event for a socket closed meanwhile (whose
// fd number a new socket may have taken) finds no token and is ignored.
type poller struct {
	file *os.File
	rc   syscall.RawConn

	mu      sync.Mutex
	next    uint64
	waiting map[uint64]func() // token -> what to run when ready
}

var (
	sharedPoller     *poller
	sharedPollerOnce sync.Once
)

// getPoller returns the process's poller, or nil when epoll is unusable
// (sessions then keep a blocked reader goroutine each).
func getPoller() *poller {
	sharedPollerOnce.Do(func() {
		p, err := newPoller()
		if err == nil {
			sharedPoller = p
			go p.run()
		}
	})
	return sharedPoller
}

func newPoller() (*poller, error) {
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "msgr2-epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &poller{file: f, rc: rc, waiting: map[uint64]func(){}}, nil
}

// park arms a one-shot watch for readability on fd and runs ready in a new
// goroutine when it fires. added says fd is already in the epoll set (from
// an earlier park of the same socket). It returns the token, with which
// the closing of the socket takes the watch back.
func (p *poller) park(fd int, added bool, ready func()) (uint64, error) {
	p.mu.Lock()
	p.next++
	tok := p.next
	p.waiting[tok] = ready
	p.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
		Fd: int32(tok), Pad: int32(tok >> 32)}
	op := syscall.EPOLL_CTL_ADD
	if added {
		op = syscall.EPOLL_CTL_MOD
	}
	var err error
	p.rc.Control(func(epfd uintptr) { err = syscall.EpollCtl(int(epfd), op, fd, &ev) })
	if err != nil {
		p.take(tok)
		return 0, err
	}
	return tok, nil
}

// take removes a watch and returns what it would have run, or nil when
// the watch fired already: whoever takes it runs it, exactly once.
func (p *poller) take(tok uint64) func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn := p.waiting[tok]
	delete(p.waiting, tok)
	return fn
}

func (p *poller) run() {
	evs := make([]syscall.EpollEvent, 128)
	var ready []func()
	for {
		var n int
		var werr error
		err := p.rc.Read(func(epfd uintptr) bool {
			n, werr = syscall.EpollWait(int(epfd), evs, 0)
			switch {
			case errors.Is(werr, syscall.EINTR):
				n, werr = 0, nil
				return true
			case errors.Is(werr, syscall.EAGAIN), werr == nil && n == 0:
				return false // wait until the epoll fd is readable
			}
			return true
		})
		if err != nil || werr != nil {
			return
		}
		ready = ready[:0]
		p.mu.Lock()
		for _, ev := range evs[:n] {
			tok := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if fn, ok := p.waiting[tok]; ok {
				delete(p.waiting, tok)
				ready = append(ready, fn)
			}
		}
		p.mu.Unlock()
		for _, fn := range ready {
			go fn()
		}
		clear(ready)
	}
}
