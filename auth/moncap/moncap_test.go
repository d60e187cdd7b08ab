package moncap

import (
	"net/netip"
	"testing"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

func TestParseTable(t *testing.T) {
	for _, pc := range parseCases {
		m, err := Parse(pc.cap)
		if (err == nil) != pc.ok {
			t.Errorf("Parse(%q) = %v, want ok=%v", pc.cap, err, pc.ok)
			continue
		}
		if err == nil && m.Text != pc.cap {
			t.Errorf("text %q", m.Text)
		}
	}
}

func mustParse(t *testing.T, s string) *MonCap {
	t.Helper()
	m, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var osd0 = encoding.EntityName{Type: encoding.EntityOSD, ID: "0"}

// rwx asks whether the cap allows (read, write, exec) on service "bar".
func rwx(m *MonCap, r, w, x bool) bool {
	return m.IsCapable(Request{Service: "bar", Read: r, Write: w, Exec: x})
}

// TestBasicPerms follows the Basic* cases of src/test/mon/moncap.cc.
func TestBasicPerms(t *testing.T) {
	type c struct{ r, w, x, want bool }
	for cap, cases := range map[string][]c{
		"allow r":          {{true, false, false, true}, {false, true, false, false}, {true, false, true, false}, {true, true, true, false}},
		"allow w":          {{false, true, false, true}, {true, false, false, false}, {true, true, false, false}},
		"allow x":          {{false, false, true, true}, {false, true, false, false}, {true, false, false, false}},
		"allow rw":         {{false, true, false, true}, {true, false, false, true}, {true, true, false, true}, {true, true, true, false}},
		"allow rx":         {{true, false, true, true}, {false, false, true, true}, {false, true, false, false}},
		"allow wx":         {{false, true, true, true}, {true, false, false, false}},
		"allow rwx":        {{false, false, false, true}, {true, true, true, true}},
		"allow *":          {{true, true, true, true}},
		"allow r, allow w": {{true, true, false, true}, {true, true, true, false}},
	} {
		m := mustParse(t, cap)
		for _, k := range cases {
			if got := rwx(m, k.r, k.w, k.x); got != k.want {
				t.Errorf("%q r=%v w=%v x=%v: %v, want %v", cap, k.r, k.w, k.x, got, k.want)
			}
		}
	}
}

func TestServiceAndCommand(t *testing.T) {
	m := mustParse(t, `allow service foo r, allow command "osd tree", allow command "config-key get" with key prefix "a/", allow command "osd blocklist" with blocklistop=add addr regex "^[^/]+/[0-9]+$"`)
	check := func(req Request, want bool) {
		t.Helper()
		if got := m.IsCapable(req); got != want {
			t.Errorf("%+v: %v, want %v", req, got, want)
		}
	}
	check(Request{Service: "foo", Read: true}, true)
	check(Request{Service: "foo", Write: true}, false)
	check(Request{Service: "other", Read: true}, false)
	// A command grant allows everything for that command.
	check(Request{Service: "osd", Command: "osd tree", Read: true, Write: true, Exec: true}, true)
	check(Request{Service: "osd", Command: "osd dump", Read: true}, false)
	check(Request{Service: "config-key", Command: "config-key get", Args: map[string]string{"key": "a/b"}, Read: true}, true)
	check(Request{Service: "config-key", Command: "config-key get", Args: map[string]string{"key": "b/a"}, Read: true}, false)
	check(Request{Service: "config-key", Command: "config-key get", Read: true}, false)
	check(Request{Command: "osd blocklist", Args: map[string]string{"blocklistop": "add", "addr": "1.2.3.4:0/123"}, Write: true}, true)
	check(Request{Command: "osd blocklist", Args: map[string]string{"blocklistop": "add", "addr": "1.2.3.4:0/x"}, Write: true}, false)
	check(Request{Command: "osd blocklist", Args: map[string]string{"blocklistop": "rm", "addr": "1.2.3.4:0/1"}, Write: true}, false)
}

// TestConfigKeyNeedsStar: blanket rwx does not reach config-key; "allow *"
// does.
func TestConfigKeyNeedsStar(t *testing.T) {
	if mustParse(t, "allow rwx").IsCapable(Request{Service: "config-key", Read: true}) {
		t.Fatal("rwx reached config-key")
	}
	if !mustParse(t, "allow *").IsCapable(Request{Service: "config-key", Read: true, Write: true}) {
		t.Fatal("* did not reach config-key")
	}
}

func TestProfiles(t *testing.T) {
	type q struct {
		req  Request
		want bool
	}
	for cap, qs := range map[string][]q{
		"allow profile osd": {
			{Request{Entity: osd0, Service: "osd", Read: true, Write: true, Exec: true}, true},
			{Request{Entity: osd0, Service: "mon", Read: true}, true},
			{Request{Entity: osd0, Service: "mon", Write: true}, false},
			{Request{Entity: osd0, Service: "pg", Write: true}, true},
			{Request{Entity: osd0, Service: "log", Write: true}, true},
			{Request{Entity: osd0, Service: "auth", Read: true}, false},
			{Request{Entity: osd0, Service: "config-key", Command: "config-key get", Args: map[string]string{"key": "daemon-private/osd.0/x"}, Read: true}, true},
			{Request{Entity: osd0, Service: "config-key", Command: "config-key get", Args: map[string]string{"key": "daemon-private/osd.1/x"}, Read: true}, false},
			{Request{Entity: osd0, Command: "config set", Args: map[string]string{"name": "osd_mclock_max_capacity_iops_ssd"}, Write: true}, true},
			{Request{Entity: osd0, Command: "config set", Args: map[string]string{"name": "osd_max_backfills"}, Write: true}, false},
		},
		"profile bootstrap-osd": {
			{Request{Service: "mon", Read: true}, true},
			{Request{Service: "osd", Command: "osd new", Write: true, Exec: true}, true},
			{Request{Service: "osd", Command: "osd rm", Write: true}, false},
			{Request{Service: "mon", Command: "mon getmap", Read: true}, true},
		},
		"allow profile bootstrap-mgr": {
			{Request{Service: "auth", Command: "auth get-or-create", Args: map[string]string{"entity": "mgr.x", "caps_mon": "allow profile mgr"}, Read: true, Exec: true}, true},
			{Request{Service: "auth", Command: "auth get-or-create", Args: map[string]string{"entity": "client.x", "caps_mon": "allow profile mgr"}, Exec: true}, false},
			{Request{Service: "auth", Command: "auth get-or-create", Args: map[string]string{"entity": "mgr.x", "caps_mon": "allow *"}, Exec: true}, false},
		},
		"allow profile bootstrap-rgw": {
			{Request{Command: "auth get-or-create", Args: map[string]string{"entity": "client.rgw.a", "caps_mon": "allow rw", "caps_osd": "allow rwx"}, Exec: true}, true},
			{Request{Command: "auth get-or-create", Args: map[string]string{"entity": "client.rgw.a", "caps_mon": "allow rw", "caps_osd": "allow *"}, Exec: true}, false},
		},
		"allow profile bootstrap-mds": {
			{Request{Command: "auth get-or-create", Args: map[string]string{"entity": "mds.a", "caps_mon": "allow profile mds", "caps_osd": "allow rwx", "caps_mds": "allow"}, Exec: true}, true},
		},
		"allow profile bootstrap-rbd": {
			{Request{Command: "auth get-or-create", Args: map[string]string{"entity": "client.r", "caps_mon": "profile rbd", "caps_osd": "profile rbd pool=rbd"}, Exec: true}, true},
			{Request{Command: "auth get-or-create", Args: map[string]string{"entity": "client.r", "caps_mon": "profile rbd", "caps_osd": "allow *"}, Exec: true}, false},
		},
		"allow profile mgr": {
			{Request{Entity: encoding.EntityName{Type: encoding.EntityMgr, ID: "x"}, Service: "auth", Read: true, Write: true, Exec: true}, true},
			{Request{Service: "config-key", Read: true, Write: true}, true},
			{Request{Service: "mgr", Read: true, Write: true, Exec: true}, true},
			{Request{Service: "osd", Exec: true}, false},
		},
		"allow profile mds":                                {{Request{Service: "mds", Exec: true}, true}, {Request{Command: "osd blocklist", Write: true}, true}, {Request{Service: "osd", Write: true}, false}},
		"allow profile mon":                                {{Request{Service: "mon", Exec: true}, true}, {Request{Service: "osd", Read: true}, false}},
		"allow profile read-only":                          {{Request{Service: "osd", Read: true}, true}, {Request{Service: "osd", Write: true}, false}},
		"allow profile read-write":                         {{Request{Service: "osd", Write: true}, true}, {Request{Service: "auth", Exec: true}, false}},
		"allow profile role-definer":                       {{Request{Service: "auth", Read: true, Write: true, Exec: true}, true}, {Request{Service: "osd", Read: true}, false}},
		"allow profile crash":                              {{Request{Service: "mon", Read: true}, true}, {Request{Service: "osd", Read: true}, false}},
		"allow profile simple-rados-client":                {{Request{Service: "pg", Read: true}, true}, {Request{Command: "osd blocklist", Args: map[string]string{"blocklistop": "add", "addr": "a/1"}, Write: true}, false}},
		"allow profile simple-rados-client-with-blocklist": {{Request{Command: "osd blocklist", Args: map[string]string{"blocklistop": "add", "addr": "a/1"}, Write: true}, true}},
		"allow profile rbd":                                {{Request{Service: "osd", Read: true}, true}, {Request{Command: "osd blacklist", Args: map[string]string{"blacklistop": "add", "addr": "1.2.3.4:0/5"}, Write: true}, true}},
		"allow profile rbd-mirror":                         {{Request{Command: "config-key get", Args: map[string]string{"key": "rbd/mirror/site"}, Read: true}, true}},
		"allow profile fs-client":                          {{Request{Service: "mds", Read: true}, true}, {Request{Service: "mds", Write: true}, false}},
		"allow profile nonsense":                           {{Request{Service: "mon", Read: true}, false}},
	} {
		m := mustParse(t, cap)
		for _, k := range qs {
			if got := m.IsCapable(k.req); got != k.want {
				t.Errorf("%q %+v: %v, want %v", cap, k.req, got, k.want)
			}
		}
	}
}

func TestNetwork(t *testing.T) {
	m := mustParse(t, "allow r network 10.0.0.0/8, allow w network ::1/128, allow x network 10.0.0.0")
	in := Request{Service: "mon", Read: true, Addr: netip.MustParseAddr("10.1.2.3")}
	out := Request{Service: "mon", Read: true, Addr: netip.MustParseAddr("192.168.0.1")}
	if !m.IsCapable(in) || m.IsCapable(out) {
		t.Fatal("IPv4 network")
	}
	if !m.IsCapable(Request{Service: "mon", Write: true, Addr: netip.MustParseAddr("::1")}) {
		t.Fatal("IPv6 network")
	}
	// "network 10.0.0.0" has no prefix: the grant never applies.
	if m.IsCapable(Request{Service: "mon", Exec: true, Addr: netip.MustParseAddr("10.0.0.0")}) {
		t.Fatal("invalid network applied")
	}
	// A v4-mapped IPv6 peer address counts as IPv4.
	if !m.IsCapable(Request{Service: "mon", Read: true, Addr: netip.MustParseAddr("::ffff:10.0.0.1")}) {
		t.Fatal("mapped address")
	}
	if m.IsCapable(Request{Service: "mon", Read: true}) {
		t.Fatal("no address matched a network grant")
	}
}

func TestFSNameAndString(t *testing.T) {
	m := mustParse(t, "allow rw fsname=a, allow r")
	if !m.FSNameCapable("a", PermR|PermW) || m.FSNameCapable("b", PermW) || !m.FSNameCapable("b", PermR) {
		t.Fatal("fsname")
	}
	m = mustParse(t, `allow service foo rw, allow command "osd tree" with a=b c prefix d, allow profile osd network 1.2.3.0/24`)
	want := `allow service foo rw, allow command "osd tree" with a=b c prefix d, allow profile osd network 1.2.3.0/24`
	if m.String() != want {
		t.Fatalf("%s", m)
	}
	if !AllowAll().IsAllowAll() || mustParse(t, "allow rwx").IsAllowAll() {
		t.Fatal("allow all")
	}
}

func FuzzParse(f *testing.F) {
	for _, pc := range parseCases {
		f.Add(pc.cap)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err != nil {
			return
		}
		m.IsCapable(Request{Service: "mon", Command: "x", Args: map[string]string{"a": "b"}, Read: true, Write: true, Exec: true, Addr: netip.MustParseAddr("1.2.3.4")})
		// What Parse accepts, it accepts again from its own rendering.
		if _, err := Parse(m.String()); err != nil && len(m.Grants) > 0 {
			for _, g := range m.Grants {
				if g.FSName != "" || hasQuote(g) {
					return
				}
			}
			t.Fatalf("%q renders as %q which does not parse: %v", s, m.String(), err)
		}
	})
}

func hasQuote(g Grant) bool {
	for _, s := range []string{g.Service, g.Command, g.Profile} {
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\'' {
				return true
			}
		}
	}
	for k, c := range g.CommandArgs {
		for _, s := range []string{k, c.Value} {
			for i := 0; i < len(s); i++ {
				if s[i] == '"' || s[i] == '\'' {
					return true
				}
			}
		}
	}
	return false
}

func TestFromCapsInfo(t *testing.T) {
	if m, err := FromCapsInfo(auth.AuthCapsInfo{AllowAll: true}); err != nil || !m.IsAllowAll() {
		t.Fatal("allow_all")
	}
	if m, err := FromCapsInfo(auth.CapsInfoFor("allow profile osd")); err != nil || m.Grants[0].Profile != "osd" {
		t.Fatalf("profile: %v", err)
	}
	if _, err := FromCapsInfo(auth.AuthCapsInfo{}); err != ErrNoCaps {
		t.Fatal("empty caps")
	}
	if _, err := FromCapsInfo(auth.AuthCapsInfo{Caps: []byte{9, 0, 0, 0, 'x'}}); err == nil {
		t.Fatal("corrupt caps")
	}
	if _, err := FromCapsInfo(auth.CapsInfoFor("allow bogus")); err == nil {
		t.Fatal("unparseable caps")
	}
}
