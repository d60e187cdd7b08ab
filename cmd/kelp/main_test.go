package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
)

func TestParseCLI(t *testing.T) {
	a, err := parseCLI([]string{"-c", "x.conf", "osd", "pool", "ls", "--format=json", "--id", "foo", "-m", "127.0.0.1:3300",
		"detail", "--connect-timeout", "5", "--debug-ms", "20", "-k", "kr", "--yes-i-really-mean-it"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.words, " ") != "osd pool ls detail --yes-i-really-mean-it" || a.format != "json" || a.id != "foo" ||
		a.monHost != "127.0.0.1:3300" || a.timeout != 5*time.Second || a.keyring != "kr" || len(a.confPaths) != 1 {
		t.Fatalf("%+v", a)
	}
	if len(a.overrides) != 1 || a.overrides[0].Name != "debug_ms" || a.overrides[0].Value != "20" {
		t.Fatalf("overrides %+v", a.overrides)
	}
	for _, bad := range [][]string{{"--format", "xmlish"}, {"-c"}, {"--connect-timeout", "x"}} {
		if _, err := parseCLI(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestRunUsage(t *testing.T) {
	var o, e bytes.Buffer
	if code := run([]string{"--format", "nope", "status"}, nil, &o, &e); code != 2 || !strings.Contains(e.String(), "invalid choice") {
		t.Fatalf("bad format: %d %q", code, e.String())
	}
	e.Reset()
	if code := run(nil, nil, &o, &e); code != 22 {
		t.Fatalf("no words: %d", code)
	}
}

func TestMonmapCommands(t *testing.T) {
	mm := monmap.New(encoding.NewUUID(), encoding.UTimeOf(time.Unix(1700000000, 0)))
	av, _ := encoding.ParseAddrVec("[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]")
	mm.Add("a", av)
	p := filepath.Join(t.TempDir(), "monmap")
	os.WriteFile(p, mm.Encode(encoding.FeaturesPacific), 0o644)
	var o, e bytes.Buffer
	if code := run([]string{"monmap", "print", p}, nil, &o, &e); code != 0 || !strings.Contains(o.String(), "0: [v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0] mon.a") {
		t.Fatalf("print: %d %q %q", code, o.String(), e.String())
	}
	o.Reset()
	if code := run([]string{"monmap", "dump", p}, nil, &o, &e); code != 0 || !strings.Contains(o.String(), `"fsid"`) {
		t.Fatalf("dump: %d %q", code, o.String())
	}
	if code := run([]string{"monmap", "print", p + ".missing"}, nil, &o, &e); code != 1 {
		t.Fatalf("missing file: %d", code)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("osd pool create <pool> [<pg_num:int>] [<pgp_num:int>]", 20, 1)
	for i, l := range got {
		if len(l) > 20 {
			t.Fatalf("line %d too long: %q", i, l)
		}
	}
	if len(got) < 3 || !strings.HasPrefix(got[1], " ") {
		t.Fatalf("%q", got)
	}
}

// FuzzParseCLI: any command line parses or fails cleanly.
func FuzzParseCLI(f *testing.F) {
	f.Add("-c\x00x\x00osd\x00dump\x00--format=json")
	f.Add("--debug-ms\x0020\x00-n\x00client.x\x00--\x00a")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseCLI(strings.Split(s, "\x00"))
		if err == nil && a == nil {
			t.Fatal("nil without error")
		}
	})
}
