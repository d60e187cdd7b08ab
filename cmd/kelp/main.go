// Command kelp is kelp's client CLI: it runs any monitor command by its
// words as the ceph CLI does (kelp osd pool ls detail --format json),
// prints the output and status the same way and exits with the same
// status; `kelp watch` follows the cluster's maps; `kelp monmap
// print|dump FILE` reads monmap files offline.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/kelp-ceph/kelp/maps/monmap"
)

const usage = `usage: kelp [options] WORDS...        run a monitor command, as ceph WORDS... does
       kelp [options] watch           print each new osdmap, monmap and mgrmap
       kelp [options] --help          list the monitor's commands
       kelp monmap print FILE         print a monmap file as monmaptool --print does
       kelp monmap dump FILE          dump it as JSON, as ceph mon dump -f json does

options:
  -c, --conf FILE         ceph.conf (default: $CEPH_CONF, /etc/ceph/ceph.conf ...)
  --id, --user ID         client id (client.ID); -n, --name TYPE.ID for a full name
  -k, --keyring FILE      keyring file
  -m MONHOST              monitor address(es), overriding mon_host
  -f, --format FORMAT     json, json-pretty, xml, xml-pretty, plain or yaml
  -i, --in-file FILE      input for the command (- for stdin)
  -o, --out-file FILE     write the output there (- for stdout)
  -s, --status            same as the command "status"
  --connect-timeout SECS  give up connecting after SECS (default 300)
  --name_of_any_ceph_option VALUE   set a Ceph option (e.g. --ms-mon-client-mode crc)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the CLI with its streams, returning the exit status.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) >= 1 && argv[0] == "monmap" {
		return monmapCmd(argv, stdout, stderr)
	}
	a, err := parseCLI(argv)
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprint(stderr, usage)
			fmt.Fprintf(stderr, "kelp: error: %s\n", ue.msg)
			return 2
		}
		fmt.Fprintln(stderr, err)
		return 1
	}
	if a.status {
		a.words = append([]string{"status"}, a.words...)
	}
	if len(a.words) == 0 && !a.help {
		fmt.Fprint(stderr, usage)
		return int(syscall.EINVAL)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if len(a.words) == 1 && a.words[0] == "watch" {
		return watch(ctx, a, stdout, stderr)
	}
	return command(ctx, a, stdin, stdout, stderr)
}

// monmapCmd reads a monmap file offline.
func monmapCmd(argv []string, stdout, stderr io.Writer) int {
	if len(argv) != 3 || (argv[1] != "print" && argv[1] != "dump") {
		fmt.Fprint(stderr, usage)
		return 2
	}
	b, err := os.ReadFile(argv[2])
	if err != nil {
		fmt.Fprintln(stderr, "kelp:", err)
		return 1
	}
	m, err := monmap.Decode(b)
	if err != nil {
		fmt.Fprintf(stderr, "kelp: %s: %v\n", argv[2], err)
		return 1
	}
	if argv[1] == "print" {
		fmt.Fprint(stdout, m.Print())
		return 0
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "    ")
	if err := enc.Encode(m.Dump()); err != nil {
		fmt.Fprintln(stderr, "kelp:", err)
		return 1
	}
	return 0
}
