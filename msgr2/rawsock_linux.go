package msgr2

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawSock reads and writes a non-blocking socket with raw system calls,
// still waiting in Go's network poller (and honouring deadlines) when the
// socket is not ready. A plain net.Conn read or write enters the runtime's
// syscall state, and the first such call after the process went idle
// wakes the runtime's sysmon thread, which then polls every 20µs while
// anything runs: a monitor answering one short-lived client after another
// goes idle between every two frames and paid that wake-up (a futex and
// several context switches on a second thread) for each. A read or write
// of a non-blocking socket never blocks, so it need not release its P.
type rawSock struct {
	net.Conn
	rc syscall.RawConn

	// The calls in progress, one read and one write at most, kept here
	// with their closures made once (a closure per call would be
	// garbage).
	rb      []byte
	rn      int
	rerr    syscall.Errno
	readFn  func(fd uintptr) bool
	wb      net.Buffers
	wn      int
	werr    syscall.Errno
	writeFn func(fd uintptr) bool
	one     [1][]byte // Write's buffer, as net.Buffers
}

// wrapRaw returns nc as a rawSock when it has a file descriptor, and nc
// itself otherwise (net.Pipe in tests).
func wrapRaw(nc net.Conn) io.ReadWriter {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nc
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nc
	}
	s := &rawSock{Conn: nc, rc: rc}
	s.readFn, s.writeFn = s.read, s.writev
	return s
}

func (s *rawSock) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	s.rb, s.rn, s.rerr = b, 0, 0
	err := s.rc.Read(s.readFn)
	n, errno := s.rn, s.rerr
	s.rb = nil
	switch {
	case err != nil: // deadline, closed
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// read is one attempt at reading s.rb; false means wait in the poller.
func (s *rawSock) read(fd uintptr) bool {
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&s.rb[0])), uintptr(len(s.rb)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		s.rn, s.rerr = int(r), e
		return true
	}
}

func (s *rawSock) Write(b []byte) (int, error) {
	s.one[0] = b
	n, err := s.writeBuffers(s.one[:])
	s.one[0] = nil
	return n, err
}

// writeBuffers writes every byte of bufs, gathered with writev, waiting
// in the poller while the socket's send buffer is full. It consumes bufs.
func (s *rawSock) writeBuffers(bufs net.Buffers) (int, error) {
	s.wb, s.wn, s.werr = bufs, 0, 0
	err := s.rc.Write(s.writeFn)
	n, errno := s.wn, s.werr
	s.wb = nil
	switch {
	case err != nil:
		return n, err
	case errno != 0:
		return n, os.NewSyscallError("writev", errno)
	}
	return n, nil
}

// writev writes what is left of s.wb until done or the socket is full
// (false: wait in the poller).
func (s *rawSock) writev(fd uintptr) bool {
	var iov [8]syscall.Iovec
	for {
		v := iov[:0]
		for _, b := range s.wb {
			if len(v) == len(iov) {
				break
			}
			if len(b) > 0 {
				v = append(v, syscall.Iovec{Base: &b[0], Len: uint64(len(b))})
			}
		}
		if len(v) == 0 {
			return true
		}
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&v[0])), uintptr(len(v)))
		switch e {
		case 0:
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		default:
			s.werr = e
			return true
		}
		s.wn += int(r)
		consume(&s.wb, int(r))
	}
}

// consume drops the first n bytes of *bufs.
func consume(bufs *net.Buffers, n int) {
	for n > 0 && len(*bufs) > 0 {
		k := min(n, len((*bufs)[0]))
		(*bufs)[0] = (*bufs)[0][k:]
		n -= k
		if len((*bufs)[0]) == 0 {
			*bufs = (*bufs)[1:]
		}
	}
	for len(*bufs) > 0 && len((*bufs)[0]) == 0 {
		*bufs = (*bufs)[1:]
	}
}
