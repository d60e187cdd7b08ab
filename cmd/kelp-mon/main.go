// Command kelp-mon is the kelp monitor: a Ceph monitor in Go.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "kelp-mon: the monitor service is not built yet; see the open issues")
	os.Exit(2)
}
