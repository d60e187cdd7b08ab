//go:build interop

package msgr2

import (
	"flag"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata from a real ceph-mon")

// recordReads keeps every byte read from the connection.
type recordReads struct {
	net.Conn
	got []byte
}

func (r *recordReads) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.got = append(r.got, p[:n]...)
	return n, err
}

// TestCaptureRealMonSession records what a real ceph-mon 16.2 (auth none,
// crc mode) sends kelp's client: banner, HELLO, AUTH_DONE,
// AUTH_SIGNATURE, SERVER_IDENT and the mon_map answering mon_getmap.
// TestReplayRealMonSession replays it offline.
func TestCaptureRealMonSession(t *testing.T) {
	if !*updateGolden {
		t.Skip("only with -update")
	}
	cl := harness.StartMon(t, harness.Options{Auth: "none"})
	for _, rev1 := range []bool{true, false} {
		nc, err := net.Dial("tcp", cl.V2Addr())
		if err != nil {
			t.Fatal(err)
		}
		rec := &recordReads{Conn: nc}
		cfg := Config{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, DisableRev1: !rev1, DisableCompression: true}
		cfg.setDefaults()
		f := NewFramer(rec)
		target := cl.MonAddrs[0]
		h := &clientHandshake{f: f, cfg: &cfg, log: testLogger(t), peerType: encoding.EntityMon, target: target,
			auth: &AuthNoneClient{Name: cfg.Name, ToMon: true}}
		if err := h.run(); err != nil {
			t.Fatal(err)
		}
		f.writeControl(&ClientIdentFrame{Addrs: encoding.EntityAddrVec{{Type: encoding.AddrAny, Nonce: 1, Addr: mustAP("127.0.0.1:0")}},
			Target: target, GID: -1, GlobalSeq: 1, Features: encoding.FeaturesPacific, Flags: connectFlagLossy, Cookie: 1})
		f.SetLimits(cfg.segmentLimits())
		if err := readExpected(f, &ServerIdentFrame{}); err != nil {
			t.Fatal(err)
		}
		hdr := appendHeader2(nil, &MsgHeader{Seq: 1, Type: 5, Priority: PrioDefault, Version: 1}, 0)
		f.WriteFrame(TagMessage, hdr)
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		fr, err := f.ReadFrame()
		if err != nil || fr.Tag != TagMessage {
			t.Fatalf("mon_map: %v", err)
		}
		nc.Close()
		name := "realmon_crc_rev0.bin"
		if rev1 {
			name = "realmon_crc_rev1.bin"
		}
		// Only what the frames used: bufio may have read ahead nothing
		// more, the mon sends nothing unasked.
		if err := os.WriteFile(filepath.Join("testdata", name), rec.got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
