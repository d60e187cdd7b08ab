package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
)

// dev sets up (or reuses) a single-monitor cluster in a directory and
// serves it in the foreground: ceph.conf, a keyring with mon. and
// client.admin, and the monitor's store.
func dev(argv []string) error {
	fs := flag.NewFlagSet("kelp-mon dev", flag.ContinueOnError)
	dir := fs.String("dir", "kelp-dev", "cluster directory")
	addr := fs.String("addr", "127.0.0.1:3300", "msgr2 address to serve on")
	createOnly := fs.Bool("create-only", false, "create the cluster and exit without serving")
	if err := fs.Parse(argv); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	confPath := filepath.Join(abs, "ceph.conf")
	if _, err := os.Stat(filepath.Join(abs, "mon.a", "store.db")); err != nil {
		if err := devCreate(abs, *addr); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "kelp-mon: created a new cluster in %s\n", abs)
	} else {
		fmt.Fprintf(os.Stderr, "kelp-mon: reusing the cluster in %s\n", abs)
	}
	if *createOnly {
		return nil
	}
	fmt.Fprintf(os.Stderr, "kelp-mon: in another shell run:\n\n    export CEPH_CONF=%s\n    ceph -s\n\n", confPath)
	return daemon([]string{"-c", confPath, "-i", "a", "-f"})
}

func devCreate(dir, addr string) error {
	a, rest, err := encoding.ParseAddr(addr, encoding.AddrMsgr2)
	if err != nil || rest != "" {
		return fmt.Errorf("--addr %q: want IP:PORT", addr)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fsid := encoding.NewUUID()
	now := time.Now()
	kr := auth.NewKeyRing()
	for _, e := range []struct {
		name string
		caps auth.Caps
	}{
		{"mon.", auth.Caps{"mon": "allow *"}},
		{"client.admin", auth.Caps{"mon": "allow *", "osd": "allow *", "mgr": "allow *", "mds": "allow *"}},
	} {
		key, err := auth.GenerateKey(rand.Reader, now)
		if err != nil {
			return err
		}
		n, _ := encoding.ParseEntityName(e.name)
		kr.Add(n, auth.EntityAuth{Key: key, Caps: e.caps})
	}
	keyring := filepath.Join(dir, "keyring")
	if err := os.WriteFile(keyring, []byte(kr.Text()), 0o600); err != nil {
		return err
	}
	mm := monmap.New(fsid, encoding.UTimeOf(now))
	mm.MinMonRelease = encoding.ReleasePacific
	mm.PersistentFeatures = monmap.MonFeaturesPacific
	if err := mm.Add("a", encoding.EntityAddrVec{a}); err != nil {
		return err
	}
	mmPath := filepath.Join(dir, "monmap")
	if err := os.WriteFile(mmPath, mm.Encode(encoding.FeaturesPacific), 0o644); err != nil {
		return err
	}
	conf := fmt.Sprintf(`[global]
	fsid = %s
	mon host = %s
	keyring = %s
	auth cluster required = cephx
	auth service required = cephx
	auth client required = cephx
	mon data = %s/$name
	log file = %s/$name.log
	admin socket = %s/$name.asok
	auth allow insecure global id reclaim = false
	osd pool default size = 1
	osd pool default min size = 1
	mon allow pool delete = true
`, fsid, encoding.EntityAddrVec{a}, keyring, dir, dir, dir)
	confPath := filepath.Join(dir, "ceph.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return err
	}
	return daemon([]string{"-c", confPath, "-i", "a", "--mkfs", "--monmap", mmPath, "--keyring", keyring})
}
