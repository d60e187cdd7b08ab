package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/kelp-ceph/kelp/client/argparse"
)

// printHelp lists the monitor's commands as `ceph --help` does
// (format_help in /usr/bin/ceph): sorted by usage line, two wrapped
// columns, hidden, deprecated and obsolete commands left out.
func printHelp(w io.Writer, cmds []argparse.Command, partial string) {
	fmt.Fprint(w, usage)
	fmt.Fprintf(w, "\n Monitor commands: \n %s\n", strings.Repeat("=", len("Monitor commands:")))
	cols := 80
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 20 {
		cols = c
	}
	width := cols - 1
	sigWidth := width / 2
	helpWidth := width/2 + width%2
	type entry struct{ sig, help string }
	var es []entry
	for i := range cmds {
		c := &cmds[i]
		if c.Help == "" || c.Flags&(argparse.FlagObsolete|argparse.FlagDeprecated|argparse.FlagHidden) != 0 {
			continue
		}
		sig := argparse.ConciseSig(c.Sig)
		if partial != "" && !strings.HasPrefix(sig, partial) {
			continue
		}
		es = append(es, entry{sig, c.Help})
	}
	slices.SortStableFunc(es, func(a, b entry) int { return strings.Compare(a.sig, b.sig) })
	for _, e := range es {
		sl := wrap(e.sig, sigWidth, 1)
		hl := wrap(e.help, helpWidth, 1)
		for len(sl) < len(hl) {
			sl = append(sl, "")
		}
		for len(hl) < len(sl) {
			hl = append(hl, "")
		}
		for i := range sl {
			fmt.Fprintf(w, "%-*s %s\n", sigWidth, sl[i], hl[i])
		}
	}
}

// dontSplit are the characters wrap avoids breaking after.
const dontSplit = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ{[<>]}"

// wrap cuts s into lines of at most width, indenting continuation lines,
// as the ceph CLI's wrap() does.
func wrap(s string, width, indent int) []string {
	var out []string
	leader := ""
	first := true
	for len(s) > 0 {
		if len(s) <= width {
			out = append(out, leader+s)
			break
		}
		split := width
		for split > 0 && strings.IndexByte(dontSplit, s[split-1]) >= 0 {
			split--
		}
		if split == 0 {
			split = width
		}
		line := ""
		if !first {
			line = leader
		} else {
			leader = strings.Repeat(" ", indent)
			width--
			first = false
		}
		line += strings.TrimLeft(s[:split], " ")
		s = s[split:]
		out = append(out, line)
	}
	return out
}
