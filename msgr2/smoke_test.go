package msgr2

import (
	"context"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

type testMsg struct {
	MsgBase
	Body []byte
}

func (m *testMsg) Type() uint16                                  { return 0x7001 }
func (m *testMsg) Version() (uint16, uint16)                     { return 1, 1 }
func (m *testMsg) EncodePayload(uint64) ([]byte, []byte, []byte) { return m.Body, nil, nil }
func (m *testMsg) DecodePayload(_ uint64, f, _, _ []byte) error  { m.Body = f; return nil }

func TestSmoke(t *testing.T) {
	reg := NewRegistry()
	reg.Register(MessageType{Type: 0x7001, Name: "test", New: func() Message { return &testMsg{} }})
	got := make(chan Message, 10)
	srv := NewMessenger(Config{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "a"}, Registry: reg,
		Dispatcher: DispatcherFunc(func(c *Conn, m Message) { got <- m; c.Send(&testMsg{Body: []byte("pong")}) })})
	defer srv.Close()
	addrs, err := srv.Listen(encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: mustAP("127.0.0.1:0")}})
	if err != nil {
		t.Fatal(err)
	}
	back := make(chan Message, 10)
	cli := NewMessenger(Config{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, Registry: reg,
		Dispatcher: DispatcherFunc(func(c *Conn, m Message) { back <- m })})
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := cli.Dial(ctx, addrs, encoding.EntityMon)
	if err != nil {
		t.Fatal(err)
	}
	c.Send(&testMsg{Body: []byte("ping")})
	select {
	case m := <-got:
		t.Logf("server got %q from %s", m.(*testMsg).Body, m.Header().Src)
	case <-ctx.Done():
		t.Fatal("timeout")
	}
	select {
	case m := <-back:
		t.Logf("client got %q", m.(*testMsg).Body)
	case <-ctx.Done():
		t.Fatal("timeout")
	}
}
