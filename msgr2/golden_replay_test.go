package msgr2

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

// TestReplayRealMonSession replays the bytes a real ceph-mon 16.2.15 sent
// (testdata/README.md) to kelp's connecting side, offline: the handshake
// must complete, and every frame the mon sent must be exactly what kelp's
// Framer writes for the same tag and segments (preamble alignments and
// flags, crcs, epilogue late status), so kelp's frames are Ceph's.
func TestReplayRealMonSession(t *testing.T) {
	for _, name := range []string{"realmon_crc_rev1.bin", "realmon_crc_rev0.bin"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			// The capture of msgr2.0 had kelp announce no msgr2.1 support.
			cfg := Config{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, DisableRev1: strings.Contains(name, "rev0")}
			cfg.setDefaults()
			f := NewFramer(&fuzzConn{bytes.NewReader(raw)})
			h := &clientHandshake{f: f, cfg: &cfg, log: testLogger(t), peerType: encoding.EntityMon,
				auth: &AuthNoneClient{Name: cfg.Name, ToMon: true}}
			if err := h.run(); err != nil {
				t.Fatal(err)
			}
			if h.conMode != ConModeCRC || h.authResult.GlobalID == 0 {
				t.Fatalf("mode %d global id %d", h.conMode, h.authResult.GlobalID)
			}
			f.SetLimits(cfg.segmentLimits())
			// Re-read the frames after the banner one by one, re-encoding
			// each with kelp's writer.
			var tags []Tag
			r := NewFramer(&fuzzConn{bytes.NewReader(raw[bannerLen:])})
			r.SetRev1(f.rev1)
			r.SetLimits(cfg.segmentLimits())
			r.startRecording()
			for {
				r.rec.rx = nil
				fr, err := r.ReadFrame()
				if err != nil {
					break
				}
				tags = append(tags, fr.Tag)
				var out memConn
				w := NewFramer(&out)
				w.SetRev1(f.rev1)
				w.WriteFrame(fr.Tag, fr.Segments[:fr.NumSegs]...)
				if !bytes.Equal(out.Bytes(), r.rec.rx) {
					t.Fatalf("%s frame: ceph wrote\n%x\nkelp writes\n%x", fr.Tag, r.rec.rx, out.Bytes())
				}
				if fr.Tag == TagMessage {
					hdr, _, err := decodeHeader2(fr.Segments[0])
					if err != nil || hdr.Type != 4 {
						t.Fatalf("message %+v: %v", hdr, err)
					}
				}
			}
			want := []Tag{TagHello, TagAuthDone, TagAuthSignature, TagServerIdent, TagMessage}
			if len(tags) != len(want) {
				t.Fatalf("frames %v, want %v", tags, want)
			}
			for i := range want {
				if tags[i] != want[i] {
					t.Fatalf("frames %v, want %v", tags, want)
				}
			}
		})
	}
}
