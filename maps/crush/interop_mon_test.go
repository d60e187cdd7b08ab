//go:build interop

package crush

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestInteropMonCrushCommands runs `osd crush` commands on a real ceph-mon
// and the same operations through kelp's helpers, comparing the crush map
// bytes (`ceph osd getcrushmap`) and `ceph osd crush dump` after each.
func TestInteropMonCrushCommands(t *testing.T) {
	c := harness.StartMon(t, harness.Options{Conf: map[string]string{"osd crush chooseleaf type": "1"}})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ceph := func(args ...string) string {
		t.Helper()
		out, err := c.Ceph(ctx, args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	m, err := BuildSimple(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		p := filepath.Join(t.TempDir(), "crush.bin")
		ceph("osd", "getcrushmap", "-o", p)
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Encode(encoding.FeaturesPacific); !bytes.Equal(got, want) {
			w, _ := Decode(want)
			t.Fatalf("%s: crush map differs at byte %d\ngot  %s\nwant %s", step, firstDiff(got, want), summary(m), summary(w))
		}
		// The CLI frames json-pretty output with newlines.
		dump := strings.TrimSpace(ceph("osd", "crush", "dump", "-f", "json-pretty"))
		got, err := RenderJSON(m.Dump(), true)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != dump {
			t.Fatalf("%s: crush dump differs:\ngot  %s\nwant %s", step, got, dump)
		}
	}
	// setDeviceClass is what OSDMonitor does for set-device-class.
	setDeviceClass := func(id int32, class string) {
		name := "osd." + string(rune('0'+id))
		if m.MaxDevices < id+1 {
			m.MaxDevices = id + 1
		}
		if !m.ItemExists(id) {
			m.ItemNames[id] = name
		}
		if _, err := m.UpdateDeviceClass(id, class); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check("fresh")
	for range 3 {
		ceph("osd", "new", encoding.NewUUID().String())
	}
	check("osd new")

	ceph("osd", "crush", "add", "osd.0", "1.5", "host=a", "root=default")
	must(m.InsertItem(0, WeightFixed(1.5), "osd.0", Location{"host": "a", "root": "default"}))
	check("add osd.0")

	ceph("osd", "crush", "add", "osd.1", "0.7", "host=b", "rack=r1", "root=default")
	must(m.InsertItem(1, WeightFixed(0.7), "osd.1", Location{"host": "b", "rack": "r1", "root": "default"}))
	check("add osd.1")

	ceph("osd", "crush", "set-device-class", "ssd", "osd.1")
	setDeviceClass(1, "ssd")
	check("class osd.1")
	ceph("osd", "crush", "set-device-class", "hdd", "osd.0")
	setDeviceClass(0, "hdd")
	check("class osd.0")
	ceph("osd", "crush", "set-device-class", "hdd", "osd.2")
	setDeviceClass(2, "hdd")
	check("class osd.2 (not in the hierarchy)")

	ceph("osd", "crush", "rule", "create-replicated", "fastrule", "default", "host", "ssd")
	_, err = m.AddSimpleRule("fastrule", "default", "host", "ssd", "firstn", RuleReplicated, -1)
	must(err)
	check("create-replicated")

	ceph("osd", "crush", "rule", "create-simple", "spread", "default", "rack", "indep")
	_, err = m.AddSimpleRule("spread", "default", "rack", "", "indep", RuleReplicated, -1)
	must(err)
	check("create-simple indep")

	ceph("osd", "crush", "reweight", "osd.0", "2.25")
	must(m.AdjustItemWeight(0, WeightFixed(2.25)))
	check("reweight")

	ceph("osd", "crush", "add-bucket", "r2", "rack")
	_, err = m.AddBucket(0, 0, 3, "r2")
	must(err)
	check("add-bucket")
	ceph("osd", "crush", "move", "r2", "root=default")
	must(m.MoveBucket(mustID(t, m, "r2"), Location{"root": "default"}))
	check("move r2")
	ceph("osd", "crush", "move", "b", "rack=r2")
	must(m.MoveBucket(mustID(t, m, "b"), Location{"rack": "r2"}))
	check("move b")

	ceph("osd", "crush", "create-or-move", "osd.2", "0.5", "host=c", "rack=r2", "root=default")
	_, err = m.CreateOrMoveItem(2, WeightFixed(0.5), "osd.2", Location{"host": "c", "rack": "r2", "root": "default"})
	must(err)
	check("create-or-move osd.2")
	ceph("osd", "crush", "create-or-move", "osd.2", "3", "host=b", "root=default")
	_, err = m.CreateOrMoveItem(2, WeightFixed(3), "osd.2", Location{"host": "b", "root": "default"})
	must(err)
	check("create-or-move osd.2 again")

	ceph("osd", "crush", "rm", "osd.0")
	must(m.RemoveItem(0, false))
	check("rm osd.0")

	// An erasure rule: ErasureCode::create_rule adds an indep rule and
	// sets max_size to k+m.
	ceph("osd", "erasure-code-profile", "set", "ec21", "k=2", "m=1", "crush-failure-domain=osd")
	ceph("osd", "crush", "rule", "create-erasure", "ecrule", "ec21")
	id, err := m.AddSimpleRule("ecrule", "default", "osd", "", "indep", RuleErasure, -1)
	must(err)
	m.Rules[id].MaxSize = 3
	check("create-erasure")

	ceph("osd", "crush", "tunables", "hammer")
	must(m.SetTunablesProfile("hammer"))
	check("tunables hammer")
	ceph("osd", "crush", "tunables", "optimal")
	must(m.SetTunablesProfile("optimal"))
	check("tunables optimal")

	ceph("osd", "crush", "rename-bucket", "b", "bee")
	must(m.RenameBucket("b", "bee"))
	check("rename-bucket")

	ceph("osd", "crush", "unlink", "osd.2", "bee")
	must(m.RemoveItemUnder(2, mustID(t, m, "bee"), true))
	check("unlink osd.2 from bee")

	ceph("osd", "crush", "rule", "rm", "spread")
	rid, _ := m.RuleID("spread")
	must(m.RemoveRule(rid))
	check("rule rm")

	ceph("osd", "crush", "link", "a", "rack=r2")
	must(m.LinkBucket(mustID(t, m, "a"), Location{"rack": "r2"}))
	check("link a")

	ceph("osd", "crush", "weight-set", "create-compat")
	must(m.CreateChooseArgs(DefaultChooseArgs, 1))
	check("weight-set create-compat")

	// Hierarchy changes keep the weight sets in step.
	ceph("osd", "crush", "weight-set", "reweight-compat", "osd.1", "0.3")
	must(m.ChooseArgsAdjustItemWeight(DefaultChooseArgs, 1, []uint32{WeightFixed(0.3)}))
	check("weight-set reweight-compat")
	ceph("osd", "crush", "add", "osd.0", "1.0", "host=d", "rack=r1", "root=default")
	must(m.InsertItem(0, WeightFixed(1), "osd.0", Location{"host": "d", "rack": "r1", "root": "default"}))
	check("add osd.0 with weight sets")
	ceph("osd", "crush", "set-device-class", "ssd", "osd.0")
	setDeviceClass(0, "ssd")
	check("class osd.0 with weight sets")
	ceph("osd", "crush", "reweight", "osd.1", "1.5")
	must(m.AdjustItemWeight(1, WeightFixed(1.5)))
	check("reweight with weight sets")
	ceph("osd", "crush", "move", "d", "rack=r2")
	must(m.MoveBucket(mustID(t, m, "d"), Location{"rack": "r2"}))
	check("move with weight sets")
	ceph("osd", "crush", "reweight-all")
	must(m.Reweight())
	check("reweight-all with weight sets")
	ceph("osd", "crush", "rm", "osd.1")
	must(m.RemoveItem(1, false))
	check("rm with weight sets")

	// `ceph osd crush tree`, plain and JSON, with and without shadows.
	for _, shadow := range []bool{false, true} {
		args := []string{"osd", "crush", "tree"}
		if shadow {
			args = append(args, "--show-shadow")
		}
		plain := strings.TrimRight(ceph(args...), "\n")
		if got := strings.TrimRight(m.CrushTreePlain(shadow, nil), "\n"); got != plain {
			t.Errorf("crush tree (shadow %v):\ngot\n%s\nwant\n%s", shadow, got, plain)
		}
		js := strings.TrimSpace(ceph(append(args, "-f", "json")...))
		got, err := RenderJSON(m.CrushTreeJSON(shadow, nil), false)
		must(err)
		if string(got) != js {
			t.Errorf("crush tree json (shadow %v):\ngot  %s\nwant %s", shadow, got, js)
		}
	}

	// The crush part of `ceph osd tree -f json`, with pool_weights from
	// the compat weight set.
	var tree struct {
		Nodes []map[string]any `json:"nodes"`
	}
	must(json.Unmarshal([]byte(ceph("osd", "tree", "-f", "json")), &tree))
	nodes, err := RenderJSON(m.TreeNodes(false, nil, nil), false)
	must(err)
	var mine []map[string]any
	must(json.Unmarshal(nodes, &mine))
	crushKeys := []string{"id", "device_class", "name", "type", "type_id", "crush_weight", "depth", "pool_weights", "children"}
	if len(mine) != len(tree.Nodes) {
		t.Fatalf("tree: %d nodes, mon has %d", len(mine), len(tree.Nodes))
	}
	for i, n := range tree.Nodes {
		for _, k := range crushKeys {
			if fmt.Sprint(n[k]) != fmt.Sprint(mine[i][k]) {
				t.Errorf("tree node %d %q: kelp %v, mon %v", i, k, mine[i][k], n[k])
			}
		}
	}
}
