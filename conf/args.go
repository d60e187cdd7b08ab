package conf

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

// Args is what a daemon's command line says about configuration, parsed
// as ceph_argparse_early_args and md_config_t::parse_argv do.
type Args struct {
	// ConfPaths are the -c/--conf files, in order (a comma-separated
	// list is split); empty means Ceph's default search path.
	ConfPaths []string
	// Name is from -n/--name, or the default type with -i/--id.
	Name    encoding.EntityName
	Cluster string // --cluster
	// Overrides are option settings from the command line, in order.
	Overrides []Override
	// Rest are the arguments that are not configuration.
	Rest []string
}

// Override is one command-line option setting.
type Override struct{ Name, Value string }

// dashesToUnderscores is ceph_argparse's dashes_to_underscores: after the
// first two characters, dashes become underscores up to an '='.
func dashesToUnderscores(s string) string {
	if len(s) <= 2 {
		return s
	}
	b := []byte(s)
	for i := 2; i < len(b); i++ {
		if b[i] == '=' {
			break
		}
		if b[i] == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// ParseArgs parses a command line. defaultType is the entity type of the
// program (mon for kelp-mon, client for tools), used with -i/--id.
// Arguments after "--" are not looked at.
func ParseArgs(args []string, defaultType encoding.EntityType) (*Args, error) {
	a := &Args{Name: encoding.EntityName{Type: defaultType, ID: "admin"}}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			a.Rest = append(a.Rest, args[i+1:]...)
			break
		}
		norm := dashesToUnderscores(arg)
		flag, val, hasVal := strings.Cut(norm, "=")
		if hasVal {
			// Keep the value as written (dashes are only mapped in the name).
			val = arg[strings.IndexByte(arg, '=')+1:]
		}
		next := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("Option %s requires an argument.", arg)
			}
			i++
			return args[i], nil
		}
		switch flag {
		case "-c", "--conf":
			v, err := next()
			if err != nil {
				return nil, err
			}
			a.ConfPaths = append(a.ConfPaths, splitList(v)...)
			continue
		case "-i", "--id", "--user":
			v, err := next()
			if err != nil {
				return nil, err
			}
			a.Name.ID = v
			continue
		case "-n", "--name":
			v, err := next()
			if err != nil {
				return nil, err
			}
			n, err := encoding.ParseEntityName(v)
			if err != nil {
				return nil, fmt.Errorf("error parsing '%s': expected string of the form TYPE.ID, valid types are: auth, mon, osd, mds, mgr, client", v)
			}
			a.Name = n
			continue
		case "--cluster":
			v, err := next()
			if err != nil {
				return nil, err
			}
			a.Cluster = v
			continue
		case "-m":
			v, err := next()
			if err != nil {
				return nil, err
			}
			a.Overrides = append(a.Overrides, Override{"mon_host", v})
			continue
		case "-k":
			v, err := next()
			if err != nil {
				return nil, err
			}
			a.Overrides = append(a.Overrides, Override{"keyring", v})
			continue
		}
		name, ok := strings.CutPrefix(flag, "--")
		if !ok {
			a.Rest = append(a.Rest, arg)
			continue
		}
		if neg, isNeg := strings.CutPrefix(name, "no_"); isNeg && !hasVal {
			if o, ok := Lookup(neg); ok && o.Type == TypeBool && o.Name == neg {
				a.Overrides = append(a.Overrides, Override{o.Name, "false"})
				continue
			}
		}
		o, ok := Lookup(name)
		if !ok || o.Name != name {
			a.Rest = append(a.Rest, arg)
			continue
		}
		if o.Type == TypeBool {
			// ceph_argparse_binary_flag: --opt, --opt=true|false|1|0,
			// or --opt followed by one of those words.
			v := "true"
			if hasVal {
				if !isBoolWord(val) {
					return nil, fmt.Errorf("Parse error parsing binary flag  --%s. Expected true or false, but got '%s'", o.Name, val)
				}
				v = val
			} else if i+1 < len(args) && isBoolWord(args[i+1]) {
				i++
				v = args[i]
			}
			a.Overrides = append(a.Overrides, Override{o.Name, v})
			continue
		}
		v, err := next()
		if err != nil {
			return nil, err
		}
		a.Overrides = append(a.Overrides, Override{o.Name, v})
	}
	return a, nil
}

func isBoolWord(s string) bool { return s == "true" || s == "false" || s == "1" || s == "0" }

// splitList splits a comma, semicolon or space separated list (get_str_list).
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
}

// DefaultConfPaths is Ceph's search path when no -c is given
// (CEPH_CONF_FILE_DEFAULT): $CEPH_CONF first when set.
func DefaultConfPaths() []string {
	var p []string
	if env := os.Getenv("CEPH_CONF"); env != "" {
		p = append(p, env)
	}
	return append(p, "/etc/ceph/$cluster.conf", "$home/.ceph/$cluster.conf", "$cluster.conf")
}

// ErrNoConfFile is returned by Load when no configuration file in the
// search path exists.
var ErrNoConfFile = errors.New("conf: did not load config file, using default settings")

// Load builds the Config a program with these arguments sees: the name
// and cluster from the arguments, the first configuration file in the
// search path that exists (its name giving the cluster when --cluster is
// absent), and the command-line overrides. With no file found it returns
// the Config and ErrNoConfFile, which callers may treat as a warning.
func Load(a *Args, daemon bool) (*Config, error) {
	c := New(a.Name, a.Cluster)
	c.Daemon = daemon
	if a.Name.Type == encoding.EntityMon {
		c.DataDirOption = "mon_data"
	}
	paths := a.ConfPaths
	explicit := len(paths) > 0
	if !explicit {
		paths = DefaultConfPaths()
	}
	var loadErr error = ErrNoConfFile
	for _, p := range paths {
		path := c.expandTop(p)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		f, err := ReadFile(path)
		if err != nil {
			return nil, err
		}
		c.File = f
		if a.Cluster == "" {
			c.Cluster = ClusterFromConfPath(path)
		}
		loadErr = nil
		break
	}
	for _, o := range a.Overrides {
		if err := c.Set(o.Name, o.Value, SourceCmdline); err != nil {
			return nil, err
		}
	}
	return c, loadErr
}
