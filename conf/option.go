package conf

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Level is an option's Option::level_t: how much a user should care.
type Level int

const (
	LevelBasic Level = iota
	LevelAdvanced
	LevelDev
)

func (l Level) String() string {
	switch l {
	case LevelBasic:
		return "basic"
	case LevelAdvanced:
		return "advanced"
	case LevelDev:
		return "dev"
	}
	return "unknown"
}

// Option describes one configuration option as Ceph's schema does
// (src/common/options.h, Option). Defaults are kept as the strings Ceph's
// schema reports and parsed with the option's type, so the table reads
// like Ceph's and a bad default is caught by tests, not at run time.
type Option struct {
	Name  string
	Type  Type
	Level Level
	Desc  string
	// Default is the default for every program; DaemonDefault, when
	// HasDaemonDefault, replaces it in daemons (kelp-mon is one).
	Default          string
	DaemonDefault    string
	HasDaemonDefault bool
	// Min and Max bound numeric values when not empty; Enum lists the
	// allowed values of a str option when not empty.
	Min, Max string
	Enum     []string
	// Runtime reports whether the option may change while running
	// (FLAG_RUNTIME); Flags are Ceph's flag names (runtime, startup,
	// no_mon_update, cluster_create, create).
	Runtime bool
	Flags   []string
	// Subsys marks a logging subsystem's debug_<subsys> option, whose
	// value is "N" or "N/M" levels (Ceph validates and normalizes it).
	Subsys bool
}

// HasFlag reports whether o carries the named Ceph flag.
func (o *Option) HasFlag(f string) bool { return slices.Contains(o.Flags, f) }

// DefaultFor returns the default that applies to a daemon or not.
func (o *Option) DefaultFor(daemon bool) string {
	if daemon && o.HasDaemonDefault {
		return o.DaemonDefault
	}
	return o.Default
}

// Parse parses s for this option and validates it against the option's
// minimum, maximum and allowed values, with Ceph's messages
// (Option::parse_value and Option::validate).
func (o *Option) Parse(s string) (Value, error) {
	if o.Subsys {
		var err error
		if s, err = normalizeDebugLevel(s); err != nil {
			return Value{}, err
		}
	}
	v, err := ParseValue(o.Type, s)
	if err != nil {
		return Value{}, err
	}
	if o.Min != "" {
		if min, err := ParseValue(o.Type, o.Min); err == nil && v.less(min) {
			return Value{}, fmt.Errorf("Value '%s' is below minimum %s", v, min)
		}
	}
	if o.Max != "" {
		if max, err := ParseValue(o.Type, o.Max); err == nil && max.less(v) {
			return Value{}, fmt.Errorf("Value '%s' exceeds maximum %s", v, max)
		}
	}
	if len(o.Enum) > 0 && o.Type == TypeStr && !slices.Contains(o.Enum, s) {
		return Value{}, fmt.Errorf("'%s' is not one of the permitted values: %s", s, strings.Join(o.Enum, ", "))
	}
	return v, nil
}

var optionIndex = func() map[string]*Option {
	m := make(map[string]*Option, len(options))
	for i := range options {
		m[options[i].Name] = &options[i]
	}
	return m
}()

// Lookup returns the option with the given name. Spaces and dashes in name
// are treated as underscores, so "mon data", "mon-data" and "mon_data"
// all find mon_data.
func Lookup(name string) (*Option, bool) {
	o, ok := optionIndex[NormalizeName(name)]
	return o, ok
}

// Options returns kelp's option table, in Ceph's schema order.
func Options() []Option { return slices.Clone(options) }

// NormalizeName maps an option name to its canonical underscore form.
func NormalizeName(name string) string {
	name = strings.TrimSpace(name)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return '_'
		}
		return r
	}, name)
}

// normalizeDebugLevel is the validator of debug_<subsys> options
// (src/common/options.cc, subsystem options): sscanf("%d/%d") must read
// at least one level, each level is within 0..99, and a single level N
// becomes "N/N". Anything after the second number is kept as written.
func normalizeDebugLevel(s string) (string, error) {
	scanInt := func(s string) (int64, string, bool) {
		t := strings.TrimLeftFunc(s, isCSpace)
		n := 0
		if n < len(t) && (t[n] == '+' || t[n] == '-') {
			n++
		}
		d := n
		for n < len(t) && t[n] >= '0' && t[n] <= '9' {
			n++
		}
		if n == d {
			return 0, s, false
		}
		v, err := strconv.ParseInt(t[:n], 10, 32)
		if err != nil {
			v = math.MaxInt32
		}
		return v, t[n:], true
	}
	m, rest, ok := scanInt(s)
	if !ok {
		return "", errors.New("value must take the form N or N/M, where N and M are integers")
	}
	if m < 0 || m > 99 {
		return "", errors.New("value must be in range [0, 99]")
	}
	if r, ok := strings.CutPrefix(rest, "/"); ok {
		if n, _, ok := scanInt(r); ok {
			if n < 0 || n > 99 {
				return "", errors.New("value must be in range [0, 99]")
			}
			return s, nil
		}
	}
	return fmt.Sprintf("%d/%d", m, m), nil
}
