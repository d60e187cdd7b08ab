package commands

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/kelp-ceph/kelp/encoding"
)

// Args are a command's validated arguments by name, converted to the Go
// type of their descriptor: CephInt and CephOsdName give int64, CephFloat
// float64, CephBool bool, every other type string; n=N arguments give a
// slice of those. Absent optional arguments are absent.
type Args map[string]any

// Has reports whether the argument was given.
func (a Args) Has(name string) bool { _, ok := a[name]; return ok }

// Str returns a string argument, or def when absent.
func (a Args) Str(name, def string) string {
	if v, ok := a[name].(string); ok {
		return v
	}
	return def
}

// Int returns an integer argument, or def when absent.
func (a Args) Int(name string, def int64) int64 {
	if v, ok := a[name].(int64); ok {
		return v
	}
	return def
}

// Float returns a float argument, or def when absent.
func (a Args) Float(name string, def float64) float64 {
	if v, ok := a[name].(float64); ok {
		return v
	}
	return def
}

// Bool returns a boolean argument, false when absent.
func (a Args) Bool(name string) bool { v, _ := a[name].(bool); return v }

// Strs returns a list argument of strings (nil when absent).
func (a Args) Strs(name string) []string { v, _ := a[name].([]string); return v }

// Ints returns a list argument of integers (nil when absent).
func (a Args) Ints(name string) []int64 { v, _ := a[name].([]int64); return v }

// Match finds the command a cmdmap names and validates its arguments, as
// Monitor::handle_command and validate_cmd (src/common/cmdparse.cc) do,
// with the type rules the ceph CLI applies (src/pybind/ceph_argparse.py).
// When several signatures share the prefix, the one that validates and
// uses the most of the given keys wins (the first on a tie). Errors are *Error with Ceph's errno and message.
func Match(cm CmdMap) (*Command, Args, error) {
	p, ok := cm["prefix"]
	if !ok {
		return nil, nil, einval("command prefix not found")
	}
	prefix, ok := p.(string)
	if !ok {
		return nil, nil, einval("bad or missing field 'prefix'")
	}
	if prefix == "" {
		return nil, nil, einval("command prefix must not be empty")
	}
	cands := Lookup(prefix)
	if len(cands) == 0 {
		return nil, nil, einval("command not known")
	}
	var firstErr error
	var best *Command
	var bestArgs Args
	bestScore := -1
	for _, c := range cands {
		args, err := Validate(c, cm)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		// Among signatures that validate, prefer the one that names the
		// most of the given keys: the one the client built the command
		// from.
		if score := len(args); score > bestScore {
			best, bestArgs, bestScore = c, args, score
		}
	}
	if best == nil {
		return cands[0], nil, firstErr
	}
	if best.Has(FlagObsolete) {
		return best, nil, &Error{Code: syscall.ENOTSUP, Msg: "command is obsolete; please check usage and/or man page"}
	}
	return best, bestArgs, nil
}

// Validate checks cm against c's argument descriptors and converts the
// values. Keys that are not arguments (prefix, format, target...) are
// ignored, as the monitor ignores them.
func Validate(c *Command, cm CmdMap) (Args, error) {
	out := Args{}
	for _, a := range c.Args() {
		v, ok := cm[a.Name]
		if !ok {
			if a.Required && !a.Multi {
				return nil, einval("missing required parameter: '%s'", a.Name)
			}
			continue
		}
		var conv any
		var err error
		if a.Multi {
			conv, err = convertList(&a, v)
		} else {
			conv, err = convertOne(&a, v)
		}
		if err != nil {
			return nil, err
		}
		out[a.Name] = conv
	}
	return out, nil
}

func badField(a *Arg) error { return einval("bad or missing field '%s'", a.Name) }

func convertList(a *Arg, v any) (any, error) {
	var items []any
	switch x := v.(type) {
	case []string:
		for _, s := range x {
			items = append(items, s)
		}
	case []int64:
		for _, i := range x {
			items = append(items, i)
		}
	case []float64:
		for _, f := range x {
			items = append(items, f)
		}
	default:
		return nil, badField(a)
	}
	switch a.Type {
	case "CephInt", "CephOsdName":
		out := make([]int64, 0, len(items))
		for _, it := range items {
			c, err := convertOne(a, it)
			if err != nil {
				return nil, err
			}
			out = append(out, c.(int64))
		}
		return out, nil
	case "CephFloat":
		out := make([]float64, 0, len(items))
		for _, it := range items {
			c, err := convertOne(a, it)
			if err != nil {
				return nil, err
			}
			out = append(out, c.(float64))
		}
		return out, nil
	case "CephBool":
		return nil, badField(a)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		c, err := convertOne(a, it)
		if err != nil {
			return nil, err
		}
		out = append(out, c.(string))
	}
	return out, nil
}

func convertOne(a *Arg, v any) (any, error) {
	switch a.Type {
	case "CephInt":
		i, ok := v.(int64)
		if !ok {
			return nil, badField(a)
		}
		return i, inRange(a, float64(i), strconv.FormatInt(i, 10), true)
	case "CephFloat":
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		default:
			return nil, badField(a)
		}
		return f, inRange(a, f, strconv.FormatFloat(f, 'g', -1, 64), false)
	case "CephBool":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			// Pre-Nautilus clients send "--flag-name" for true.
			if x == "--"+strings.ReplaceAll(a.Name, "_", "-") {
				return true, nil
			}
		}
		return nil, badField(a)
	case "CephOsdName":
		switch x := v.(type) {
		case int64:
			if x < 0 {
				return nil, einval("osd id %d is less than 0", x)
			}
			return x, nil
		case string:
			return parseOsdName(x)
		}
		return nil, badField(a)
	}
	s, ok := v.(string)
	if !ok {
		return nil, badField(a)
	}
	return s, checkString(a, s)
}

// inRange is arg_in_range: "range=min" or "range=min|max", inclusive.
func inRange(a *Arg, v float64, text string, integer bool) error {
	r, ok := a.Keys["range"]
	if !ok {
		return nil
	}
	bounds := strings.Split(r, "|")
	parse := func(s string) (float64, bool) {
		if integer {
			i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			return float64(i), err == nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	min, ok1 := parse(bounds[0])
	if !ok1 {
		return nil
	}
	if v < min {
		return einval("'%s' out of range: %s", text, strings.Join(bounds, ","))
	}
	if len(bounds) > 1 {
		if max, ok := parse(bounds[len(bounds)-1]); ok && v > max {
			return einval("'%s' out of range: %s", text, strings.Join(bounds, ","))
		}
	}
	return nil
}

// parseOsdName accepts "N" or "osd.N" (CephOsdName).
func parseOsdName(s string) (any, error) {
	id := s
	if t, rest, ok := strings.Cut(s, "."); ok {
		if t != "osd" {
			return nil, einval("unknown type %s", t)
		}
		id = rest
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, einval("osd id %s not integer", id)
	}
	if n < 0 {
		return nil, einval("osd id %d is less than 0", n)
	}
	return n, nil
}

// goodcharsCache holds compiled goodchars classes.
var goodcharsCache sync.Map // string -> *regexp.Regexp

// checkString applies the string types' rules.
func checkString(a *Arg, s string) error {
	switch a.Type {
	case "CephChoices":
		for _, c := range strings.Split(a.Keys["strings"], "|") {
			if s == c {
				return nil
			}
		}
		return einval("'%s' not belong to '%s'", s, a.Keys["strings"])
	case "CephIPAddr", "CephEntityAddr":
		if _, rest, err := encoding.ParseAddr(s, encoding.AddrAny); err != nil || rest != "" {
			return einval("failed to parse addr '%s', should be ip:[port]", s)
		}
	case "CephUUID":
		if _, err := encoding.ParseUUID(s); err != nil {
			return einval("invalid UUID %s", s)
		}
	case "CephPgid":
		pool, seed, ok := strings.Cut(s, ".")
		if !ok {
			return einval("pgid has no .")
		}
		p, err := strconv.ParseInt(pool, 10, 64)
		if err != nil {
			return einval("pool %s not integer", pool)
		}
		if p < 0 {
			return einval("pool %s < 0", pool)
		}
		if _, err := strconv.ParseUint(seed, 16, 64); err != nil {
			return einval("pgnum %s not hex integer", seed)
		}
	case "CephName":
		return checkName(s)
	}
	if gc, ok := a.Keys["goodchars"]; ok && gc != "" {
		var re *regexp.Regexp
		if v, ok := goodcharsCache.Load(gc); ok {
			re = v.(*regexp.Regexp)
		} else {
			var err error
			if re, err = regexp.Compile("^" + gc + "$"); err != nil {
				return nil
			}
			goodcharsCache.Store(gc, re)
		}
		var bad []string
		for _, r := range s {
			c := string(r)
			// Python's string.printable: ASCII letters, digits,
			// punctuation and whitespace.
			if r > 0x7e || (r < 0x20 && !strings.ContainsRune(" \t\n\r\v\f", r)) || !re.MatchString(c) {
				bad = append(bad, c)
			}
		}
		if len(bad) > 0 {
			return einval("invalid chars %s in %s", strings.Join(bad, ""), s)
		}
	}
	return nil
}

// checkName is CephName: "*", "mgr", "mon", or TYPE.ID with TYPE one of
// osd, mon, client, mds, mgr, and an integer (or *) id for osd.
func checkName(s string) error {
	switch s {
	case "*", "mgr", "mon":
		return nil
	}
	t, id, ok := strings.Cut(s, ".")
	if !ok {
		return einval("CephName: no . in %s", s)
	}
	switch t {
	case "osd":
		if id != "*" {
			if _, err := strconv.ParseInt(id, 10, 64); err != nil {
				return einval("osd id %s not integer", id)
			}
		}
	case "mon", "client", "mds", "mgr":
	default:
		return einval("unknown type %s", t)
	}
	return nil
}
