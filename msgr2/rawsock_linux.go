package msgr2

import (
	"io"
	"net"
	"os"
	"sync"
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
	rc syscall.RawConn
}

// rawOp is one read or write in progress, with its closures made once:
// pooled, so that neither a call (a closure per call would be garbage)
// nor an idle session (which would hold them) pays for them.
type rawOp struct {
	b       []byte      // read into
	bufs    net.Buffers // write from
	one     [1][]byte   // Write's buffer, as net.Buffers
	n       int
	errno   syscall.Errno
	noWait  bool // a write that stops where the socket is full
	readFn  func(fd uintptr) bool
	writeFn func(fd uintptr) bool
}

var rawOps = sync.Pool{New: func() any {
	op := &rawOp{}
	op.readFn, op.writeFn = op.read, op.writev
	return op
}}

func getOp() *rawOp { return rawOps.Get().(*rawOp) }

func putOp(op *rawOp) {
	*op = rawOp{readFn: op.readFn, writeFn: op.writeFn}
	rawOps.Put(op)
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
	return &rawSock{rc}
}

func (s *rawSock) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	op := getOp()
	op.b = b
	err := s.rc.Read(op.readFn)
	n, errno := op.n, op.errno
	putOp(op)
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

// read is one attempt at reading op.b; false means wait in the poller.
func (op *rawOp) read(fd uintptr) bool {
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&op.b[0])), uintptr(len(op.b)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		op.n, op.errno = int(r), e
		return true
	}
}

func (s *rawSock) Write(b []byte) (int, error) {
	op := getOp()
	op.one[0] = b
	return s.write(op, op.one[:])
}

// writeBuffers writes every byte of bufs, gathered with writev, waiting
// in the poller while the socket's send buffer is full. It consumes bufs.
func (s *rawSock) writeBuffers(bufs net.Buffers) (int, error) {
	return s.write(getOp(), bufs)
}

// writeNoWait writes what of b the socket takes now, without waiting.
func (s *rawSock) writeNoWait(b []byte) (int, error) {
	op := getOp()
	op.noWait = true
	op.one[0] = b
	return s.write(op, op.one[:])
}

func (s *rawSock) write(op *rawOp, bufs net.Buffers) (int, error) {
	op.bufs = bufs
	err := s.rc.Write(op.writeFn)
	n, errno := op.n, op.errno
	putOp(op)
	switch {
	case err != nil:
		return n, err
	case errno != 0:
		return n, os.NewSyscallError("writev", errno)
	}
	return n, nil
}

// writev writes what is left of op.bufs until done or the socket is full
// (false: wait in the poller).
func (op *rawOp) writev(fd uintptr) bool {
	var iov [8]syscall.Iovec
	for {
		v := iov[:0]
		for _, b := range op.bufs {
			if len(v) == len(iov) {
				break
			}
			if len(b) > 0 {
				iv := syscall.Iovec{Base: &b[0]}
				iv.SetLen(len(b)) // Len's width differs between 32- and 64-bit Linux
				v = append(v, iv)
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
			return op.noWait
		default:
			op.errno = e
			return true
		}
		op.n += int(r)
		consume(&op.bufs, int(r))
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
