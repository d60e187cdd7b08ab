package msgr2

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

// fuzzConn reads from fixed input and swallows writes.
type fuzzConn struct{ r io.Reader }

func (c *fuzzConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *fuzzConn) Write(p []byte) (int, error) { return len(p), nil }

var fuzzSecret = bytes.Repeat([]byte{0x5a}, SecureSecretLen)

// FuzzReadFrame feeds arbitrary bytes to the frame reader in each mode
// (chosen by the first byte). It must never panic, and the segment limits
// bound what it allocates.
func FuzzReadFrame(f *testing.F) {
	for mode := byte(0); mode < 4; mode++ {
		var buf memConn
		w := NewFramer(&buf)
		w.SetRev1(mode&1 != 0)
		if mode&2 != 0 {
			w.startSecure(fuzzSecret, true)
		}
		w.WriteFrame(TagMessage, pattern(41, 1), pattern(100, 2), nil, pattern(300, 3))
		w.writeControl(&HelloFrame{EntityType: encoding.EntityMon})
		f.Add(append([]byte{mode}, buf.Bytes()...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		mode := data[0]
		r := NewFramer(&fuzzConn{bytes.NewReader(data[1:])})
		r.SetRev1(mode&1 != 0)
		r.SetLimits([maxSegments]uint32{64 << 10, 1 << 20, 1 << 20, 1 << 20})
		if mode&2 != 0 {
			r.startSecure(fuzzSecret, false)
		}
		if mode&4 != 0 {
			r.comp = &compression{method: CompressionMethod(1 + (mode>>3)%4), rx: true}
		}
		for i := 0; i < 4; i++ {
			if _, err := r.ReadFrame(); err != nil {
				return
			}
		}
	})
}

// FuzzControlFrames decodes arbitrary payloads as every control frame;
// whatever decodes must encode and decode to the same bytes.
func FuzzControlFrames(f *testing.F) {
	frames := allControlFrames()
	for _, cf := range frames {
		f.Add(byte(cf.tag()), encodeControl(cf))
	}
	f.Fuzz(func(t *testing.T, tag byte, payload []byte) {
		for _, proto := range allControlFrames() {
			if byte(proto.tag()) != tag%23 {
				continue
			}
			fr := &Frame{Tag: proto.tag(), NumSegs: 1}
			fr.Segments[0] = payload
			if err := decodeControl(fr, proto); err != nil {
				return
			}
			again := encodeControl(proto)
			fr.Segments[0] = again
			if err := decodeControl(fr, proto); err != nil {
				t.Fatalf("%s: re-encoded frame does not decode: %v", proto.tag(), err)
			}
			if !bytes.Equal(encodeControl(proto), again) {
				t.Fatalf("%s: encoding not stable", proto.tag())
			}
		}
	})
}

// handshakeTranscripts runs a real handshake over a pipe and returns what
// the server and the client sent, as seeds for the handshake fuzzers.
func handshakeTranscripts(tb testing.TB) (fromServer, fromClient []byte) {
	// TCP, not net.Pipe: both sides write their banner before reading.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	b, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	a, err := ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	var toClient, toServer bytes.Buffer
	srvCfg := Config{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "a"}}
	srvCfg.setDefaults()
	cliCfg := Config{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}}
	cliCfg.setDefaults()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f := NewFramer(teeConn{a, &toClient})
		h := &serverHandshake{f: f, cfg: &srvCfg, log: testLogger(tb), auth: &AuthNoneServer{}}
		h.run()
		f.SetLimits(srvCfg.segmentLimits())
		f.ReadFrame()
	}()
	f := NewFramer(teeConn{b, &toServer})
	h := &clientHandshake{f: f, cfg: &cliCfg, log: testLogger(tb), peerType: encoding.EntityMon,
		auth: &AuthNoneClient{Name: cliCfg.Name, ToMon: true}}
	if err := h.run(); err != nil {
		tb.Fatal(err)
	}
	f.writeControl(&ClientIdentFrame{Addrs: encoding.EntityAddrVec{{Type: encoding.AddrAny, Nonce: 1}}})
	<-done
	b.Close()
	a.Close()
	return toClient.Bytes(), toServer.Bytes()
}

// teeConn copies what is written to a buffer.
type teeConn struct {
	net.Conn
	w io.Writer
}

func (c teeConn) Write(p []byte) (int, error) {
	c.w.Write(p)
	return c.Conn.Write(p)
}

// FuzzClientHandshake plays arbitrary server bytes to the connecting
// side's handshake.
func FuzzClientHandshake(f *testing.F) {
	fromServer, _ := handshakeTranscripts(f)
	f.Add(fromServer)
	cfg := Config{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, CompressPeers: []encoding.EntityType{encoding.EntityMon}}
	cfg.setDefaults()
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFramer(&fuzzConn{bytes.NewReader(data)})
		h := &clientHandshake{f: fr, cfg: &cfg, log: testLogger(t), peerType: encoding.EntityMon,
			auth: &AuthNoneClient{Name: cfg.Name, ToMon: true}}
		if h.run() == nil {
			fr.SetLimits(cfg.segmentLimits())
			fr.ReadFrame()
		}
	})
}

// FuzzServerHandshake plays arbitrary client bytes to the accepting side.
func FuzzServerHandshake(f *testing.F) {
	_, fromClient := handshakeTranscripts(f)
	f.Add(fromClient)
	cfg := Config{Name: encoding.EntityName{Type: encoding.EntityMon, ID: "a"}}
	cfg.setDefaults()
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFramer(&fuzzConn{bytes.NewReader(data)})
		h := &serverHandshake{f: fr, cfg: &cfg, log: testLogger(t), auth: &AuthNoneServer{}}
		if h.run() == nil {
			fr.SetLimits(cfg.segmentLimits())
			if frame, err := fr.ReadFrame(); err == nil {
				decodeControl(frame, &ClientIdentFrame{})
			}
		}
	})
}

func allControlFrames() []controlFrame {
	addr := encoding.EntityAddr{Type: encoding.AddrMsgr2, Nonce: 7, Addr: mustAP("10.1.2.3:3300")}
	return []controlFrame{
		&HelloFrame{EntityType: encoding.EntityOSD, PeerAddr: addr},
		&AuthRequestFrame{Method: AuthCephx, Modes: []uint32{2, 1}, Payload: []byte("p")},
		&AuthBadMethodFrame{Method: 1, Result: -95, Methods: []uint32{2}, Modes: []uint32{1, 2}},
		&AuthReplyMoreFrame{Payload: []byte("more")},
		&AuthRequestMoreFrame{Payload: []byte("more?")},
		&AuthDoneFrame{GlobalID: 9, ConMode: 2, Payload: []byte("done")},
		&AuthSignatureFrame{Sig: [32]byte{1, 2, 3}},
		&ClientIdentFrame{Addrs: encoding.EntityAddrVec{addr}, Target: addr, GID: -1, GlobalSeq: 3, Features: 5, Required: 1, Flags: 1, Cookie: 77},
		&ServerIdentFrame{Addrs: encoding.EntityAddrVec{addr}, GID: 2, GlobalSeq: 4, Features: 6, Required: 2, Flags: 0, Cookie: 88},
		missingFeaturesFrame(0x40),
		&ReconnectFrame{Addrs: encoding.EntityAddrVec{addr}, ClientCookie: 1, ServerCookie: 2, GlobalSeq: 3, ConnectSeq: 4, MsgSeq: 5},
		&ResetFrame{Full: true},
		retryFrame(6),
		retryGlobalFrame(7),
		reconnectOKFrame(8),
		&WaitFrame{},
		&KeepaliveFrame{t: TagKeepalive2, Stamp: encoding.UTime{Sec: 1, Nsec: 2}},
		&KeepaliveFrame{t: TagKeepalive2Ack, Stamp: encoding.UTime{Sec: 3, Nsec: 4}},
		ackFrame(9),
		&CompressionRequestFrame{IsCompress: true, Methods: []uint32{1, 3}},
		&CompressionDoneFrame{IsCompress: true, Method: 3},
	}
}

// TestControlFramesRoundTrip sends every control frame through a framer
// in every mode and decodes it back.
func TestControlFramesRoundTrip(t *testing.T) {
	for _, secure := range []bool{false, true} {
		for _, rev1 := range []bool{false, true} {
			w, r, _ := framerPair(t, secure, rev1, CompressNone)
			for _, cf := range allControlFrames() {
				if err := w.writeControl(cf); err != nil {
					t.Fatal(err)
				}
				fr, err := r.ReadFrame()
				if err != nil {
					t.Fatalf("%s: %v", cf.tag(), err)
				}
				want := encodeControl(cf)
				if fr.Tag != cf.tag() || !bytes.Equal(fr.Segments[0], want) {
					t.Fatalf("%s: payload differs", cf.tag())
				}
				// Every strict prefix of a payload with fields must fail.
				for n := 0; n < len(want); n++ {
					fr.Segments[0] = want[:n]
					if err := decodeControl(fr, cf); err == nil && n < minControlLen(cf) {
						t.Fatalf("%s: %d-byte prefix decoded", cf.tag(), n)
					}
				}
				fr.Segments[0] = want
				if err := decodeControl(fr, cf); err != nil {
					t.Fatalf("%s: %v", cf.tag(), err)
				}
			}
		}
	}
}

// minControlLen is the full encoded length: every field is mandatory.
func minControlLen(cf controlFrame) int { return len(encodeControl(cf)) }
