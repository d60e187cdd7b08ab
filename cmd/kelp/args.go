package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
)

// cliArgs is the ceph CLI's command line (parse_cmdargs in /usr/bin/ceph):
// its own options, wherever they appear, and the command's words.
type cliArgs struct {
	confPaths []string
	id        string
	name      string
	cluster   string
	monHost   string
	keyring   string
	format    string
	timeout   time.Duration
	inFile    string
	outFile   string
	help      bool
	status    bool
	verbose   bool
	overrides []conf.Override
	words     []string
}

var formats = []string{"json", "json-pretty", "xml", "xml-pretty", "plain", "yaml"}

// usageError is a command-line error: exit status 2, as Python's
// argparse exits.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseCLI splits the command line. Options taking a value accept
// "-x V", "--long V" and "--long=V"; everything after "--" is words.
// What is left goes through conf.ParseArgs, which takes out Ceph
// configuration options (--debug-ms 20, --ms-mon-client-mode crc ...)
// as rados.conf_parse_argv does for the ceph CLI.
func parseCLI(argv []string) (*cliArgs, error) {
	a := &cliArgs{timeout: 300 * time.Second}
	var rest []string
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		if arg == "--" {
			rest = append(rest, argv[i:]...)
			break
		}
		flag, val, hasVal := arg, "", false
		if strings.HasPrefix(arg, "--") {
			flag, val, hasVal = strings.Cut(arg, "=")
		}
		value := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(argv) {
				return "", &usageError{fmt.Sprintf("argument %s: expected one argument", flag)}
			}
			i++
			return argv[i], nil
		}
		var err error
		switch flag {
		case "-c", "--conf":
			var v string
			v, err = value()
			a.confPaths = append(a.confPaths, v)
		case "--id", "--user":
			a.id, err = value()
		case "-n", "--name":
			a.name, err = value()
		case "--cluster":
			a.cluster, err = value()
		case "-m":
			a.monHost, err = value()
		case "-k", "--keyring":
			a.keyring, err = value()
		case "-f", "--format":
			a.format, err = value()
			if err == nil && !slices.Contains(formats, a.format) {
				err = &usageError{fmt.Sprintf("argument -f/--format: invalid choice: '%s' (choose from %s)", a.format, quoteList(formats))}
			}
		case "--connect-timeout":
			var v string
			if v, err = value(); err == nil {
				var secs int
				if secs, err = strconv.Atoi(v); err != nil {
					err = &usageError{fmt.Sprintf("argument --connect-timeout: invalid int value: '%s'", v)}
				}
				a.timeout = time.Duration(secs) * time.Second
			}
		case "-i", "--in-file":
			a.inFile, err = value()
		case "-o", "--out-file":
			a.outFile, err = value()
		case "-h", "--help":
			a.help = true
		case "-s", "--status":
			a.status = true
		case "--verbose":
			a.verbose = true
		default:
			rest = append(rest, arg)
		}
		if err != nil {
			return nil, err
		}
	}
	ca, err := conf.ParseArgs(rest, encoding.EntityClient)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	a.overrides = ca.Overrides
	a.words = ca.Rest
	if len(a.words) > 0 && a.words[0] == "--" {
		a.words = a.words[1:]
	}
	return a, nil
}

func quoteList(v []string) string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}

// loadConf builds the configuration the command line asks for.
func (a *cliArgs) loadConf() (*conf.Config, error) {
	ca := &conf.Args{ConfPaths: a.confPaths, Cluster: a.cluster, Overrides: a.overrides,
		Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}}
	if a.id != "" {
		ca.Name.ID = a.id
	}
	if a.name != "" {
		n, err := encoding.ParseEntityName(a.name)
		if err != nil {
			return nil, fmt.Errorf("error parsing '%s': expected string of the form TYPE.ID, valid types are: auth, mon, osd, mds, mgr, client", a.name)
		}
		ca.Name = n
	}
	if a.monHost != "" {
		ca.Overrides = append(ca.Overrides, conf.Override{Name: "mon_host", Value: a.monHost})
	}
	if a.keyring != "" {
		ca.Overrides = append(ca.Overrides, conf.Override{Name: "keyring", Value: a.keyring})
	}
	c, err := conf.Load(ca, false)
	if err != nil && !(err == conf.ErrNoConfFile && a.monHost != "") {
		return nil, err
	}
	return c, nil
}
