//go:build interop

package msgr2

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestInteropRealMonRejectsBrokenFrames: after a good handshake, a real
// ceph-mon drops the connection on a frame with a damaged crc and on a
// frame with an unknown tag, sent through the Framer's test switches.
func TestInteropRealMonRejectsBrokenFrames(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{Auth: "none"})
	cases := map[string]func(f *Framer){
		"bad crc": func(f *Framer) {
			f.corrupt = func(b []byte) { b[len(b)-1] ^= 0xff }
			f.WriteFrame(TagMessage, appendHeader2(nil, &MsgHeader{Seq: 1, Type: 5, Version: 1}, 0))
		},
		"unknown tag": func(f *Framer) {
			f.AllowIllegalWrites = true
			f.WriteFrame(Tag(99), []byte("junk"))
		},
	}
	for name, send := range cases {
		t.Run(name, func(t *testing.T) {
			nc, err := net.Dial("tcp", cl.V2Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			cfg := Config{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}}
			cfg.setDefaults()
			f := NewFramer(nc)
			h := &clientHandshake{f: f, cfg: &cfg, log: testLogger(t), peerType: encoding.EntityMon, target: cl.MonAddrs[0],
				auth: &AuthNoneClient{Name: cfg.Name, ToMon: true}}
			if err := h.run(); err != nil {
				t.Fatal(err)
			}
			f.writeControl(&ClientIdentFrame{Addrs: encoding.EntityAddrVec{{Type: encoding.AddrAny, Nonce: 1, Addr: mustAP("127.0.0.1:0")}},
				Target: cl.MonAddrs[0], GID: -1, GlobalSeq: 1, Features: encoding.FeaturesPacific, Flags: connectFlagLossy, Cookie: 1})
			f.SetLimits(cfg.segmentLimits())
			if err := readExpected(f, &ServerIdentFrame{}); err != nil {
				t.Fatal(err)
			}
			send(f)
			nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.Copy(io.Discard, nc); err != nil {
				t.Fatalf("the real monitor kept the connection: %v", err)
			}
		})
	}
}
