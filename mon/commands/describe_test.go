package commands

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func golden(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/get_command_descriptions.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDescriptionsGolden: kelp's reply is the real mon's reply, byte for
// byte, for a Pacific peer.
func TestDescriptionsGolden(t *testing.T) {
	want := golden(t)
	got := Descriptions(Table(), encoding.FeaturesPacific)
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-80)
		t.Fatalf("differs at byte %d:\n got ...%s\nwant ...%s", i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
	}
}

// TestDescriptionsSemantic compares as JSON values too, so a formatting
// change would still show whether the content agrees.
func TestDescriptionsSemantic(t *testing.T) {
	var want, got map[string]any
	if err := json.Unmarshal(golden(t), &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(Descriptions(Table(), encoding.FeaturesPacific), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("descriptions differ semantically")
	}
	if len(got) != 348 {
		t.Errorf("%d commands", len(got))
	}
}

// TestDescriptionsPreNautilus: old peers see CephBool as CephChoices.
func TestDescriptionsPreNautilus(t *testing.T) {
	cmds := []Command{{Sig: "osd pool rm name=pool,type=CephPoolname name=yes_i_really_mean_it,type=CephBool,req=false", Module: "osd", Perm: "rw"}}
	got := string(Descriptions(cmds, 0))
	want := `{"cmd000":{"sig":["osd","pool","rm",{"name":"pool","type":"CephPoolname"},{"name":"yes_i_really_mean_it","req":"false","strings":"--yes-i-really-mean-it","type":"CephChoices"}],"help":"","module":"osd","perm":"rw","flags":0}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestEscape(t *testing.T) {
	got := string(Descriptions([]Command{{Sig: "x", Help: "a\"b\\c\nd\x01/é"}}, encoding.FeaturesPacific))
	want := `{"cmd000":{"sig":["x"],"help":"a\"b\\c\nd\u0001/é","module":"","perm":"","flags":0}}`
	if got != want {
		t.Errorf("got %s", got)
	}
	var v any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Error(err)
	}
}

func TestTableShape(t *testing.T) {
	if len(Lookup("osd crush set")) != 2 {
		t.Error("osd crush set should have two signatures")
	}
	c := Lookup("osd pool create")[0]
	if c.Module != "osd" || c.Perm != "rw" {
		t.Errorf("osd pool create = %+v", c)
	}
	caps := c.RequiredCaps()
	if caps != (Caps{Service: "osd", Read: true, Write: true}) {
		t.Errorf("caps = %+v", caps)
	}
	if Lookup("pg stat")[0].Flags.String() != "mgr" || FlagNone.String() != "none" || (FlagHidden|FlagNoForward).String() != "noforward|hidden" {
		t.Error("flag names")
	}
	args := c.Args()
	if args[0].Name != "pool" || args[0].Type != "CephPoolname" || !args[0].Required {
		t.Errorf("args[0] = %+v", args[0])
	}
}

// TestTableDescriptions: the cached answer is the golden one for a
// Pacific peer and the pre-Nautilus form for an old one, asked in
// either order.
func TestTableDescriptions(t *testing.T) {
	old := TableDescriptions(0)
	if !bytes.Equal(old, Descriptions(Table(), 0)) {
		t.Error("pre-Nautilus answer differs from Descriptions")
	}
	if bytes.Equal(old, golden(t)) {
		t.Error("pre-Nautilus answer is the Pacific one")
	}
	for range 2 {
		if !bytes.Equal(TableDescriptions(encoding.FeaturesPacific), golden(t)) {
			t.Fatal("Pacific answer differs from the golden reply")
		}
	}
}
