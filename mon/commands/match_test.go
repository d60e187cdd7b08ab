package commands

import (
	"errors"
	"slices"
	"syscall"
	"testing"
)

func match(t *testing.T, js string) (*Command, Args, error) {
	t.Helper()
	cm, err := ParseCmdMap([]string{js})
	if err != nil {
		return nil, nil, err
	}
	return Match(cm)
}

func wantErr(t *testing.T, err error, code syscall.Errno, msg string) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != code || ce.Msg != msg {
		t.Errorf("err = %v, want %v %q", err, code, msg)
	}
}

func TestMatchPoolCreate(t *testing.T) {
	c, a, err := match(t, `{"prefix": "osd pool create", "pool": "p", "pg_num": 8, "format": "json"}`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Prefix() != "osd pool create" || a.Str("pool", "") != "p" || a.Int("pg_num", 0) != 8 || a.Has("pgp_num") {
		t.Errorf("got %v %v", c.Prefix(), a)
	}
	if c.RequiredCaps() != (Caps{Service: "osd", Read: true, Write: true}) {
		t.Errorf("caps %+v", c.RequiredCaps())
	}
	_, _, err = match(t, `{"prefix": "osd pool create", "pool": "p", "pg_num": "8"}`)
	wantErr(t, err, syscall.EINVAL, "bad or missing field 'pg_num'")
	_, _, err = match(t, `{"prefix": "osd pool create"}`)
	wantErr(t, err, syscall.EINVAL, "missing required parameter: 'pool'")
}

func TestMatchErrors(t *testing.T) {
	_, _, err := match(t, `{"format": "json"}`)
	wantErr(t, err, syscall.EINVAL, "command prefix not found")
	_, _, err = match(t, `{"prefix": ""}`)
	wantErr(t, err, syscall.EINVAL, "command prefix must not be empty")
	_, _, err = match(t, `{"prefix": "no such thing"}`)
	wantErr(t, err, syscall.EINVAL, "command not known")
	_, err = ParseCmdMap([]string{`{"prefix": `})
	wantErr(t, err, syscall.EINVAL, `unparseable JSON {"prefix": `)
	_, err = ParseCmdMap([]string{`["a"]`})
	wantErr(t, err, syscall.EINVAL, `not JSON object ["a"]`)
	_, err = ParseCmdMap([]string{`{"a": {"b": 1}}`})
	wantErr(t, err, syscall.EINVAL, `JSON array/object not allowed {"a": {"b": 1}}`)
	_, err = ParseCmdMap([]string{`{"a": ["x", 1]}`})
	wantErr(t, err, syscall.EINVAL, "Can't handle arrays of multiple types")
	_, err = ParseCmdMap([]string{`{"a": 1} {}`})
	wantErr(t, err, syscall.EINVAL, `unparseable JSON {"a": 1} {}`)
}

func TestMatchTypes(t *testing.T) {
	cases := []struct {
		js   string
		name string
		want any
		err  string
	}{
		// CephChoices
		{js: `{"prefix": "osd pool get", "pool": "p", "var": "size"}`, name: "var", want: "size"},
		{js: `{"prefix": "osd pool get", "pool": "p", "var": "bogus"}`, err: "'bogus' not belong to "},
		// CephOsdName as the CLI sends it (an int) and as text.
		{js: `{"prefix": "osd crush reweight", "name": "osd.1", "weight": 1.0}`, name: "weight", want: 1.0},
		{js: `{"prefix": "osd primary-affinity", "id": 3, "weight": 0.5}`, name: "id", want: int64(3)},
		{js: `{"prefix": "osd primary-affinity", "id": "osd.4", "weight": 0.5}`, name: "id", want: int64(4)},
		{js: `{"prefix": "osd primary-affinity", "id": "mon.4", "weight": 0.5}`, err: "unknown type mon"},
		{js: `{"prefix": "osd primary-affinity", "id": -1, "weight": 0.5}`, err: "osd id -1 is less than 0"},
		// CephFloat with a range.
		{js: `{"prefix": "osd primary-affinity", "id": 1, "weight": 1.5}`, err: "'1.5' out of range: 0.0,1.0"},
		// CephInt with a range.
		{js: `{"prefix": "osd pool set-quota", "pool": "p", "field": "max_objects", "val": "10"}`, name: "val", want: "10"},
		// n=N lists.
		{js: `{"prefix": "osd down", "ids": ["0", "1"]}`, name: "ids", want: []string{"0", "1"}},
		{js: `{"prefix": "osd down", "ids": "0"}`, err: "bad or missing field 'ids'"},
		// CephBool, and its pre-Nautilus string form.
		{js: `{"prefix": "osd pool rm", "pool": "p", "pool2": "p", "yes_i_really_really_mean_it": true}`, name: "yes_i_really_really_mean_it", want: true},
		{js: `{"prefix": "osd pool rm", "pool": "p", "pool2": "p", "yes_i_really_really_mean_it": "--yes-i-really-really-mean-it"}`, name: "yes_i_really_really_mean_it", want: true},
		{js: `{"prefix": "osd pool rm", "pool": "p", "yes_i_really_really_mean_it": "yes"}`, err: "bad or missing field 'yes_i_really_really_mean_it'"},
		// CephUUID
		{js: `{"prefix": "osd new", "uuid": "11111111-2222-3333-4444-555555555555"}`, name: "uuid", want: "11111111-2222-3333-4444-555555555555"},
		{js: `{"prefix": "osd new", "uuid": "nope"}`, err: "invalid UUID nope"},
		// CephPgid
		{js: `{"prefix": "pg map", "pgid": "1.1f"}`, name: "pgid", want: "1.1f"},
		{js: `{"prefix": "pg map", "pgid": "1.xz"}`, err: "pgnum xz not hex integer"},
		{js: `{"prefix": "pg map", "pgid": "17"}`, err: "pgid has no ."},
		// CephEntityAddr
		{js: `{"prefix": "osd blocklist", "blocklistop": "add", "addr": "1.2.3.4:0/123"}`, name: "addr", want: "1.2.3.4:0/123"},
		{js: `{"prefix": "osd blocklist", "blocklistop": "add", "addr": "nonsense"}`, err: "failed to parse addr 'nonsense', should be ip:[port]"},
		// goodchars
		{js: `{"prefix": "osd crush add-bucket", "name": "host1", "type": "host"}`, name: "name", want: "host1"},
		{js: `{"prefix": "osd crush add-bucket", "name": "bad name!", "type": "host"}`, err: "invalid chars  ! in bad name!"},
		// CephName
		{js: `{"prefix": "tell", "target": "osd.1", "args": ["version"]}`, name: "target", want: "osd.1"},
		{js: `{"prefix": "tell", "target": "foo.bar", "args": ["version"]}`, err: "unknown type foo"},
		{js: `{"prefix": "tell", "target": "osd.x", "args": ["version"]}`, err: "osd id x not integer"},
		{js: `{"prefix": "tell", "target": "nodot", "args": ["version"]}`, err: "CephName: no . in nodot"},
	}
	for _, c := range cases {
		_, a, err := match(t, c.js)
		if c.err != "" {
			var ce *Error
			if !errors.As(err, &ce) || ce.Code != syscall.EINVAL || len(ce.Msg) < len(c.err) || ce.Msg[:len(c.err)] != c.err {
				t.Errorf("%s: err = %v, want %q", c.js, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.js, err)
			continue
		}
		got := a[c.name]
		if s, ok := c.want.([]string); ok {
			if !slices.Equal(got.([]string), s) {
				t.Errorf("%s: %s = %v", c.js, c.name, got)
			}
		} else if got != c.want {
			t.Errorf("%s: %s = %#v, want %#v", c.js, c.name, got, c.want)
		}
	}
}

// TestMatchSharedPrefix: "osd crush set" has two signatures; each form
// finds its own.
func TestMatchSharedPrefix(t *testing.T) {
	c, a, err := match(t, `{"prefix": "osd crush set", "id": 1, "weight": 1.0, "args": ["host=a"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Has("weight") || c != Lookup("osd crush set")[1] {
		t.Errorf("matched %q %v", c.Sig, a)
	}
	c, _, err = match(t, `{"prefix": "osd crush set"}`)
	if err != nil || c != Lookup("osd crush set")[0] {
		t.Errorf("matched %v %v", c, err)
	}
}

func TestObsolete(t *testing.T) {
	for _, c := range Table() {
		if !c.Has(FlagObsolete) || len(c.Args()) > 0 {
			continue
		}
		_, _, err := match(t, `{"prefix": "`+c.Prefix()+`"}`)
		wantErr(t, err, syscall.ENOTSUP, "command is obsolete; please check usage and/or man page")
		return
	}
	t.Skip("no obsolete command without arguments in the table")
}

// TestEveryCommandMatches builds a valid cmdmap for every command from
// its descriptors and checks Match finds that command.
func TestEveryCommandMatches(t *testing.T) {
	for _, c := range Table() {
		cm := CmdMap{"prefix": c.Prefix()}
		for _, a := range c.Args() {
			if !a.Required {
				continue
			}
			var v any
			switch a.Type {
			case "CephInt":
				v = int64(1)
			case "CephFloat":
				v = 0.5
			case "CephBool":
				v = true
			case "CephOsdName":
				v = int64(0)
			case "CephChoices":
				v = a.Keys["strings"][:len(a.Keys["strings"])]
				if i := indexByte(a.Keys["strings"], '|'); i >= 0 {
					v = a.Keys["strings"][:i]
				}
			case "CephUUID":
				v = "11111111-2222-3333-4444-555555555555"
			case "CephPgid":
				v = "1.0"
			case "CephName":
				v = "client.admin"
			case "CephIPAddr", "CephEntityAddr":
				v = "1.2.3.4:0/1"
			default:
				v = "x"
			}
			if a.Multi {
				switch x := v.(type) {
				case string:
					v = []string{x}
				case int64:
					v = []int64{x}
				case float64:
					v = []float64{x}
				}
			}
			cm[a.Name] = v
		}
		got, _, err := Match(cm)
		if err != nil {
			if c.Has(FlagObsolete) {
				continue
			}
			t.Errorf("%s: %v", c.Sig, err)
			continue
		}
		if got.Prefix() != c.Prefix() {
			t.Errorf("%s matched %s", c.Sig, got.Sig)
		}
	}
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		`{"prefix": "osd pool create", "pool": "p", "pg_num": 8}`,
		`{"prefix": "osd down", "ids": ["0", "1"]}`,
		`{"prefix": "osd primary-affinity", "id": "osd.4", "weight": 0.5}`,
		`{"prefix": "osd crush add-bucket", "name": "h", "type": "host"}`,
		`{"prefix": "auth get", "entity": "client.admin"}`,
		`{"prefix": "osd pool get", "pool": "p", "var": "size"}`,
		`{"a": [1.5, 2.5], "b": [1, 2], "prefix": "pg map", "pgid": "1.0"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cm, err := ParseCmdMap([]string{s})
		if err != nil {
			return
		}
		if _, err := cm.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
		c, args, err := Match(cm)
		if err == nil && (c == nil || args == nil) {
			t.Fatal("nil result without error")
		}
	})
}
