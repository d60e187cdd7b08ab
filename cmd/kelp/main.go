// Command kelp is kelp's client CLI. Today it reads and prints Ceph map
// files; monitor commands arrive with the client library.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/kelp-ceph/kelp/maps/monmap"
)

const usage = `usage: kelp monmap print FILE   print a monmap file as monmaptool --print does
       kelp monmap dump FILE    dump it as JSON, as ceph mon dump -f json does
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kelp:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 || args[0] != "monmap" || (args[1] != "print" && args[1] != "dump") {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	b, err := os.ReadFile(args[2])
	if err != nil {
		return err
	}
	m, err := monmap.Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", args[2], err)
	}
	if args[1] == "print" {
		fmt.Print(m.Print())
		return nil
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "    ")
	return enc.Encode(m.Dump())
}
