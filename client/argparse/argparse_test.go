package argparse

import (
	"math/big"
	"strings"
	"testing"
)

func TestValidateCommandJSON(t *testing.T) {
	cmds := goldenDescriptions(t)
	if len(cmds) != 348 {
		t.Fatalf("%d commands, want 348", len(cmds))
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"mon", "dump"}, `{"prefix": "mon dump"}`},
		{[]string{"osd", "pool", "ls", "detail"}, `{"prefix": "osd pool ls", "detail": "detail"}`},
		{[]string{"osd", "pool", "create", "p", "8"}, `{"prefix": "osd pool create", "pool": "p", "pg_num": 8}`},
		{[]string{"osd", "pool", "create", "p", "--pg-num=0x10"}, `{"prefix": "osd pool create", "pool": "p", "pg_num": 16}`},
		{[]string{"osd", "out", "0,1", "osd.2"}, `{"prefix": "osd out", "ids": ["0,1", "osd.2"]}`},
		{[]string{"osd", "reweight", "osd.3", "0.5"}, `{"prefix": "osd reweight", "id": 3, "weight": 0.5}`},
		{[]string{"status"}, `{"prefix": "status"}`},
		{[]string{"config-key", "set", "k", "a\"b"}, `{"prefix": "config-key set", "key": "k", "val": "a\"b"}`},
	} {
		d, _, err := ValidateCommand(cmds, tc.args)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if got := d.JSON(); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.args, got, tc.want)
		}
	}
}

func TestValidateCommandErrors(t *testing.T) {
	cmds := goldenDescriptions(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, "no valid command found; 10 closest matches:"},
		{[]string{"osd", "reweight", "0", "abc"}, "Invalid command: abc doesn't represent a float"},
		{[]string{"osd", "pool", "get", "p"}, "Invalid command: missing required parameter var("},
		{[]string{"osd", "dump", "--bogus"}, "Invalid command: Unexpected argument '--bogus'"},
	} {
		_, _, err := ValidateCommand(cmds, tc.args)
		me, ok := err.(*MatchError)
		if !ok || !strings.HasPrefix(me.Lines[0], tc.want) {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestPyNumbers(t *testing.T) {
	for s, want := range map[string]string{"10": "10", "0x1f": "31", "0o17": "15", "0b101": "5", "1_000": "1000",
		"-5": "-5", " +7 ": "7", "00": "0", "0_0": "0", "0x_1": "1"} {
		v, ok := pyInt(s)
		if !ok || v.Cmp(mustBig(want)) != 0 {
			t.Errorf("pyInt(%q) = %v %v, want %s", s, v, ok, want)
		}
	}
	for _, s := range []string{"010", "1__0", "_1", "1_", "0x", "", "-", "1.0", "0x1g", "++1"} {
		if v, ok := pyInt(s); ok {
			t.Errorf("pyInt(%q) = %v, want failure", s, v)
		}
	}
	for s, want := range map[string]string{"0.5": "0.5", "1": "1.0", "1e16": "1e+16", "1e-5": "1e-05",
		"123456789.123": "123456789.123", ".5": "0.5", "5.": "5.0", "inf": "Infinity", "-0": "-0.0", "1_0.5": "10.5"} {
		f, ok := pyFloat(s)
		if !ok || pyFloatRepr(f) != want {
			t.Errorf("pyFloat(%q) = %s %v, want %s", s, pyFloatRepr(f), ok, want)
		}
	}
	for _, s := range []string{"0x10", "1e", ".", "e5", "1.2.3", "abc", "1__0", "0x1p3"} {
		if f, ok := pyFloat(s); ok {
			t.Errorf("pyFloat(%q) = %v, want failure", s, f)
		}
	}
}

func mustBig(s string) *big.Int {
	v, _ := new(big.Int).SetString(s, 10)
	return v
}

func TestParseDescriptionsErrors(t *testing.T) {
	for _, in := range []string{``, `[]`, `{"cmd000":{}}`, `{"cmd000":{"sig":[{"name":"x"}]}}`,
		`{"cmd000":{"sig":[{"type":"CephNope","name":"x"}]}}`, `{"cmd000":{"sig":["a"]}`,
		`{"cmd000":{"sig":[{"type":"CephInt","name":"x","range":"a|b"}]}}`} {
		if _, err := ParseDescriptions([]byte(in)); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

// FuzzValidateCommand: any words against the real mon's descriptions
// never panic, and what validates produces JSON that re-validates... at
// least parses as a command object.
func FuzzValidateCommand(f *testing.F) {
	cmds := goldenDescriptions(f)
	for _, c := range cases {
		f.Add(strings.Join(c, "\x00"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		if len(args) > 32 {
			return
		}
		d, c, err := ValidateCommand(cmds, args)
		if err == nil && (d == nil || c == nil || !strings.HasPrefix(d.JSON(), `{"prefix": `)) {
			t.Fatalf("%q: validated without a prefix: %v", args, d)
		}
	})
}

// FuzzParseDescriptions: malformed descriptions give errors, not panics;
// whatever parses can be matched against.
func FuzzParseDescriptions(f *testing.F) {
	f.Add([]byte(`{"cmd000":{"sig":["osd","pool","create",{"name":"pool","type":"CephPoolname"},{"name":"pg_num","type":"CephInt","range":"0","req":"false"}],"help":"h","module":"osd","perm":"rw","flags":0}}`))
	f.Add([]byte(`{"cmd000":{"sig":["a",{"name":"x","type":"CephString","n":"N","goodchars":"[a-z"}],"flags":8}}`))
	f.Add([]byte(`{"cmd000":{"sig":["a",{"name":"x","type":"CephChoices","strings":"b|c","n":"3"}],"flags":16}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cmds, err := ParseDescriptions(b)
		if err != nil {
			return
		}
		for _, args := range [][]string{{"a"}, {"a", "b"}, {"osd", "pool", "create", "p", "8"}, {"a", "--x=b,c"}} {
			ValidateCommand(cmds, args)
		}
		for i := range cmds {
			ConciseSig(cmds[i].Sig)
		}
	})
}
