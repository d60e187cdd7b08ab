// Command floor measures what the I/O of one monitor session setup costs
// a server that does no protocol work at all: it replays the exact reads
// and writes kelp-mon makes for a session of the session-setup benchmark
// (connect, cephx, secure mode, monmap, close), with bytes of the same
// sizes. Its servers are the lower bounds a monitor can reach with each
// I/O model; floor.c holds the same servers in C (c/floor.c). See README.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// The server writes a banner, then answers each client write with one
// write of its own, then reads the client's close.
var (
	banner  = 26
	clientW = []int{26, 150, 76, 192, 192, 160} // banner, HELLO+AUTH_REQUEST, AUTH_REQUEST_MORE, AUTH_SIGNATURE+CLIENT_IDENT, MAuth+MMonSubscribe, MMonSubscribe
	serverW = []int{72, 49, 972, 96, 160, 304}  // HELLO, AUTH_REPLY_MORE, AUTH_DONE+AUTH_SIGNATURE, SERVER_IDENT, MAuthReply, MMonMap
)

func main() {
	mode := flag.String("mode", "client", "goroutine | epoll (Go servers) | client")
	addr := flag.String("addr", "127.0.0.1:4590", "address to serve or to connect to")
	n := flag.Int("n", 20000, "sessions (client)")
	pid := flag.Int("pid", 0, "server process whose CPU time the client reports")
	flag.Parse()
	switch *mode {
	case "client":
		if err := drive(*addr, *n, *pid); err != nil {
			log.Fatal(err)
		}
	case "goroutine", "epoll":
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			log.Fatal(err)
		}
		if *mode == "goroutine" {
			serveGoroutines(ln)
		} else {
			serveEpoll(ln)
		}
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
}

// serveGoroutines is Go's usual model: a goroutine per connection,
// blocking reads and writes through the runtime's network poller.
func serveGoroutines(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer c.Close()
			buf, out := make([]byte, 4096), make([]byte, 4096)
			if _, err := c.Write(out[:banner]); err != nil {
				return
			}
			for i, want := range clientW {
				if _, err := io.ReadFull(c, buf[:want]); err != nil {
					return
				}
				if _, err := c.Write(out[:serverW[i]]); err != nil {
					return
				}
			}
			c.Read(buf) // the client's close
		}()
	}
}

// serveEpoll is one OS thread running its own epoll loop over
// non-blocking sockets with raw system calls, the model of Ceph's
// AsyncMessenger workers.
func serveEpoll(ln net.Listener) {
	runtime.LockOSThread()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		log.Fatal(err)
	}
	lfd := int(f.Fd())
	if err := syscall.SetNonblock(lfd, true); err != nil {
		log.Fatal(err)
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		log.Fatal(err)
	}
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, lfd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(lfd)}); err != nil {
		log.Fatal(err)
	}
	type state struct{ step, got int }
	conns := map[int]*state{}
	evs := make([]syscall.EpollEvent, 64)
	buf, out := make([]byte, 4096), make([]byte, 4096)
	for {
		n, err := syscall.EpollWait(ep, evs, -1)
		if errors.Is(err, syscall.EINTR) {
			continue
		} else if err != nil {
			log.Fatal(err)
		}
		for _, ev := range evs[:n] {
			fd := int(ev.Fd)
			if fd == lfd {
				for {
					nfd, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
					if err != nil {
						break
					}
					syscall.SetsockoptInt(nfd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
					conns[nfd] = &state{}
					rawIO(syscall.SYS_WRITE, nfd, out[:banner])
					syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, nfd, &syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(nfd)})
				}
				continue
			}
			s := conns[fd]
			for {
				k, errno := rawIO(syscall.SYS_READ, fd, buf)
				if errno == syscall.EAGAIN {
					break
				}
				if errno != 0 || k == 0 {
					syscall.Close(fd) // leaves the epoll set with it
					delete(conns, fd)
					break
				}
				s.got += k
				for s.step < len(clientW) && s.got >= clientW[s.step] {
					s.got -= clientW[s.step]
					rawIO(syscall.SYS_WRITE, fd, out[:serverW[s.step]])
					s.step++
				}
			}
		}
	}
}

// rawIO is a read or write of a non-blocking socket, which never blocks
// and so need not leave the runtime's running state.
func rawIO(trap uintptr, fd int, b []byte) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		if e != syscall.EINTR {
			return int(r), e
		}
	}
}

// drive runs n sessions one after another (after a warm-up) and prints
// the wall time and the server's CPU time per session.
func drive(addr string, n, pid int) error {
	session := func() error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		buf, out := make([]byte, 4096), make([]byte, 4096)
		want := banner
		for i, w := range clientW {
			if _, err := io.ReadFull(c, buf[:want]); err != nil {
				return err
			}
			if _, err := c.Write(out[:w]); err != nil {
				return err
			}
			want = serverW[i]
		}
		_, err = io.ReadFull(c, buf[:want])
		return err
	}
	for range 1000 {
		if err := session(); err != nil {
			return err
		}
	}
	cpu0, t0 := cpuTime(pid), time.Now()
	for range n {
		if err := session(); err != nil {
			return err
		}
	}
	wall, cpu := time.Since(t0), cpuTime(pid)-cpu0
	fmt.Printf("%d sessions: wall %.1f us/session, server CPU %.1f us/session\n", n,
		float64(wall.Microseconds())/float64(n), float64(cpu.Microseconds())/float64(n))
	return nil
}

// cpuTime is a process's user+system time from /proc (USER_HZ 100).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	var utime, stime int64
	// Fields 14 and 15, counted after the command name's closing paren.
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ')' {
			var skip string
			fmt.Sscanf(string(b[i+2:]), "%s %s %s %s %s %s %s %s %s %s %s %d %d", &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &utime, &stime)
			break
		}
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
