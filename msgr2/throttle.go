package msgr2

import "sync"

// throttle bounds the bytes of received messages not yet dispatched
// (Ceph's dispatch throttler, ms_dispatch_throttle_bytes). A message
// larger than the whole budget is let through alone rather than blocking
// forever.
type throttle struct {
	mu     sync.Mutex
	cond   sync.Cond
	max    int64
	cur    int64
	closed bool
}

func newThrottle(max int64) *throttle {
	t := &throttle{max: max}
	t.cond.L = &t.mu
	return t
}

// acquire blocks until n bytes fit; it returns false once closed.
func (t *throttle) acquire(n int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for !t.closed && t.cur > 0 && t.cur+n > t.max {
		t.cond.Wait()
	}
	if t.closed {
		return false
	}
	t.cur += n
	return true
}

func (t *throttle) release(n int64) {
	t.mu.Lock()
	t.cur -= n
	t.mu.Unlock()
	t.cond.Broadcast()
}

func (t *throttle) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.cond.Broadcast()
}

// inFlight reports the bytes currently held.
func (t *throttle) inFlight() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur
}
