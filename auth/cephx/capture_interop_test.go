//go:build interop

package cephx_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

var update = flag.Bool("update", false, "rewrite testdata/realmon-*.txt from a live capture")

// relay forwards one TCP connection at a time to target and records both
// directions of the first one.
type relay struct {
	ln       net.Listener
	mu       sync.Mutex
	c2s, s2c []byte
	first    bool
}

type recorder struct {
	r   *relay
	dst *[]byte
}

func (w recorder) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	*w.dst = append(*w.dst, p...)
	w.r.mu.Unlock()
	return len(p), nil
}

func startRelay(t *testing.T, target string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			r.mu.Lock()
			record := !r.first
			r.first = true
			r.mu.Unlock()
			var up io.Writer = s
			var down io.Writer = c
			if record {
				up = io.MultiWriter(s, recorder{r, &r.c2s})
				down = io.MultiWriter(c, recorder{r, &r.s2c})
			}
			go func() { io.Copy(up, c); s.Close() }()
			go func() { io.Copy(down, s); c.Close() }()
		}
	}()
	return r
}

// TestInteropCaptureRealHandshake runs the real ceph CLI against a real
// ceph-mon through a recording relay in crc and in secure mode, checks the
// recorded handshake with kelp's decoders and, with -update, stores it as
// testdata/realmon-MODE.txt.
func TestInteropCaptureRealHandshake(t *testing.T) {
	cl := harness.StartMon(t, harness.Options{})
	key, err := auth.ParseKey(cl.AdminKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"crc", "secure", "kelpclient"} {
		t.Run(mode, func(t *testing.T) {
			r := startRelay(t, cl.V2Addr())
			if mode == "kelpclient" {
				// kelp's client asks for mon, osd and mgr tickets at once:
				// the real AUTH_DONE then carries them as extra tickets.
				c := cephx.NewClient(name(t, "client.admin"), key)
				m := kelpMessenger(name(t, "client.admin"), c, make(inbox, 16))
				defer m.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				ap := netip.MustParseAddrPort(r.ln.Addr().String())
				// The mon drops the session after authentication, at
				// CLIENT_IDENT, because we reached it at the relay's address
				// rather than its own; the auth frames are recorded by then.
				if _, err := m.Dial(ctx, encoding.EntityAddrVec{{Type: encoding.AddrMsgr2, Addr: ap}}, encoding.EntityMon); err != nil {
					t.Logf("dial through the relay: %v (expected)", err)
				}
			}
			conf := filepath.Join(t.TempDir(), "ceph.conf")
			if err := harness.WriteConf(conf, "v2:"+r.ln.Addr().String(), "cephx", map[string]string{
				"keyring": cl.KeyringPath, "ms_mon_client_mode": mode, "log file": "/dev/null",
			}); err != nil {
				t.Fatal(err)
			}
			// The monmap the CLI gets names the real mon, not the relay, so
			// only its first connection is of use; stop the CLI once that
			// one has authenticated.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			done := make(chan struct{})
			go func() {
				if mode != "kelpclient" {
					harness.RunCeph(ctx, conf, "mon", "dump")
				}
				close(done)
			}()
			defer func() { cancel(); <-done }()
			var cf, sf []capturedFrame
			for {
				r.mu.Lock()
				c2s, s2c := append([]byte(nil), r.c2s...), append([]byte(nil), r.s2c...)
				r.mu.Unlock()
				var err1, err2 error
				cf, err1 = splitAuthFrames(c2s, true, tagAuthRequestMore)
				sf, err2 = splitAuthFrames(s2c, false, tagAuthDone)
				if err1 == nil && err2 == nil {
					break
				}
				select {
				case <-ctx.Done():
					t.Fatalf("no complete handshake recorded: client %v, server %v", err1, err2)
				case <-time.After(50 * time.Millisecond):
				}
			}
			c := &capture{key: key, mode: mode}
			for _, f := range append(cf, sf...) {
				if f.tag >= tagAuthRequest && f.tag <= tagAuthDone {
					c.frames = append(c.frames, f)
				}
			}
			verifyCapture(t, c)
			if *update {
				if err := c.write(fmt.Sprintf("testdata/realmon-%s.txt", mode)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
