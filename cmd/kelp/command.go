package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/kelp-ceph/kelp/client"
	"github.com/kelp-ceph/kelp/client/argparse"
)

// connect opens a client session as the command line says, within the
// connect timeout.
func connect(ctx context.Context, a *cliArgs, stderr io.Writer) (*client.Client, int) {
	c, err := a.loadConf()
	if err != nil {
		fmt.Fprintln(stderr, "kelp:", err)
		return nil, 1
	}
	cctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	cl, err := client.Connect(cctx, client.Options{Config: c, Keyring: a.keyring})
	if err != nil {
		// The ceph CLI says "[errno N] RADOS ... (error connecting to the
		// cluster)": 13 for a refused key, 110 when no monitor answered,
		// 2 when the configuration or keyring is missing.
		var he *client.HuntError
		code := syscall.ENOENT
		switch {
		case errors.Is(err, syscall.EACCES):
			code = syscall.EACCES
		case errors.As(err, &he):
			code = syscall.ETIMEDOUT
		}
		fmt.Fprintf(stderr, "kelp: error connecting to the cluster: [errno %d] %v\n", int(code), err)
		return nil, 1
	}
	return cl, 0
}

// command runs one monitor command by its words, as the ceph CLI's main
// does: fetch the command descriptions, validate the words
// (validate_command), send the JSON command, then print the output to
// stdout, the status to stderr, and exit with the errno of a failure
// ("Error ENOENT: ..." and status 2).
func command(ctx context.Context, a *cliArgs, stdin io.Reader, stdout, stderr io.Writer) int {
	var inbuf []byte
	if a.inFile != "" {
		var err error
		if a.inFile == "-" {
			inbuf, err = io.ReadAll(stdin)
		} else {
			inbuf, err = os.ReadFile(a.inFile)
		}
		if err != nil {
			fmt.Fprintf(stderr, "Can't open input file %s: %v\n", a.inFile, err)
			return 1
		}
	}
	out := stdout
	if a.outFile != "" && a.outFile != "-" {
		f, err := os.Create(a.outFile)
		if err != nil {
			fmt.Fprintf(stderr, "Can't open output file %s: %v\n", a.outFile, err)
			return 1
		}
		defer f.Close()
		out = f
	}

	cl, code := connect(ctx, a, stderr)
	if cl == nil {
		return code
	}
	defer cl.Close()

	descs, _, err := cl.MonCommand(ctx, `{"prefix": "get_command_descriptions"}`, nil)
	if err != nil {
		fmt.Fprintf(stderr, "Error %s: problem getting command descriptions from mon.: %v\n", errnoName(err), err)
		return errnoOf(err, syscall.EINVAL)
	}
	cmds, err := argparse.ParseDescriptions(descs)
	if err != nil {
		fmt.Fprintln(stderr, "kelp:", err)
		return 1
	}
	if a.help {
		printHelp(stdout, cmds, strings.Join(a.words, " "))
		return 0
	}

	ret, outbuf, outs := 0, []byte(nil), ""
	d, cmd, err := argparse.ValidateCommand(cmds, a.words)
	if err != nil {
		var me *argparse.MatchError
		if errors.As(err, &me) {
			for _, l := range me.Lines {
				fmt.Fprintln(stderr, l)
			}
		}
		ret, outs = -int(syscall.EINVAL), "invalid command"
	} else if cmd.Flags&argparse.FlagMgr != 0 {
		// The ceph CLI sends these to the active mgr (mgr_command);
		// kelp's client talks to monitors only.
		ret, outs = -int(syscall.EOPNOTSUPP), fmt.Sprintf("'%s' is a mgr command; kelp does not talk to the mgr", cmd.Prefix())
	} else {
		if a.format != "" {
			d.Set("format", a.format)
		}
		if a.verbose {
			fmt.Fprintf(stderr, "Submitting command:  %s\n", d.JSON())
		}
		var err error
		outbuf, outs, err = cl.MonCommand(ctx, d.JSON(), inbuf)
		var ce *client.CommandError
		switch {
		case errors.As(err, &ce):
			ret = -int(ce.Errno)
		case err != nil:
			fmt.Fprintln(stderr, "kelp:", err)
			return 1
		}
	}

	// As the ceph CLI: a blank line before JSON output (old consumers skip
	// the first line), the output as is, then the status or the error.
	if a.format != "" && strings.HasPrefix(a.format, "json") && a.outFile == "" {
		fmt.Fprintln(stdout)
	}
	out.Write(outbuf)
	if ret < 0 {
		fmt.Fprintf(stderr, "Error %s: %s\n", client.ErrnoName(syscall.Errno(-ret)), outs)
		return -ret
	}
	if outs != "" {
		fmt.Fprintln(stderr, outs)
	}
	return 0
}

func errnoOf(err error, def syscall.Errno) int {
	var ce *client.CommandError
	if errors.As(err, &ce) {
		return int(ce.Errno)
	}
	return int(def)
}

func errnoName(err error) string {
	var ce *client.CommandError
	if errors.As(err, &ce) {
		return client.ErrnoName(ce.Errno)
	}
	return "EINVAL"
}
