package conf

// fileCase is a configuration file, a key looked up for mon.a, and what
// `ceph-conf -c FILE --name mon.a --lookup KEY` (Ceph 16.2.15) answers:
// the value, "not found" (absent), or a parse error. The interop test
// checks these expectations against the real ceph-conf; the unit test
// checks kelp against them offline.
type fileCase struct {
	text    string
	key     string
	want    string
	absent  bool // ceph-conf exits 1: key not set
	invalid bool // ceph-conf fails to parse the file
}

var fileCases = []fileCase{
	{text: "[global]\nk = v\n", key: "k", want: "v"},
	{text: "[global]\nk = v", key: "k", invalid: true},
	{text: "  \n[global]\nk = v\n", key: "k", invalid: true},
	{text: "\n\n[global]\nk = v\n", key: "k", want: "v"},
	{text: "; c\n# d\n[global]\nk = v\n", key: "k", want: "v"},
	{text: "  ; c\n[global]\nk = v\n", key: "k", want: "v"},
	{text: "k = v\n", key: "k", want: "v"},
	{text: "k = v\n\n\n", key: "k", want: "v"},
	{text: "k = v\nj = w\n", key: "k", invalid: true},
	{text: "k = v\n[global]\nj = 1\n", key: "k", invalid: true},
	{text: "[global]\n  \nk = v\n\n", key: "k", want: "v"},
	{text: "[global]\nk = \"a b\" x\n", key: "k", invalid: true},
	{text: "[global]\nk = \"a b\" ; c\n", key: "k", want: "a b"},
	{text: "[global]\nk = \"a # b\"\n", key: "k", invalid: true},
	{text: "[global]\nk = a\\\\\nb\n", key: "k", invalid: true},
	{text: "[global]\nk = 'it''s'\n", key: "k", invalid: true},
	{text: "[global]\nk = 'single'\n", key: "k", want: "single"},
	{text: "[global]\nk = a\\#b\n", key: "k", want: "a#b"},
	{text: "[global]\nk = a\\;b\n", key: "k", want: "a;b"},
	{text: "[ global ]\nk = v\n", key: "k", absent: true},
	{text: "[global] ; hi\nk = v\n", key: "k", want: "v"},
	{text: "[global]\nk=\n", key: "k", want: ""},
	{text: "[global]\n=v\n", key: "k", invalid: true},
	{text: "[global]\nk = v\n[]\n", key: "k", invalid: true},
	{text: "[global]\nk v = 1\n", key: "k_v", want: "1"},
	{text: "[global]\nk v = 1\n", key: "k v", want: "1"},
	{text: "[global]\n k\t v = 1\n", key: "k_v", want: "1"},
	{text: "[global]\nk = a\"b\n", key: "k", want: "a\"b"},
	{text: "[global]\nk = \"a\\\"b\"\n", key: "k", want: "a\"b"},
	{text: "[global]\nk = v = w\n", key: "k", want: "v = w"},
	{text: "[global]\nk[ = v\n", key: "k", invalid: true},
	{text: "[global]\nk = a[b]\n", key: "k", want: "a[b]"},
	{text: "[global]\nk = v\r\n", key: "k", want: "v"},
	{text: "[global]\nk = v\n; c", key: "k", want: "v"},
	{text: "[global]\nk = v\n  ; c\n", key: "k", want: "v"},
	{text: "[glo;bal]\nk = v\n", key: "k", invalid: true},
	{text: "[global]\nk = \"abc\n", key: "k", invalid: true},
	{text: "[global]\nk = a ; c\n", key: "k", want: "a"},
	{text: "[global]\nk = a# c\n", key: "k", want: "a"},
	{text: "[global]\nk = \\\n  v\n", key: "k", want: "v"},
	{text: "[global]\nk = a\\\nb\n", key: "k", want: "ab"},
	{text: "[global]\nk = v\n[global]\nk = w\n", key: "k", want: "w"},
	{text: "[global]\nk = v\nk = x\n", key: "k", want: "x"},
	{text: "[global]\nk = v\n[mon]\nk = w\n", key: "k", want: "w"},
	{text: "[global]\nk = v\n[mon]\nk = w\n[mon.a]\nk = z\n", key: "k", want: "z"},
	{text: "[global]\nk = v\n[mon.b]\nk = w\n[osd]\nk = z\n", key: "k", want: "v"},
	{text: "[global]\nk = v\n\n[mon]\n\n", key: "k", want: "v"},
	{text: "[global]\nk = \"x\\\ny\"\n", key: "k", invalid: true},
	{text: "[global]\nk = \"x\" \\\n ; z\n", key: "k", invalid: true},
	{text: "[global]\nmon-data = /x\n", key: "mon_data", absent: true},
	{text: "[global]\nmon-data = /x\n", key: "mon-data", want: "/x"},
	{text: "[global]\nmon data = /x/$cluster-$id\n", key: "mon_data", want: "/x/t-a"},
	{text: "[global]\nk = $name $type $id $cluster\n", key: "k", want: "mon.a mon a t"},
	{text: "[global]\nk = ${cluster}x$unknownvar$\n", key: "k", want: "tx$unknownvar$"},
	{text: "[global]\nk = $run_dir/$name.asok\n", key: "k", want: "/var/run/ceph/mon.a.asok"},
	{text: "[global]\nk = $mon_lease\n", key: "k", want: "5.000000"},
	{text: "[global]\nk = ${abc-d}\n", key: "k", want: "$-d}"},
	{text: "[global]\nk = a\n[mon]\n", key: "k", want: "a"},
	{text: "[global]\n\tk\t=\tv\t\n", key: "k", want: "v"},
	{text: "[global]\nk = \xff\n", key: "k", invalid: true},
	{text: "", key: "k", absent: true},
	{text: "\n", key: "k", absent: true},
	{text: "[global]\n", key: "k", absent: true},
	{text: "[global]", key: "k", invalid: true},
	{text: "[global]\nk = \"\"\n", key: "k", want: ""},
	{text: "[global]\nk = \"  v  \"\n", key: "k", want: "v"},
	{text: "[global]\nk = a \\\n b\n", key: "k", want: "a  b"},
	{text: "[global]\nk = 1 \n[mon]\nj=2\n", key: "j", want: "2"},
	{text: "[a\\]b]\nk = v\n", key: "k", absent: true},
}

// valueCase is a configuration (file and command line) and an option
// whose value `ceph-conf -c FILE --name mon.a ARGS --show-config-value
// NAME` prints; invalid means ceph-conf rejects the command line.
type valueCase struct {
	text    string
	args    []string
	name    string
	want    string
	invalid bool
}

var valueCases = []valueCase{
	{text: "[global]\npublic addr = 1.2.3.4\n", name: "public_addr", want: "v2:1.2.3.4:0/0"},
	{text: "[global]\npublic bind addr = v1:1.2.3.4:77\n", name: "public_bind_addr", want: "v1:1.2.3.4:77/0"},
	{text: "[global]\npublic addr = nonsense\n", name: "public_addr", want: "-"},
	{text: "[global]\nmon lease = 3.5\n", name: "mon_lease", want: "3.500000"},
	{text: "[global]\nmon lease = 3.5\n[mon]\nmon lease = abc\n", name: "mon_lease", want: "5.000000"},
	{text: "[global]\nmon max pg per osd = 2K\n", name: "mon_max_pg_per_osd", want: "2000"},
	{text: "[global]\nmon max pg per osd = 0\n", name: "mon_max_pg_per_osd", want: "250"},
	{text: "[global]\nmon data size warn = 1G\n", name: "mon_data_size_warn", want: "1073741824"},
	{text: "[global]\nmon data size warn = 3KiB\n", name: "mon_data_size_warn", want: "16106127360"},
	{text: "[global]\nmon data size warn = 3KB\n", name: "mon_data_size_warn", want: "3072"},
	{text: "[global]\nmon data size warn = 3Ki\n", name: "mon_data_size_warn", want: "3072"},
	{text: "[global]\nmon data size warn = 3KK\n", name: "mon_data_size_warn", want: "3072"},
	{text: "[global]\nmon data size warn = 3B\n", name: "mon_data_size_warn", want: "3"},
	{text: "[global]\nmon data size warn = 3k\n", name: "mon_data_size_warn", want: "16106127360"},
	{text: "[global]\nmon data size warn = -3\n", name: "mon_data_size_warn", want: "16106127360"},
	{text: "[global]\nmon data size warn = 3X\n", name: "mon_data_size_warn", want: "16106127360"},
	{text: "[global]\nmon osd down out interval = 5m\n", name: "mon_osd_down_out_interval", want: "600"},
	{text: "[global]\nmon scrub interval = 1d 2h\n", name: "mon_scrub_interval", want: "93600"},
	{text: "[global]\nmon op complaint time = 5 min\n", name: "mon_op_complaint_time", want: "300"},
	{text: "[global]\nosd pool default size = 0x10\n", name: "osd_pool_default_size", want: "3"},
	{text: "[global]\nosd pool default size = 2\n", name: "osd_pool_default_size", want: "2"},
	{text: "[global]\nmon allow pool delete = yes\n", name: "mon_allow_pool_delete", want: "false"},
	{text: "[global]\nmon allow pool delete = TRUE\n", name: "mon_allow_pool_delete", want: "true"},
	{text: "[global]\nmon allow pool delete = 1\n", name: "mon_allow_pool_delete", want: "true"},
	{text: "[global]\nfsid = 11111111-2222-3333-4444-555555555555\n", name: "fsid", want: "11111111-2222-3333-4444-555555555555"},
	{text: "[global]\nfsid = bogus\n", name: "fsid", want: "00000000-0000-0000-0000-000000000000"},
	{text: "[global]\nauth cluster required = none\n", name: "auth_cluster_required", want: "none"},
	{text: "[global]\nms mon client mode = crc\n", name: "ms_mon_client_mode", want: "crc"},
	{text: "[global]\nadmin socket = $run_dir/$name.asok\n", name: "admin_socket", want: "/var/run/ceph/mon.a.asok"},
	{text: "[global]\nrun dir = /r\n", name: "admin_socket", want: "/r/t-mon.a.asok"},
	// A reference loop: Ceph leaves "$option" where it found the loop.
	{text: "[global]\nrun dir = $admin_socket/x\nadmin socket = $run_dir/y\n", name: "admin_socket", want: "$admin_socket/y"},
	{text: "[global]\nrun dir = $admin_socket/x\nadmin socket = $run_dir/y\n", name: "run_dir", want: "$run_dir/x"},
	{text: "[global]\ndebug mon = 10\n", name: "debug_mon", want: "10/10"},
	{text: "[global]\ndebug mon = x\n", name: "debug_mon", want: "1/5"},
	{text: "[global]\ndebug mon = 5/ 6\n", name: "debug_mon", want: "5/ 6"},
	{text: "[global]\ndebug mon = 5/x\n", name: "debug_mon", want: "5/5"},
	{text: "[global]\ndebug mon = 20/20/20\n", name: "debug_mon", want: "20/20/20"},
	{text: "[global]\ndebug mon = 300\n", name: "debug_mon", want: "1/5"},
	{text: "[global]\ndebug mon = -1\n", name: "debug_mon", want: "1/5"},
	{text: "[global]\n", args: []string{"--debug-ms=20"}, name: "debug_ms", want: "20/20"},
	{text: "[global]\nk = 1\n", name: "mon_data", want: "/var/lib/ceph/mon/t-a"},
	{text: "[global]\nmon data = /d/$cluster-$id\n", args: []string{"--cluster", "zz"}, name: "mon_data", want: "/d/zz-a"},
	{text: "[global]\nmon data = /d/$cluster-$id\n", args: []string{"-n", "mon.c"}, name: "mon_data", want: "/d/t-c"},
	{text: "[global]\nmon data = /d\n", args: []string{"--mon-data=/q"}, name: "mon_data", want: "/q"},
	{text: "[global]\nmon data = /d\n", args: []string{"--mon_data", "/r"}, name: "mon_data", want: "/r"},
	{text: "[global]\nmon data = /d\n", args: []string{"--mon-data=a-b-c"}, name: "mon_data", want: "a-b-c"},
	{text: "[global]\n", args: []string{"--mon-data"}, name: "mon_data", invalid: true},
	{text: "[global]\n", args: []string{"--mon-allow-pool-delete"}, name: "mon_allow_pool_delete", want: "true"},
	{text: "[global]\n", args: []string{"--mon-allow-pool-delete=0"}, name: "mon_allow_pool_delete", want: "false"},
	{text: "[global]\n", args: []string{"--mon-allow-pool-delete", "false"}, name: "mon_allow_pool_delete", want: "false"},
	{text: "[global]\nmon allow pool delete = true\n", args: []string{"--no-mon-allow-pool-delete"}, name: "mon_allow_pool_delete", want: "false"},
	{text: "[global]\n", args: []string{"--mon-allow-pool-delete=yes"}, name: "mon_allow_pool_delete", invalid: true},
	{text: "[global]\n", args: []string{"--mon-lease=3"}, name: "mon_lease", want: "3.000000"},
	{text: "[global]\n", args: []string{"--mon-lease", "4"}, name: "mon_lease", want: "4.000000"},
	{text: "[global]\n", args: []string{"--mon-lease=2K"}, name: "mon_lease", invalid: true},
	{text: "[global]\n", args: []string{"--mon-max-pg-per-osd=0"}, name: "mon_max_pg_per_osd", invalid: true},
	{text: "[global]\n", args: []string{"-m", "1.2.3.4"}, name: "mon_host", want: "1.2.3.4"},
	{text: "[global]\n", args: []string{"--mon-host", "1.2.3.4,5.6.7.8"}, name: "mon_host", want: "1.2.3.4,5.6.7.8"},
	{text: "[global]\n", args: []string{"--ms-mon-client-mode=bogus"}, name: "ms_mon_client_mode", want: "bogus"},
	{text: "[global]\n", args: []string{"--paxos-min=10"}, name: "paxos_min", want: "10"},
	{text: "[global]\n", args: []string{"--mon-election-default-strategy=4"}, name: "mon_election_default_strategy", invalid: true},
}

// monHostCase is a mon_host value and the initial monmap that
// `monmaptool --create --generate -c FILE` builds from it (for_mkfs),
// printed as `monmaptool --print` lists it: "ADDRS mon.NAME" per monitor.
type monHostCase struct {
	monHost string
	want    []string
}

var monHostCases = []monHostCase{
	{"127.0.0.1", []string{"[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0] mon.noname-a"}},
	{"127.0.0.1:6789", []string{"v1:127.0.0.1:6789/0 mon.noname-a"}},
	{"127.0.0.1:3300,127.0.0.2:7000", []string{"v2:127.0.0.1:3300/0 mon.noname-a", "v2:127.0.0.2:7000/0 mon.noname-b"}},
	{"[v2:127.0.0.1:3300,v1:127.0.0.1:6789],[v2:127.0.0.2:3300,v1:127.0.0.2:6789]", []string{
		"[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0] mon.noname-a", "[v2:127.0.0.2:3300/0,v1:127.0.0.2:6789/0] mon.noname-b"}},
	{"v1:1.2.3.4 v2:1.2.3.5", []string{"v1:1.2.3.4:6789/0 mon.noname-a", "v2:1.2.3.5:3300/0 mon.noname-b"}},
	{"1.2.3.4:6789/7", []string{"v1:1.2.3.4:6789/7 mon.noname-a"}},
	{"[::1]", []string{"[v2:[::1]:3300/0,v1:[::1]:6789/0] mon.noname-a"}},
	{"[::1]:6789 1.2.3.4", []string{"v1:[::1]:6789/0 mon.noname-a", "[v2:1.2.3.4:3300/0,v1:1.2.3.4:6789/0] mon.noname-b"}},
	{"1.2.3.4,1.2.3.4", []string{"[v2:1.2.3.4:3300/0,v1:1.2.3.4:6789/0] mon.noname-a"}},
}
