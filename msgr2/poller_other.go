//go:build !linux

package msgr2

// poller parks idle sessions on Linux only (poller_linux.go); elsewhere
// every session keeps a reader goroutine blocked on its socket.
type poller struct{}

func getPoller() *poller { return nil }

func (p *poller) park(fd int, added bool, ready func()) (uint64, error) { return 0, errNoPoller }

func (p *poller) take(tok uint64) func() { return nil }
