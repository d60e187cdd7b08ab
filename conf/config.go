package conf

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// Source is where a value came from; a higher Source wins. The order is
// Ceph's conf levels (src/common/config_values.h): CONF_DEFAULT, CONF_MON,
// CONF_FILE, CONF_ENV, CONF_CMDLINE, CONF_OVERRIDE.
type Source int

const (
	SourceDefault Source = iota
	SourceMon
	SourceFile
	SourceEnv
	SourceCmdline
	SourceOverride
)

func (s Source) String() string {
	switch s {
	case SourceDefault:
		return "default"
	case SourceMon:
		return "mon"
	case SourceFile:
		return "file"
	case SourceEnv:
		return "env"
	case SourceCmdline:
		return "cmdline"
	case SourceOverride:
		return "override"
	}
	return "unknown"
}

// Config is one entity's view of the configuration: its name (which picks
// the file sections), its cluster name, the parsed file and the values set
// at higher levels. Lookups may run concurrently with each other; Set,
// Unset and changes to the fields must not run concurrently with anything.
type Config struct {
	// Name is the entity, e.g. mon.a; it decides the sections searched
	// and the values of $name, $type and $id.
	Name encoding.EntityName
	// Cluster is $cluster ("ceph" unless the conf file name or --cluster
	// says otherwise).
	Cluster string
	// Daemon selects daemon defaults (Option.DaemonDefault).
	Daemon bool
	// DataDirOption names the option $data_dir expands to (mon_data for
	// a monitor), as a daemon's data_dir_option.
	DataDirOption string
	// Hostname is used for $host when the host option is empty; empty
	// means the machine's short host name.
	Hostname string
	// File is the parsed configuration file; nil means none.
	File *File

	set map[Source]map[string]Value
}

// maxExpansions is the most option references one lookup expands: a
// file can make references fan out exponentially (a = $b$b, b = $c$c...).
const maxExpansions = 1000

// New returns a Config for the named entity in the given cluster, with no
// file and nothing set.
func New(name encoding.EntityName, cluster string) *Config {
	if cluster == "" {
		cluster = "ceph"
	}
	return &Config{Name: name, Cluster: cluster, set: map[Source]map[string]Value{}}
}

// Sections returns the sections searched for this entity, most specific
// first (md_config_t::get_my_sections): "mon.a", "mon", "global".
func (c *Config) Sections() []string {
	return []string{c.Name.String(), c.Name.Type.String(), "global"}
}

// fileValue returns the raw file value of key for this entity: the first
// section in Sections that has it.
func (c *Config) fileValue(key string) (string, bool) {
	if c.File == nil {
		return "", false
	}
	for _, s := range c.Sections() {
		if v, ok := c.File.Get(s, key); ok {
			return v, true
		}
	}
	return "", false
}

// LookupFile returns the file value of any key (known option or not) for
// this entity, with metavariables expanded, as `ceph-conf --lookup` does.
func (c *Config) LookupFile(key string) (string, bool) {
	v, ok := c.fileValue(key)
	if !ok {
		return "", false
	}
	return c.expandTop(v), true
}

// Set sets an option at a level, after parsing and validating the value
// for the option's type. Unknown options and bad values are errors, and
// leave the configuration unchanged.
func (c *Config) Set(name, value string, src Source) error {
	o, ok := Lookup(name)
	if !ok {
		return fmt.Errorf("conf: unrecognized config option '%s'", name)
	}
	v, err := o.Parse(value)
	if err != nil {
		return fmt.Errorf("conf: parse error setting '%s' to '%s' (%v)", o.Name, value, err)
	}
	if c.set[src] == nil {
		c.set[src] = map[string]Value{}
	}
	c.set[src][o.Name] = v
	return nil
}

// Unset removes an option's value at a level.
func (c *Config) Unset(name string, src Source) {
	delete(c.set[src], NormalizeName(name))
}

// Source returns the level the effective value of an option comes from.
func (c *Config) Source(name string) Source {
	o, ok := Lookup(name)
	if !ok {
		return SourceDefault
	}
	_, src := c.rawValue(o)
	return src
}

// rawValue is the effective value of o before metavariable expansion:
// the highest level that has a valid value. A file value that does not
// parse is ignored (Ceph warns and keeps the lower level; it does not try
// a less specific section).
func (c *Config) rawValue(o *Option) (Value, Source) {
	for _, src := range []Source{SourceOverride, SourceCmdline, SourceEnv} {
		if v, ok := c.set[src][o.Name]; ok {
			return v, src
		}
	}
	if s, ok := c.fileValue(o.Name); ok {
		if v, err := o.Parse(s); err == nil {
			return v, SourceFile
		}
	}
	if v, ok := c.set[SourceMon][o.Name]; ok {
		return v, SourceMon
	}
	return defaultValue(o, c.Daemon), SourceDefault
}

// defaultValue parses an option's default. The schema's defaults are
// valid by construction (a test checks every one), except the spellings
// of an empty address ("-") and address vector ("").
func defaultValue(o *Option, daemon bool) Value {
	s := o.DefaultFor(daemon)
	switch {
	case o.Type == TypeAddr && s == "-":
		return Value{Type: TypeAddr, v: encoding.EntityAddr{}}
	case o.Type == TypeAddrVec && s == "":
		return Value{Type: TypeAddrVec, v: encoding.EntityAddrVec(nil)}
	}
	v, err := ParseValue(o.Type, s)
	if err != nil {
		return Value{Type: o.Type}
	}
	return v
}

// FileErrors lists the file values for this entity that do not parse for
// their option (Ceph prints these as warnings at startup).
func (c *Config) FileErrors() []error {
	var errs []error
	for i := range options {
		o := &options[i]
		if s, ok := c.fileValue(o.Name); ok {
			if _, err := o.Parse(s); err != nil {
				errs = append(errs, fmt.Errorf("conf: parse error setting '%s' to '%s' (%v)", o.Name, s, err))
			}
		}
	}
	return errs
}

// Get returns the effective value of an option, with metavariables
// expanded in string values.
func (c *Config) Get(name string) (Value, error) {
	o, ok := Lookup(name)
	if !ok {
		return Value{}, fmt.Errorf("conf: unrecognized config option '%s'", name)
	}
	budget := maxExpansions
	return c.get(o, nil, &budget), nil
}

func (c *Config) get(o *Option, stack []*Option, budget *int) Value {
	v, _ := c.rawValue(o)
	if s, ok := v.v.(string); ok {
		v.v = c.expand(s, o, stack, budget)
	}
	return v
}

// String returns an option's effective value as Ceph prints it
// (`ceph-conf --show-config-value`, `ceph config get`).
func (c *Config) String(name string) (string, error) {
	v, err := c.Get(name)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

// must returns an option's value, and panics when the name is not in the
// table or has another type: that is a bug in the calling code, which the
// typed getters' callers must not have.
func (c *Config) must(name string, types ...Type) Value {
	v, err := c.Get(name)
	if err != nil {
		panic(err)
	}
	for _, t := range types {
		if v.Type == t {
			return v
		}
	}
	panic(fmt.Sprintf("conf: option %s is %s, not %v", name, v.Type, types))
}

// The typed getters return an option's effective value; they panic on an
// unknown option name or a type mismatch (programming errors).
func (c *Config) Str(name string) string    { return c.must(name, TypeStr).v.(string) }
func (c *Config) Int(name string) int64     { return c.must(name, TypeInt).v.(int64) }
func (c *Config) Uint(name string) uint64   { return c.must(name, TypeUint, TypeSize).v.(uint64) }
func (c *Config) Float(name string) float64 { return c.must(name, TypeFloat).v.(float64) }
func (c *Config) Bool(name string) bool     { return c.must(name, TypeBool).v.(bool) }
func (c *Config) Duration(name string) time.Duration {
	return c.must(name, TypeSecs, TypeMillisecs).v.(time.Duration)
}
func (c *Config) Addr(name string) encoding.EntityAddr {
	return c.must(name, TypeAddr).v.(encoding.EntityAddr)
}
func (c *Config) AddrVec(name string) encoding.EntityAddrVec {
	return c.must(name, TypeAddrVec).v.(encoding.EntityAddrVec)
}
func (c *Config) UUID(name string) encoding.UUID { return c.must(name, TypeUUID).v.(encoding.UUID) }

// ClusterFromConfPath derives the cluster name from a configuration file
// path as md_config_t::parse_config_files does when --cluster is not
// given: "/etc/ceph/foo.conf" is cluster "foo"; a name without ".conf"
// gives "ceph".
func ClusterFromConfPath(path string) string {
	base := path[strings.LastIndexByte(path, '/')+1:]
	i := strings.Index(base, ".conf")
	if i < 0 {
		return "ceph"
	}
	return base[:i]
}

// shortHostname is ceph_get_short_hostname: the host name up to the first dot.
func (c *Config) shortHostname() string {
	h := c.Hostname
	if h == "" {
		h, _ = os.Hostname()
	}
	if i := strings.IndexByte(h, '.'); i >= 0 {
		h = h[:i]
	}
	return h
}
