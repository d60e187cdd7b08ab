package msgr2

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		done <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-done
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// TestRawSockBigWrite writes more than the socket buffers hold, gathered
// from several buffers, to a slow reader: writeBuffers must wait in the
// poller and resume where the kernel stopped.
func TestRawSockBigWrite(t *testing.T) {
	c, s := tcpPair(t)
	w := wrapRaw(c).(*rawSock)
	r := wrapRaw(s)
	want := make([]byte, 8<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	errc := make(chan error, 1)
	go func() {
		bufs := [][]byte{want[:3], want[3 : 1<<20], {}, want[1<<20:]}
		n, err := w.writeBuffers(bufs)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		errc <- err
	}()
	got := make([]byte, len(want))
	for off := 0; off < len(got); {
		time.Sleep(time.Millisecond) // a slow reader fills the socket
		n, err := r.Read(got[off:min(off+1<<20, len(got))])
		if err != nil {
			t.Fatal(err)
		}
		off += n
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("bytes differ")
	}
}

// TestRawSockDeadlineEOFClose: a read waits for its deadline, sees the
// peer's hang-up as io.EOF, and fails once the socket is closed.
func TestRawSockDeadlineEOFClose(t *testing.T) {
	c, s := tcpPair(t)
	r := wrapRaw(s)
	s.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	var b [16]byte
	if _, err := r.Read(b[:]); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past its deadline: %v", err)
	}
	s.SetReadDeadline(time.Time{})
	if _, err := wrapRaw(c).Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(b[:]); err != nil || string(b[:n]) != "hi" {
		t.Fatalf("read %q, %v", b[:n], err)
	}
	c.Close()
	if _, err := r.Read(b[:]); err != io.EOF {
		t.Fatalf("read after the peer closed: %v, want EOF", err)
	}
	s.Close()
	if _, err := r.Read(b[:]); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read of a closed socket: %v", err)
	}
}
