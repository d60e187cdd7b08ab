package argparse

import (
	"os"
	"testing"
)

// cases are argument vectors exercising every rule of the matcher; the
// interop test checks each against Ceph's own ceph_argparse.
var cases = [][]string{
	{"status"}, {"-s"}, {"health"}, {"health", "detail"}, {"mon", "dump"}, {"mon", "dump", "3"},
	{"mon", "dump", "x"}, {"osd", "dump"}, {"osd", "tree"}, {"osd", "pool", "ls"},
	{"osd", "pool", "ls", "detail"}, {"osd", "pool", "ls", "details"}, {"auth", "ls"},
	{"config", "dump"}, {"osd", "pool", "create", "p", "8"}, {"osd", "pool", "create", "p"},
	{"osd", "pool", "create", "p", "8", "8", "replicated"}, {"osd", "pool", "create", "p", "x"},
	{"osd", "pool", "create", "p", "--pg_num=16"}, {"osd", "pool", "create", "p", "--pg-num", "16"},
	{"osd", "pool", "create", "p", "8", "--autoscale-mode=on"}, {"osd", "pool", "create", "p", "8", "--autoscale-mode=maybe"},
	{"osd", "pool", "get", "p", "size"}, {"osd", "pool", "get", "p", "bogus"}, {"osd", "pool", "get", "p"},
	{"osd", "pool", "set", "p", "size", "3"}, {"osd", "pool", "set", "p", "size", "3", "--yes-i-really-mean-it"},
	{"osd", "pool", "delete", "p", "p", "--yes-i-really-really-mean-it"},
	{"osd", "pool", "rm", "p"}, {"bogus"}, {"bogus", "command"}, {"osd", "bogus"}, {},
	{"osd"}, {"osd", "pool"}, {"osd", "out", "0"}, {"osd", "out", "osd.0", "1", "2"},
	{"osd", "out", "0,1,2"}, {"osd", "out", "x"}, {"osd", "out"}, {"osd", "down", "any"},
	{"osd", "reweight", "0", "0.5"}, {"osd", "reweight", "0", "1.5"}, {"osd", "reweight", "0", "abc"},
	{"osd", "reweight", "osd.-1", "0.5"}, {"osd", "reweight", "1e-5", "0.5"},
	{"osd", "crush", "add", "osd.0", "1.0", "host=a", "root=default"},
	{"osd", "crush", "add", "osd.x", "1.0", "host=a"}, {"osd", "crush", "rule", "ls"},
	{"osd", "blocklist", "add", "1.2.3.4:0/123"}, {"osd", "blocklist", "add", "1.2.3.4/abc"},
	{"osd", "blocklist", "add", "[::1]:6789/1"}, {"osd", "blocklist", "add", "300.1.1.1"},
	{"osd", "blocklist", "add", "v2:1.2.3.4:99999"}, {"osd", "blocklist", "add", "1.2.3.4", "60"},
	{"pg", "map", "1.0"}, {"pg", "map", "1.g"}, {"pg", "map", "x.0"}, {"pg", "map", "-1.0"},
	{"osd", "new", "9ebf6d24-0c7b-4f4e-a2f4-6ab5ba3e3a0b"}, {"osd", "new", "not-a-uuid"},
	{"osd", "new", "{9ebf6d24-0c7b-4f4e-a2f4-6ab5ba3e3a0b}"},
	{"auth", "get", "client.admin"}, {"auth", "get", "foo"}, {"auth", "get", "foo.bar"},
	{"auth", "get", "osd.x"}, {"auth", "get", "mgr"}, {"auth", "add", "client.x", "mon", "allow r"},
	{"auth", "caps", "client.x", "mon", "allow r", "osd", "allow rw"},
	{"config", "set", "global", "debug_ms", "1"}, {"config", "get", "mon.a"},
	{"config-key", "set", "k", "v"}, {"config-key", "get", "k"}, {"config-key", "ls"},
	{"osd", "set", "noout"}, {"osd", "set", "bogusflag"}, {"osd", "unset", "noup"},
	{"osd", "pool", "application", "enable", "p", "rbd"}, {"osd", "pool", "application", "enable", "p", "rbd", "--yes-i-really-mean-it"},
	{"osd", "pool", "create", "p", "0x10"}, {"osd", "pool", "create", "p", "010"}, {"osd", "pool", "create", "p", "1_0"},
	{"osd", "pool", "create", "p", "-5"}, {"osd", "pool", "create", "p", "+5"}, {"osd", "pool", "create", "p", " 5 "},
	{"osd", "pool", "set-quota", "p", "max_objects", "10"}, {"osd", "pool", "mksnap", "p", "s"},
	{"mon", "add", "b", "1.2.3.4:6789"}, {"mon", "add", "b", "1.2.3.4"}, {"mon", "rm", "b"},
	{"osd", "crush", "reweight", "osd.0", "0.5"}, {"osd", "crush", "reweight-all"},
	{"osd", "primary-affinity", "osd.0", "0.5"}, {"osd", "primary-affinity", "0", "2"},
	{"osd", "pg-temp", "1.0", "0", "1"}, {"osd", "pg-upmap-items", "1.0", "0", "1"},
	{"osd", "erasure-code-profile", "set", "myprofile", "k=2", "m=1"},
	{"osd", "erasure-code-profile", "ls"}, {"osd", "erasure-code-profile", "get", "default"},
	{"quorum_status"}, {"mon", "stat"}, {"versions"}, {"features"}, {"fsid"}, {"df"}, {"osd", "df"},
	{"osd", "ok-to-stop", "0", "1", "--max=5"}, {"osd", "safe-to-destroy", "0"},
	{"osd", "destroy", "0", "--yes-i-really-mean-it"}, {"osd", "purge", "0", "--force"},
	{"log", "hello", "world"}, {"log", "last", "10"}, {"log", "last", "10", "debug", "cluster"},
	{"osd", "pool", "ls", "--format=json"}, {"mon", "dump", "--epoch", "1"}, {"mon", "dump", "--epoch=x"},
	{"osd", "dump", "--bogus"}, {"osd", "dump", "--", "1"}, {"osd", "dump", ""},
	{"mgr", "module", "ls"}, {"mgr", "dump"}, {"mgr", "fail", "x"},
	{"health", "mute", "OSD_DOWN", "1h"}, {"health", "mute", "OSD_DOWN", "--sticky"},
	{"osd", "tree", "--states", "up,down"}, {"osd", "tree", "up"}, {"osd", "tree", "up", "in"},
	{"tell", "osd.0", "version"}, {"injectargs", "--debug-ms=1"},
	{"osd", "lspools"}, {"osd", "pool", "stats"}, {"osd", "pool", "autoscale-status"},
	{"osd", "find", "0"}, {"osd", "metadata", "0"}, {"osd", "metadata"}, {"osd", "map", "p", "obj"},
	{"osd", "map", "p", "obj", "ns"}, {"osd", "last-stat-seq", "osd.1"},
	{"osd", "require-osd-release", "pacific"}, {"osd", "require-osd-release", "foo"},
	{"osd", "set-require-min-compat-client", "luminous"},
	{"auth", "print-key", "client.admin"}, {"auth", "print_key", "client.admin"},
	{"osd", "crush", "move", "a", "root=default", "rack=r1"}, {"osd", "crush", "set", "1", "2"},
	{"osd", "setmaxosd", "10"}, {"osd", "setmaxosd", "-1"}, {"osd", "pause"},
	{"fs", "ls"}, {"fs", "new", "a", "meta", "data"}, {"mds", "stat"},
	{"osd", "pool", "create", "p", "8", "8", "erasure", "myprofile", "rule1", "100", "--bulk"},
	{"osd", "blocked-by"}, {"osd", "utilization"}, {"node", "ls"}, {"osd", "perf"},
	{"config", "assimilate-conf"}, {"config", "log", "5"}, {"config", "generate-minimal-conf"},
	{"osd", "in", "any"}, {"osd", "in", "all"}, {"osd", "rm", "0", "1"}, {"osd", "stat"},
	{"osd", "tier", "add", "a", "b", "--force-nonempty"}, {"osd", "pool", "rename", "a", "b"},
	{"osd", "pool", "create", "p", "8", "--pg_num_min", "2"},
	{"osd", "pool", "create", "p", "8", "--size", "3", "--target_size_ratio", "0.2"},
	{"osd", "pool", "create", "p", "8", "--target_size_ratio", "1e300"},
	{"osd", "pool", "create", "p", "8", "--target_size_ratio", "inf"},
	{"osd", "pool", "create", "p", "8", "--target_size_ratio", "0.1_0"},
	{"osd", "pool", "create", "p", "8", "--target_size_ratio", ".5"},
	{"osd", "pool", "create", "p", "8", "--target_size_ratio", "5."},
	{"osd", "pool", "create", "p", "8", "--target_size_ratio", "1e16"},
	{"osd", "pool", "create", "p", "8", "--target_size_ratio", "123456789.123"},
	{"config", "set", "global", "x", "héllo"}, {"config-key", "set", "k", "a\"b\\c\n"},
}

func goldenDescriptions(t testing.TB) []Command {
	b, err := os.ReadFile("testdata/get_command_descriptions.json")
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := ParseDescriptions(b)
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}
