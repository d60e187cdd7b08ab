package cephx_test

import (
	"testing"

	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
)

// BenchmarkServerHandshake measures the monitor's CPU for one full cephx
// authentication in secure mode (server challenge, proof check, auth
// ticket, connection secret and mon/osd/mgr tickets). The client's
// frames are prepared outside the timed region, so only the server's work
// is measured.
func BenchmarkServerHandshake(b *testing.B) {
	f := newFixture(b, 41)
	c := f.client(b, "client.admin", 42)
	// A session's challenge is random, so each iteration needs the client
	// to answer its own challenge; do that with the timer stopped.
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		_, _, start, _ := c.Start(nil)
		b.StartTimer()
		s, _ := f.srv.NewSession(cephx.MethodCephx, encoding.EntityClient, cephx.ConModeSecure, cephx.SecureSecretLen)
		ch, _, err := s.Handle(start)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		req, err := c.More(ch)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, done, err := s.Handle(req); err != nil || !done {
			b.Fatal(err)
		}
	}
}
