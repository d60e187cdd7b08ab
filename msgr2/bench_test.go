package msgr2

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"io"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

// benchStream streams b.N messages with a data segment of size bytes over
// one loopback connection, keeping a bounded number in flight, and
// reports MB/s of message payload and allocations per message.
func benchStream(b *testing.B, size int, mode uint32) {
	window := make(chan struct{}, 8)
	done := make(chan struct{})
	var got int
	var n int
	srv, _ := newTestMessenger(b, "mon.a", Config{AuthServer: &testAuthServer{}, Dispatcher: DispatcherFunc(func(c *Conn, m Message) {
		<-window
		got++
		if got == n {
			close(done)
		}
	})})
	addrs := listen(b, srv)
	cli, _ := newTestMessenger(b, "client.admin", Config{
		NewAuthClient:  func(encoding.EntityType) AuthClient { return &testAuthClient{modes: []uint32{mode}} },
		MonClientModes: []uint32{mode}})
	c := dial(b, cli, addrs, encoding.EntityMon)
	fill := pattern(size, 1)
	n = b.N
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < n; i++ {
		window <- struct{}{}
		c.Send(&seqMsg{N: uint64(i), Fill: fill})
	}
	<-done
	b.StopTimer()
}

func BenchmarkStreamCRC4K(b *testing.B)    { benchStream(b, 4<<10, ConModeCRC) }
func BenchmarkStreamCRC4M(b *testing.B)    { benchStream(b, 4<<20, ConModeCRC) }
func BenchmarkStreamSecure4K(b *testing.B) { benchStream(b, 4<<10, ConModeSecure) }
func BenchmarkStreamSecure4M(b *testing.B) { benchStream(b, 4<<20, ConModeSecure) }

// BenchmarkAESGCM is the raw single-core AES-128-GCM rate on 4 MiB, the
// ceiling for secure mode.
func BenchmarkAESGCM(b *testing.B) {
	block, _ := aes.NewCipher(make([]byte, 16))
	aead, _ := cipher.NewGCM(block)
	buf := make([]byte, 4<<20, 4<<20+16)
	nonce := make([]byte, 12)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		aead.Seal(buf[:0], nonce, buf, nil)
	}
}

// BenchmarkCRC32C is the single-core ceph_crc32c rate on 4 MiB.
func BenchmarkCRC32C(b *testing.B) {
	buf := pattern(4<<20, 3)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		encoding.CRC32C(^uint32(0), buf)
	}
}

type discardRW struct{}

func (discardRW) Read([]byte) (int, error)    { return 0, io.EOF }
func (discardRW) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkFramerWriteSecure4M is the sending side of secure mode alone:
// one 4 MiB message frame (msgr2.1) encrypted and written to nowhere.
func BenchmarkFramerWriteSecure4M(b *testing.B) {
	f := NewFramer(discardRW{})
	f.SetRev1(true)
	f.startSecure(bytes.Repeat([]byte{7}, SecureSecretLen), true)
	hdr := appendHeader2(nil, &MsgHeader{Seq: 1, Type: typeSeqMsg}, 0)
	front, data := make([]byte, 8), pattern(4<<20, 1)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := f.WriteFrame(TagMessage, hdr, front, nil, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFramerReadSecure4M is the receiving side alone: one 4 MiB
// secure frame read from memory and decrypted per iteration.
func BenchmarkFramerReadSecure4M(b *testing.B) {
	secret := bytes.Repeat([]byte{7}, SecureSecretLen)
	var wire memConn
	w := NewFramer(&wire)
	w.SetRev1(true)
	w.startSecure(secret, true)
	r := NewFramer(&wire)
	r.SetRev1(true)
	r.SetLimits([maxSegments]uint32{64 << 10, 1 << 20, 1 << 20, 64 << 20})
	r.startSecure(secret, false)
	hdr := appendHeader2(nil, &MsgHeader{Seq: 1, Type: typeSeqMsg}, 0)
	front, data := make([]byte, 8), pattern(4<<20, 1)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w.WriteFrame(TagMessage, hdr, front, nil, data)
		b.StartTimer()
		if _, err := r.ReadFrame(); err != nil {
			b.Fatal(err)
		}
	}
}
