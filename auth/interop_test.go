//go:build interop

package auth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, o.String(), e.String())
	}
	return o.String()
}

func name(t *testing.T, s string) encoding.EntityName {
	n, err := encoding.ParseEntityName(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInteropAuthtoolWritesKelpReads: every keyring ceph-authtool writes is
// read by kelp, and kelp's rendering equals `ceph-authtool -l`.
func TestInteropAuthtoolWritesKelpReads(t *testing.T) {
	harness.RequireBinaries(t, "ceph-authtool")
	f := filepath.Join(t.TempDir(), "k")
	run(t, "ceph-authtool", "--create-keyring", f, "--gen-key", "-n", "client.admin", "--cap", "mon", "allow *", "--cap", "osd", "allow *")
	run(t, "ceph-authtool", f, "--gen-key", "-n", "osd.12", "--cap", "mon", "allow profile osd", "--cap", "mgr", "allow profile osd")
	run(t, "ceph-authtool", f, "--gen-key", "-n", "mgr.a", "--cap", "mon", `allow command "config-key get" with key prefix mgr/`)
	run(t, "ceph-authtool", f, "--gen-key", "-n", "mon.")
	run(t, "ceph-authtool", f, "--gen-key", "-n", "client.rgw.x", "--cap", "mon", "allow rw", "--cap", "osd", `allow rwx pool="a b"`)
	kr, err := auth.LoadKeyRing(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(kr.Entries) != 5 {
		t.Fatalf("%d entries", len(kr.Entries))
	}
	if got, want := kr.Text(), run(t, "ceph-authtool", "-l", f); got != want {
		t.Fatalf("kelp:\n%s\nceph-authtool -l:\n%s", got, want)
	}
	for _, n := range kr.Names() {
		want := strings.TrimSpace(run(t, "ceph-authtool", f, "-n", n.String(), "-p"))
		a, _ := kr.Get(n)
		if a.Key.String() != want {
			t.Errorf("%s: key %s, ceph-authtool -p says %s", n, a.Key, want)
		}
	}
}

// TestInteropKelpWritesAuthtoolReads: a keyring kelp generates and writes
// is listed identically by `ceph-authtool -l`.
func TestInteropKelpWritesAuthtoolReads(t *testing.T) {
	harness.RequireBinaries(t, "ceph-authtool")
	kr := auth.NewKeyRing()
	for _, n := range []string{"client.admin", "osd.0", "mds.x", "mon.", "client.q"} {
		k, err := auth.GenerateKey(rand.Reader, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		kr.Add(name(t, n), auth.EntityAuth{Key: k, Caps: auth.Caps{"mon": `allow command "osd tree", allow r`, "osd": "allow *"}})
	}
	f := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(f, []byte(kr.Text()), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := run(t, "ceph-authtool", "-l", f); got != kr.Text() {
		t.Fatalf("ceph-authtool -l:\n%s\nkelp wrote:\n%s", got, kr.Text())
	}
}

// TestInteropKelpKeyringWithRealCluster: the real ceph CLI authenticates
// with keyrings kelp wrote (text) and the real mon imports a keyring in
// kelp's binary encoding.
func TestInteropKelpKeyringWithRealCluster(t *testing.T) {
	c := harness.StartMon(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()

	// client.admin's key, re-written by kelp.
	admin, err := auth.ParseKey(c.AdminKey)
	if err != nil {
		t.Fatal(err)
	}
	kr := auth.NewKeyRing()
	kr.Add(name(t, "client.admin"), auth.EntityAuth{Key: admin})
	adminRing := filepath.Join(dir, "admin.keyring")
	if err := os.WriteFile(adminRing, []byte(kr.Text()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ceph(ctx, "--keyring", adminRing, "mon", "dump"); err != nil {
		t.Fatal(err)
	}

	// A new entity with a kelp-generated key, added with `ceph auth add -i`.
	k, err := auth.GenerateKey(rand.Reader, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	kr2 := auth.NewKeyRing()
	kr2.Add(name(t, "client.kelp"), auth.EntityAuth{Key: k})
	ring2 := filepath.Join(dir, "kelp.keyring")
	if err := os.WriteFile(ring2, []byte(kr2.Text()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ceph(ctx, "auth", "add", "client.kelp", "mon", "allow r", "-i", ring2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ceph(ctx, "-n", "client.kelp", "--keyring", ring2, "mon", "dump"); err != nil {
		t.Fatal(err)
	}

	// Binary keyring: `ceph auth import` decodes KeyRing's binary form.
	k3, _ := auth.GenerateKey(rand.Reader, time.Now())
	kr3 := auth.NewKeyRing()
	kr3.Add(name(t, "client.bin"), auth.EntityAuth{Key: k3, Caps: auth.Caps{"mon": "allow r", "osd": `allow rw pool="x"`}})
	var e encoding.Encoder
	kr3.Encode(&e)
	bin := filepath.Join(dir, "bin.keyring")
	if err := os.WriteFile(bin, e.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ceph(ctx, "auth", "import", "-i", bin); err != nil {
		t.Fatal(err)
	}
	out, err := c.Ceph(ctx, "auth", "get", "client.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := auth.ParseKeyRingText(out)
	if err != nil {
		t.Fatalf("parse `ceph auth get` output %q: %v", out, err)
	}
	if got.Text() != kr3.Text() {
		t.Fatalf("mon has\n%s\nimported\n%s", got.Text(), kr3.Text())
	}
}
