//go:build interop

package argparse

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestInteropOracle runs every case through Ceph's own ceph_argparse
// (Debian's python3 module) and through kelp's matcher: the JSON command
// and the lines printed to stderr must be identical.
func TestInteropOracle(t *testing.T) {
	harness.RequireBinaries(t, "python3", "ceph")
	cmds := goldenDescriptions(t)
	abs, _ := filepath.Abs("testdata/get_command_descriptions.json")
	in, _ := json.Marshal(map[string]any{"descriptions": abs, "cases": cases})
	cmd := exec.Command("/usr/bin/python3", "testdata/oracle.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	var want []struct {
		JSON   *string `json:"json"`
		Stderr string  `json:"stderr"`
	}
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(cases) {
		t.Fatalf("oracle output: %v (%d answers for %d cases)", err, len(want), len(cases))
	}
	for i, args := range cases {
		d, _, err := ValidateCommand(cmds, args)
		var gotJSON *string
		gotErr := ""
		if d != nil {
			s := d.JSON()
			gotJSON = &s
		}
		if me, ok := err.(*MatchError); ok {
			gotErr = strings.Join(me.Lines, "\n") + "\n"
		}
		w := want[i]
		if (gotJSON == nil) != (w.JSON == nil) || gotJSON != nil && *gotJSON != *w.JSON || gotErr != w.Stderr {
			g, wj := "null", "null"
			if gotJSON != nil {
				g = *gotJSON
			}
			if w.JSON != nil {
				wj = *w.JSON
			}
			t.Errorf("%q:\n kelp: %s\n%s ceph: %s\n%s", args, g, gotErr, wj, w.Stderr)
		}
	}
}
