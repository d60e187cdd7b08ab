package conf

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// newTestConfig is the Config ceph-conf builds for "-c t.conf --name mon.a".
func newTestConfig(t *testing.T, text string, args ...string) (*Config, error) {
	t.Helper()
	a, err := ParseArgs(append([]string{"--name", "mon.a"}, args...), encoding.EntityClient)
	if err != nil {
		return nil, err
	}
	f, err := Parse([]byte(text))
	if err != nil {
		return nil, err
	}
	cluster := a.Cluster
	if cluster == "" {
		cluster = ClusterFromConfPath("/tmp/t.conf")
	}
	c := New(a.Name, cluster)
	c.Daemon = true
	c.File = f
	for _, o := range a.Overrides {
		if err := c.Set(o.Name, o.Value, SourceCmdline); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func TestFileCases(t *testing.T) {
	for _, tc := range fileCases {
		c, err := newTestConfig(t, tc.text)
		if tc.invalid {
			if err == nil {
				t.Errorf("%q: parsed, want a parse error", tc.text)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		got, ok := c.LookupFile(tc.key)
		if ok == tc.absent || got != tc.want {
			t.Errorf("%q key %q: got %q, %v; want %q, found=%v", tc.text, tc.key, got, ok, tc.want, !tc.absent)
		}
	}
}

func TestValueCases(t *testing.T) {
	for _, tc := range valueCases {
		c, err := newTestConfig(t, tc.text, tc.args...)
		if tc.invalid {
			if err == nil {
				t.Errorf("%q %v: accepted, want an error", tc.text, tc.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q %v: %v", tc.text, tc.args, err)
			continue
		}
		got, err := c.String(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("%q %v %s: got %q (%v), want %q", tc.text, tc.args, tc.name, got, err, tc.want)
		}
	}
}

func TestMonHostCases(t *testing.T) {
	for _, tc := range monHostCases {
		mons, err := InitialMonsFromIPs(tc.monHost, true)
		if err != nil {
			t.Errorf("%q: %v", tc.monHost, err)
			continue
		}
		var got []string
		for _, m := range mons {
			got = append(got, m.Addrs.String()+" mon."+m.Name)
		}
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tc.want))) {
			t.Errorf("%q: got %q, want %q", tc.monHost, got, tc.want)
		}
	}
}

// TestMonHostClient checks the client (not mkfs) form of build_initial:
// a bare IP gives two monitors, one per protocol, as MonClient hunts them.
func TestMonHostClient(t *testing.T) {
	mons, err := InitialMonsFromIPs("10.0.0.1,10.0.0.2:3300,10.0.0.3:7000", false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mons {
		got = append(got, m.Name+"="+m.Addrs.String())
	}
	want := []string{
		"noname-a=v2:10.0.0.1:3300/0", "noname-a-legacy=v1:10.0.0.1:6789/0",
		"noname-b=v2:10.0.0.2:3300/0",
		"noname-c=v2:10.0.0.3:7000/0", "noname-c-legacy=v1:10.0.0.3:7000/0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestMonHostNames(t *testing.T) {
	resolve := func(host string) ([]netipAddr, error) {
		switch host {
		case "mon1":
			return []netipAddr{mustIP("10.1.1.1")}, nil
		case "mon2":
			return []netipAddr{mustIP("10.1.1.2")}, nil
		}
		return nil, errors.New("no such host")
	}
	c := New(encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, "ceph")
	if err := c.Set("mon_host", "mon1,mon2:6789", SourceCmdline); err != nil {
		t.Fatal(err)
	}
	mons, err := c.InitialMons(false, resolve)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mons {
		got = append(got, m.Name+"="+m.Addrs.String())
	}
	want := []string{"noname-a=v2:10.1.1.1:3300/0", "noname-a-legacy=v1:10.1.1.1:6789/0", "noname-b-legacy=v1:10.1.1.2:6789/0"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := c.Set("mon_host", "nosuchhost", SourceCmdline); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InitialMons(false, resolve); err == nil {
		t.Error("unresolvable mon_host accepted")
	}
}

func TestMonAddrSections(t *testing.T) {
	f, err := Parse([]byte("[global]\n[mon.x]\nmon addr = 10.0.0.9\n[mon.y]\nmon addr = 10.0.0.8:3300\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := New(encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, "ceph")
	c.File = f
	mons, err := c.InitialMons(true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mons {
		got = append(got, m.Name+"="+m.Addrs.String())
	}
	want := []string{"x=v1:10.0.0.9:6789/0", "y=v1:10.0.0.8:3300/0"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestDefaultsParse checks every default and bound in the table parses
// with its option's type: the table is data and must stay valid.
func TestDefaultsParse(t *testing.T) {
	for _, o := range Options() {
		for _, s := range []string{o.Default, o.DaemonDefault, o.Min, o.Max} {
			if s == "" || (o.Type == TypeAddr && s == "-") {
				continue
			}
			if _, err := ParseValue(o.Type, s); err != nil {
				t.Errorf("%s (%s): %q: %v", o.Name, o.Type, s, err)
			}
		}
	}
}

// TestKelpOptions checks the options the brief names are in the table
// with Pacific's defaults (as ceph-conf -D shows them for mon.a in
// cluster "ceph").
func TestKelpOptions(t *testing.T) {
	c := New(encoding.EntityName{Type: encoding.EntityMon, ID: "a"}, "ceph")
	c.Daemon = true
	c.Hostname = "h"
	want := map[string]string{
		"mon_data":                                       "/var/lib/ceph/mon/ceph-a",
		"mon_host":                                       "",
		"public_addr":                                    "-",
		"public_bind_addr":                               "-",
		"ms_bind_msgr2":                                  "true",
		"auth_cluster_required":                          "cephx",
		"auth_service_required":                          "cephx",
		"auth_client_required":                           "cephx, none",
		"auth_supported":                                 "",
		"ms_mon_client_mode":                             "secure crc",
		"ms_mon_service_mode":                            "secure crc",
		"ms_mon_cluster_mode":                            "secure crc",
		"ms_client_mode":                                 "crc secure",
		"ms_service_mode":                                "crc secure",
		"ms_cluster_mode":                                "crc secure",
		"keyring":                                        "/etc/ceph/ceph.mon.a.keyring,/etc/ceph/ceph.keyring,/etc/ceph/keyring,/etc/ceph/keyring.bin,",
		"mon_lease":                                      "5.000000",
		"mon_lease_renew_interval_factor":                "0.600000",
		"mon_lease_ack_timeout_factor":                   "2.000000",
		"mon_election_timeout":                           "5.000000",
		"paxos_propose_interval":                         "1.000000",
		"paxos_min":                                      "500",
		"paxos_service_trim_min":                         "250",
		"paxos_service_trim_max":                         "500",
		"mon_osd_down_out_interval":                      "600",
		"mon_osd_min_down_reporters":                     "2",
		"osd_heartbeat_grace":                            "20",
		"osd_pool_default_size":                          "3",
		"osd_pool_default_min_size":                      "0",
		"osd_pool_default_pg_num":                        "32",
		"osd_pool_default_pgp_num":                       "0",
		"osd_pool_default_crush_rule":                    "-1",
		"mon_allow_pool_delete":                          "false",
		"mon_max_pg_per_osd":                             "250",
		"mon_osd_full_ratio":                             "0.950000",
		"mon_osd_nearfull_ratio":                         "0.850000",
		"mon_osd_backfillfull_ratio":                     "0.900000",
		"auth_allow_insecure_global_id_reclaim":          "true",
		"mon_warn_on_insecure_global_id_reclaim":         "true",
		"mon_warn_on_insecure_global_id_reclaim_allowed": "true",
		"log_file":                                       "/var/log/ceph/ceph-mon.a.log",
		"admin_socket":                                   "/var/run/ceph/ceph-mon.a.asok",
		"run_dir":                                        "/var/run/ceph",
		"pid_file":                                       "",
		"fsid":                                           "00000000-0000-0000-0000-000000000000",
		"mon_initial_members":                            "",
		"osd_crush_chooseleaf_type":                      "1",
		"debug_mon":                                      "1/5",
		"debug_paxos":                                    "1/5",
		"debug_ms":                                       "0/0",
	}
	for name, w := range want {
		got, err := c.String(name)
		if err != nil || got != w {
			t.Errorf("%s = %q (%v), want %q", name, got, err, w)
		}
	}
	if got := c.Duration("mon_op_complaint_time"); got != 30*time.Second {
		t.Errorf("mon_op_complaint_time = %v", got)
	}
	if got := c.Uint("mon_data_size_warn"); got != 15<<30 {
		t.Errorf("mon_data_size_warn = %d", got)
	}
	if got := c.Float("mon_lease"); got != 5 {
		t.Errorf("mon_lease = %v", got)
	}
	if got := c.Int("paxos_min"); got != 500 {
		t.Errorf("paxos_min = %v", got)
	}
	if c.Bool("mon_allow_pool_delete") {
		t.Error("mon_allow_pool_delete true")
	}
	if !c.UUID("fsid").IsZero() {
		t.Error("fsid not zero")
	}
	if a := c.Addr("public_addr"); a.Type != encoding.AddrNone {
		t.Errorf("public_addr = %v", a)
	}
}

func TestLookupSpellings(t *testing.T) {
	for _, s := range []string{"mon_data", "mon data", "mon-data", " mon data "} {
		if o, ok := Lookup(s); !ok || o.Name != "mon_data" {
			t.Errorf("Lookup(%q) = %v, %v", s, o, ok)
		}
	}
	if _, ok := Lookup("no_such_option"); ok {
		t.Error("found no_such_option")
	}
}

func TestSourcesOrder(t *testing.T) {
	c, err := newTestConfig(t, "[global]\nmon lease = 3\n")
	if err != nil {
		t.Fatal(err)
	}
	check := func(want string, src Source) {
		t.Helper()
		if got, _ := c.String("mon_lease"); got != want || c.Source("mon_lease") != src {
			t.Errorf("mon_lease = %q from %v, want %q from %v", got, c.Source("mon_lease"), want, src)
		}
	}
	check("3.000000", SourceFile)
	if err := c.Set("mon_lease", "4", SourceMon); err != nil {
		t.Fatal(err)
	}
	check("3.000000", SourceFile) // the file beats the mon's config database
	if err := c.Set("mon_lease", "6", SourceCmdline); err != nil {
		t.Fatal(err)
	}
	check("6.000000", SourceCmdline)
	if err := c.Set("mon_lease", "x", SourceOverride); err == nil {
		t.Error("bad value accepted")
	}
	check("6.000000", SourceCmdline)
	c.Unset("mon_lease", SourceCmdline)
	c.File = nil
	check("4.000000", SourceMon)
	c.Unset("mon_lease", SourceMon)
	check("5.000000", SourceDefault)
	if err := c.Set("nonexistent", "1", SourceCmdline); err == nil {
		t.Error("unknown option accepted")
	}
}

func TestFileErrors(t *testing.T) {
	c, err := newTestConfig(t, "[global]\nmon lease = abc\npaxos min = 5\nosd pool default size = x\n")
	if err != nil {
		t.Fatal(err)
	}
	errs := c.FileErrors()
	if len(errs) != 2 {
		t.Fatalf("FileErrors = %v", errs)
	}
	if !strings.Contains(fmt.Sprint(errs), "strict_strtod: expected double, got: 'abc'") {
		t.Errorf("FileErrors = %v", errs)
	}
}

func TestParseNumbers(t *testing.T) {
	cases := []struct {
		t    Type
		in   string
		want string
		bad  bool
	}{
		{t: TypeInt, in: "-5", want: "-5"},
		{t: TypeInt, in: "5K", want: "5000"},
		{t: TypeInt, in: "9223372036854775807", want: "9223372036854775807"},
		{t: TypeInt, in: "10E", bad: true},
		{t: TypeInt, in: "5B", bad: true},
		{t: TypeInt, in: "", bad: true},
		{t: TypeUint, in: "-1", bad: true},
		{t: TypeUint, in: "18E", want: "18000000000000000000"},
		{t: TypeUint, in: "19E", bad: true},
		{t: TypeUint, in: " 7", bad: true},
		{t: TypeFloat, in: "1e3", want: "1000.000000"},
		{t: TypeFloat, in: "0x10", want: "16.000000"},
		{t: TypeFloat, in: "1.5x", bad: true},
		{t: TypeFloat, in: "1e999", bad: true},
		{t: TypeBool, in: "True", want: "true"},
		{t: TypeBool, in: "2", want: "true"},
		{t: TypeBool, in: "yes", bad: true},
		{t: TypeBool, in: "99999999999", bad: true},
		{t: TypeSize, in: "1E", want: "1152921504606846976"},
		{t: TypeSize, in: "16E", bad: true},
		{t: TypeSize, in: "1Bi", bad: true},
		{t: TypeSize, in: "1Q", bad: true},
		{t: TypeSecs, in: "1w 1d", want: "691200"},
		{t: TypeSecs, in: "1 parsec", bad: true},
		{t: TypeSecs, in: "x", bad: true},
		{t: TypeSecs, in: "5 6", bad: true},
		{t: TypeSecs, in: "", want: "0"},
		{t: TypeMillisecs, in: "250", want: "250"},
		{t: TypeMillisecs, in: "x", bad: true},
		{t: TypeUUID, in: "nope", bad: true},
		{t: TypeAddrVec, in: "[v2:1.2.3.4:3300,v1:1.2.3.4:6789]", want: "[v2:1.2.3.4:3300/0,v1:1.2.3.4:6789/0]"},
		{t: TypeAddr, in: "[::1]:6789", want: "v2:[::1]:6789/0"},
	}
	for _, c := range cases {
		v, err := ParseValue(c.t, c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%s %q: got %q, want error", c.t, c.in, v)
			}
			continue
		}
		if err != nil || v.String() != c.want {
			t.Errorf("%s %q: got %q (%v), want %q", c.t, c.in, v, err, c.want)
		}
	}
}

func TestOptionValidate(t *testing.T) {
	o, _ := Lookup("mon_max_pg_per_osd")
	if _, err := o.Parse("0"); err == nil || err.Error() != "Value '0' is below minimum 1" {
		t.Errorf("min: %v", err)
	}
	o, _ = Lookup("mon_election_default_strategy")
	if _, err := o.Parse("4"); err == nil || err.Error() != "Value '4' exceeds maximum 3" {
		t.Errorf("max: %v", err)
	}
	for _, opt := range Options() {
		if opt.Type == TypeStr && len(opt.Enum) > 0 {
			if _, err := opt.Parse("not-a-choice"); err == nil || !strings.Contains(err.Error(), "is not one of the permitted values") {
				t.Errorf("%s enum: %v", opt.Name, err)
			}
			break
		}
	}
}

func TestArgs(t *testing.T) {
	a, err := ParseArgs([]string{"-c", "/a.conf,/b.conf", "-i", "b", "--cluster=x", "--mon-data", "/d",
		"--foo", "pos", "--", "--mon-lease=3"}, encoding.EntityMon)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.ConfPaths, []string{"/a.conf", "/b.conf"}) || a.Name.String() != "mon.b" || a.Cluster != "x" {
		t.Errorf("args = %+v", a)
	}
	if !slices.Equal(a.Overrides, []Override{{"mon_data", "/d"}}) {
		t.Errorf("overrides = %v", a.Overrides)
	}
	if !slices.Equal(a.Rest, []string{"--foo", "pos", "--mon-lease=3"}) {
		t.Errorf("rest = %q", a.Rest)
	}
	if _, err := ParseArgs([]string{"-n", "bogus"}, encoding.EntityMon); err == nil {
		t.Error("bad --name accepted")
	}
	if _, err := ParseArgs([]string{"-c"}, encoding.EntityMon); err == nil {
		t.Error("-c without argument accepted")
	}
}

func TestClusterFromConfPath(t *testing.T) {
	for in, want := range map[string]string{"/etc/ceph/ceph.conf": "ceph", "/x/foo.conf": "foo", "/x/bar": "ceph", "a.conf.d": "a"} {
		if got := ClusterFromConfPath(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestParseErrorPosition(t *testing.T) {
	_, err := Parse([]byte("[global]\nk = \"abc\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("err = %v", err)
	}
}

func TestTypeNames(t *testing.T) {
	for ty := TypeUint; ty <= TypeMillisecs; ty++ {
		if got, ok := ParseType(ty.String()); !ok || got != ty {
			t.Errorf("%v round trip: %v %v", ty, got, ok)
		}
	}
}

// TestExpansionBlowup: references that fan out exponentially stop at a
// budget instead of hanging.
func TestExpansionBlowup(t *testing.T) {
	names := []string{"admin_socket", "run_dir", "log_file", "pid_file", "keyring", "mon_data", "mon_host",
		"mon_initial_members", "public_network", "cluster_network", "host", "chdir", "setuser", "setgroup",
		"mon_dns_srv_name", "mon_cluster_log_file", "mon_debug_dump_location", "erasure_code_dir",
		"monmap", "mon_rocksdb_options", "mon_keyvaluedb", "osd_objectstore", "mgr_initial_modules",
		"public_network_interface", "auth_supported", "auth_cluster_required", "auth_service_required"}
	var b strings.Builder
	b.WriteString("[global]\n")
	for i := 0; i+1 < len(names); i++ {
		fmt.Fprintf(&b, "%s = $%s$%s\n", names[i], names[i+1], names[i+1])
	}
	c, err := newTestConfig(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.String("admin_socket")
	if err != nil || len(v) > 1<<20 {
		t.Fatalf("len %d, %v", len(v), err)
	}
}
