//go:build interop

package moncap

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// capableCommands are monitor commands with what MonCommands.h says they
// need (module and perms) and the arguments the monitor passes to
// is_capable.
var capableCommands = []struct {
	cli     []string
	service string
	prefix  string
	args    map[string]string
	r, w, x bool
}{
	{[]string{"mon", "dump"}, "mon", "mon dump", nil, true, false, false},
	{[]string{"osd", "dump"}, "osd", "osd dump", nil, true, false, false},
	{[]string{"osd", "pool", "create", "POOL", "1"}, "osd", "osd pool create", map[string]string{"pool": "POOL", "pg_num": "1"}, true, true, false},
	{[]string{"auth", "ls"}, "auth", "auth ls", nil, true, false, true},
	{[]string{"config-key", "get", "daemon-private/client.ENTITY/x"}, "config-key", "config-key get", map[string]string{"key": "daemon-private/client.ENTITY/x"}, true, false, false},
	{[]string{"config-key", "set", "k-ENTITY", "v"}, "config-key", "config-key set", map[string]string{"key": "k-ENTITY", "val": "v"}, true, true, false},
	{[]string{"osd", "blocklist", "ls"}, "osd", "osd blocklist ls", nil, true, false, false},
}

var capableCaps = []string{
	"allow r",
	"allow rw",
	"allow *",
	"allow rwx",
	"profile bootstrap-osd",
	"allow profile read-only",
	"allow profile role-definer",
	`allow r, allow command "osd pool create"`,
	"allow service osd rw, allow service mon r",
	`allow r, allow command "config-key get" with key prefix daemon-private/`,
	"allow r network 10.0.0.0/8",
}

// TestInteropIsCapableMatchesRealMon: for every cap of capableCaps a real
// ceph-mon runs every command of capableCommands as an entity holding
// that cap; it must refuse (EACCES) exactly what kelp's IsCapable refuses.
func TestInteropIsCapableMatchesRealMon(t *testing.T) {
	c := harness.StartMon(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	dir := t.TempDir()
	type result struct {
		cap, cmd string
		real     bool
		kelp     bool
		out      string
	}
	var mu sync.Mutex
	var results []result
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, cp := range capableCaps {
		ent := fmt.Sprintf("mc%d", i)
		ring := filepath.Join(dir, ent)
		out, err := c.Ceph(ctx, "auth", "get-or-create", "client."+ent, "mon", cp)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(ring, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := Parse(cp)
		if err != nil {
			t.Fatal(err)
		}
		for _, cmd := range capableCommands {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				sub := func(s string) string {
					return strings.ReplaceAll(strings.ReplaceAll(s, "POOL", "p"+ent), "ENTITY", ent)
				}
				var cli []string
				for _, a := range cmd.cli {
					cli = append(cli, sub(a))
				}
				args := map[string]string{}
				for k, v := range cmd.args {
					args[k] = sub(v)
				}
				_, stderr, err := harness.RunCeph(ctx, c.ConfPath, append([]string{"-n", "client." + ent, "--keyring", ring}, cli...)...)
				denied := err != nil && (strings.Contains(stderr, "EACCES") || strings.Contains(stderr, "access denied") || strings.Contains(stderr, "Permission denied"))
				kelp := m.IsCapable(Request{
					Entity: encoding.EntityName{Type: encoding.EntityClient, ID: ent}, Service: cmd.service,
					Command: cmd.prefix, Args: args, Read: cmd.r, Write: cmd.w, Exec: cmd.x,
					Addr: mustAddr("127.0.0.1"),
				})
				mu.Lock()
				results = append(results, result{cp, strings.Join(cli, " "), !denied, kelp, strings.TrimSpace(stderr)})
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	var bad []string
	denied := 0
	for _, r := range results {
		if !r.real {
			denied++
		}
		if r.real != r.kelp {
			bad = append(bad, fmt.Sprintf("cap %q, `ceph %s`: real mon allowed=%v, kelp %v (%s)", r.cap, r.cmd, r.real, r.kelp, r.out))
		}
	}
	if len(bad) > 0 {
		t.Fatalf("%d of %d disagree:\n%s", len(bad), len(results), strings.Join(bad, "\n"))
	}
	if denied == 0 || denied == len(results) {
		t.Fatalf("the table does not discriminate: %d of %d denied", denied, len(results))
	}
	t.Logf("%d cap/command pairs agree with the real mon (%d denied)", len(results), denied)
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
