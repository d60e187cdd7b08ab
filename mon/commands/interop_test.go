//go:build interop

package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// python returns the system Python, which has Debian's python3-rados and
// ceph_argparse (a pyenv python on PATH may not).
func python(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil {
			if exec.Command(path, "-c", "import rados, ceph_argparse").Run() == nil {
				return path
			}
		}
	}
	t.Fatal("no python3 with the rados and ceph_argparse modules (python3-rados, ceph-common)")
	return ""
}

const fetchDescriptions = `
import json, sys, rados
c = rados.Rados(conffile=sys.argv[1])
c.connect(timeout=20)
ret, out, err = c.mon_command(json.dumps({"prefix": "get_command_descriptions"}), b"")
c.shutdown()
if ret != 0:
    sys.exit("mon_command: %d %s" % (ret, err))
sys.stdout.buffer.write(out)
`

// TestInteropDescriptions asks a real ceph-mon for get_command_descriptions
// (through librados, as the ceph CLI does) and compares it with kelp's.
func TestInteropDescriptions(t *testing.T) {
	py := python(t)
	c := harness.StartMon(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", fetchDescriptions, c.ConfPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	real, err := cmd.Output()
	if err != nil {
		t.Fatalf("fetching descriptions: %v\n%s", err, stderr.String())
	}
	kelp := Descriptions(Table(), encoding.FeaturesPacific)
	if !bytes.Equal(real, kelp) {
		os.WriteFile(filepath.Join(t.TempDir(), "real.json"), real, 0o644)
		t.Fatalf("real mon's descriptions (%d bytes) differ from kelp's (%d bytes)", len(real), len(kelp))
	}
}

const buildCommands = `
import json, sys
from ceph_argparse import parse_json_funcsigs, validate_command
sigdict = parse_json_funcsigs(open(sys.argv[1]).read(), 'cli')
out = []
for line in sys.stdin:
    argv = json.loads(line)
    valid = validate_command(sigdict, argv, verbose=False)
    # The CLI sends json.dumps of this dict; keep its exact text.
    out.append(json.dumps(valid) if valid else None)
print(json.dumps(out))
`

// TestInteropCLIBuildsFromKelp gives kelp's descriptions to the ceph
// CLI's own parser (ceph_argparse, as `ceph` uses it), lets it build the
// cmdmaps of typical command lines, and checks kelp matches each to the
// same command with the same argument values.
func TestInteropCLIBuildsFromKelp(t *testing.T) {
	py := python(t)
	descs := filepath.Join(t.TempDir(), "descs.json")
	if err := os.WriteFile(descs, Descriptions(Table(), encoding.FeaturesPacific), 0o644); err != nil {
		t.Fatal(err)
	}
	lines := [][]string{
		{"osd", "pool", "create", "p", "8"},
		{"osd", "pool", "create", "p", "8", "8", "replicated"},
		{"osd", "pool", "set", "p", "size", "2"},
		{"osd", "pool", "get", "p", "size"},
		{"osd", "pool", "rm", "p", "p", "--yes-i-really-really-mean-it"},
		{"osd", "pool", "ls", "detail"},
		{"osd", "down", "0", "1"},
		{"osd", "out", "osd.3"},
		{"osd", "crush", "add-bucket", "host1", "host"},
		{"osd", "crush", "create-or-move", "osd.0", "1.0", "host=h", "root=default"},
		{"osd", "crush", "set-device-class", "hdd", "osd.0"},
		{"osd", "crush", "reweight", "osd.1", "0.5"},
		{"osd", "primary-affinity", "osd.2", "0.25"},
		{"osd", "new", "11111111-2222-3333-4444-555555555555"},
		{"osd", "blocklist", "add", "1.2.3.4:0/123"},
		{"osd", "set", "noout"},
		{"osd", "dump"},
		{"auth", "get", "client.admin"},
		{"auth", "add", "osd.0", "osd", "allow *", "mon", "allow profile osd"},
		{"auth", "get-or-create", "client.foo", "mon", "allow r"},
		{"config", "set", "global", "mon_allow_pool_delete", "true"},
		{"config-key", "set", "foo", "bar"},
		{"mon", "dump"},
		{"status"},
		{"health", "detail"},
		{"pg", "map", "1.0"},
		{"log", "hello", "world"},
		{"tell", "osd.1", "version"},
	}
	var in bytes.Buffer
	for _, l := range lines {
		b, _ := json.Marshal(l)
		in.Write(append(b, '\n'))
	}
	cmd := exec.Command(py, "-c", buildCommands, descs)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ceph_argparse: %v\n%s", err, stderr.String())
	}
	var built []*string
	if err := json.Unmarshal(out, &built); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for i, text := range built {
		if text == nil {
			t.Errorf("%q: the ceph CLI's parser rejects it against kelp's descriptions", lines[i])
			continue
		}
		js := *text
		var cm map[string]any
		if err := json.Unmarshal([]byte(js), &cm); err != nil {
			t.Fatal(err)
		}
		parsed, err := ParseCmdMap([]string{js})
		if err != nil {
			t.Errorf("%s: %v", js, err)
			continue
		}
		c, args, err := Match(parsed)
		if err != nil {
			t.Errorf("%s: kelp rejects what the CLI built: %v", js, err)
			continue
		}
		if c.Prefix() != cm["prefix"] {
			t.Errorf("%s: matched %q", js, c.Prefix())
		}
		for k := range cm {
			if k == "prefix" || k == "target" {
				continue
			}
			if !args.Has(k) {
				t.Errorf("%s: argument %s lost", js, k)
			}
		}
		t.Logf("%-60s -> %s", strings.Join(lines[i], " "), js)
	}
}
