package msgr2

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// fakeNetConn is a net.Conn that reads fixed bytes and swallows writes.
type fakeNetConn struct {
	r      io.Reader
	closed chan struct{}
}

func newFakeNetConn(b []byte) *fakeNetConn {
	return &fakeNetConn{r: bytes.NewReader(b), closed: make(chan struct{})}
}

func (c *fakeNetConn) Read(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	return c.r.Read(p)
}
func (c *fakeNetConn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
		return len(p), nil
	}
}
func (c *fakeNetConn) Close() error {
	select {
	case <-c.closed:
	default:
		close(c.closed)
	}
	return nil
}
func (c *fakeNetConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3300}
}
func (c *fakeNetConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *fakeNetConn) SetDeadline(time.Time) error      { return nil }
func (c *fakeNetConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fakeNetConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzAcceptSession plays arbitrary client bytes to a Messenger's
// accepting side: handshake, CLIENT_IDENT or SESSION_RECONNECT, then
// messages and control frames on the open session.
func FuzzAcceptSession(f *testing.F) {
	_, fromClient := handshakeTranscripts(f)
	var buf memConn
	w := NewFramer(&buf)
	w.SetRev1(true)
	w.WriteFrame(TagMessage, appendHeader2(nil, &MsgHeader{Seq: 1, Type: 0x7001, Version: 1}, 0), []byte("ping"))
	w.writeControl(&KeepaliveFrame{t: TagKeepalive2})
	w.writeControl(ackFrame(1))
	f.Add(append(append([]byte(nil), fromClient...), buf.Bytes()...))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := make(chan struct{}, 64)
		m := NewMessenger(Config{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "a"}, Registry: testRegistry(),
			Logger: testLogger(t), Dispatcher: DispatcherFunc(func(*Conn, Message) {
				select {
				case got <- struct{}{}:
				default:
				}
			})})
		m.mu.Lock()
		m.myAddrs = encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: mustAP("127.0.0.1:3300")}}
		m.mu.Unlock()
		nc := newFakeNetConn(data)
		done := make(chan struct{})
		go func() { m.accept(nc); close(done) }()
		<-done
		closed := make(chan struct{})
		go func() { m.Close(); nc.Close(); <-done; close(closed) }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("accept did not return:\n%s", buf[:runtime.Stack(buf, true)])
		}
	})
}
