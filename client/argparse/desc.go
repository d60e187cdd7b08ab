// Package argparse matches command-line words against the command
// descriptions a Ceph daemon returns for get_command_descriptions and
// builds the JSON command, with the rules of the ceph CLI
// (src/pybind/ceph_argparse.py: parse_json_funcsigs, validate,
// matchnum, validate_command and the CephXxx argument types), so that
// kelp accepts, rejects and sends exactly what `ceph` does.
package argparse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Command flags (src/mon/MonCommand.h, ceph_argparse.Flag).
const (
	FlagNoForward  = 1 << 0
	FlagObsolete   = 1 << 1
	FlagDeprecated = 1 << 2
	FlagMgr        = 1 << 3
	FlagPoll       = 1 << 4
	FlagHidden     = 1 << 5
)

// Desc is one element of a signature (ceph_argparse.argdesc): a literal
// word (Type "CephPrefix") or a typed, named argument.
type Desc struct {
	Type string
	Name string
	// N is how many values the argument takes; Many is n=N ("one or
	// more", N is then 1).
	N    int
	Many bool
	Req  bool
	// Params are the type's parameters (range, strings, goodchars).
	Params map[string]string

	t argType
}

// Command is one command description.
type Command struct {
	Tag    string // "cmd000"
	Sig    []Desc
	Help   string
	Module string
	Perm   string
	Flags  int
}

// Prefix is the command's literal words.
func (c *Command) Prefix() string {
	var w []string
	for _, d := range c.Sig {
		if d.Type == "CephPrefix" {
			w = append(w, d.Params["prefix"])
		}
	}
	return strings.Join(w, " ")
}

// ParseDescriptions reads a get_command_descriptions reply, keeping the
// commands in the order the daemon sent them (the order the ceph CLI
// tries them in). Commands whose "avail" excludes "cli" are dropped.
func ParseDescriptions(b []byte) ([]Command, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("argparse: command descriptions: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("argparse: command descriptions: not a JSON object")
	}
	var cmds []Command
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("argparse: command descriptions: %w", err)
		}
		tag, _ := tok.(string)
		var raw struct {
			Sig    []json.RawMessage `json:"sig"`
			Help   string            `json:"help"`
			Module string            `json:"module"`
			Perm   string            `json:"perm"`
			Avail  *string           `json:"avail"`
			Flags  json.Number       `json:"flags"`
		}
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("argparse: %s: %w", tag, err)
		}
		if raw.Sig == nil {
			return nil, fmt.Errorf("argparse: JSON descriptor %s has no 'sig'", tag)
		}
		if raw.Avail != nil && !strings.Contains(*raw.Avail, "cli") {
			continue
		}
		c := Command{Tag: tag, Help: raw.Help, Module: raw.Module, Perm: raw.Perm}
		if raw.Flags != "" {
			f, err := strconv.Atoi(raw.Flags.String())
			if err != nil {
				return nil, fmt.Errorf("argparse: %s: flags %q", tag, raw.Flags)
			}
			c.Flags = f
		}
		for _, r := range raw.Sig {
			d, err := parseDesc(r)
			if err != nil {
				return nil, fmt.Errorf("argparse: %s: %w", tag, err)
			}
			c.Sig = append(c.Sig, d)
		}
		cmds = append(cmds, c)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("argparse: command descriptions: %w", err)
	}
	return cmds, nil
}

// parseDesc is parse_funcsig for one element.
func parseDesc(r json.RawMessage) (Desc, error) {
	var word string
	if json.Unmarshal(r, &word) == nil {
		return Desc{Type: "CephPrefix", Name: "prefix", N: 1, Req: true,
			Params: map[string]string{"prefix": word}, t: prefixType{word}}, nil
	}
	var kv map[string]any
	if err := json.Unmarshal(r, &kv); err != nil {
		return Desc{}, fmt.Errorf("descriptor %s: %w", r, err)
	}
	str := func(v any) string {
		switch x := v.(type) {
		case string:
			return x
		case bool:
			if x {
				return "true"
			}
			return "false"
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return fmt.Sprint(v)
	}
	d := Desc{N: 1, Req: true, Params: map[string]string{}}
	typ, ok := kv["type"]
	if !ok {
		return Desc{}, fmt.Errorf("JSON descriptor %s has no type", r)
	}
	d.Type = str(typ)
	for k, v := range kv {
		switch k {
		case "type":
		case "name":
			d.Name = str(v)
		case "n":
			n := str(v)
			if n == "n" || n == "N" {
				d.Many = true
			} else if d.N, ok = atoiStrict(n); !ok || d.N < 0 {
				return Desc{}, fmt.Errorf("descriptor %s: n=%q", r, n)
			}
		case "req":
			s := str(v)
			d.Req = s == "true" || s == "True"
		default:
			d.Params[k] = str(v)
		}
	}
	t, err := newType(d.Type, d.Params)
	if err != nil {
		return Desc{}, err
	}
	d.t = t
	return d, nil
}

func atoiStrict(s string) (int, bool) {
	v, ok := pyIntBase10(s)
	if !ok || !v.IsInt64() || v.Int64() > 1<<20 {
		return 0, false
	}
	return int(v.Int64()), true
}

// String is argdesc.__str__: "name(<type>)", with "..." for n=N and
// brackets when optional; literal words and one-choice choices as is.
func (d *Desc) String() string {
	var s string
	if ch, ok := d.t.(*cephChoices); ok && len(ch.strings) == 1 || d.Type == "CephPrefix" {
		s = d.t.String()
	} else {
		s = d.Name + "(" + d.t.String() + ")"
		if d.Many {
			s += "..."
		}
	}
	if !d.Req {
		s = "[" + s + "]"
	}
	return s
}

// helpString is argdesc.helpstr: the form used in usage lines.
func (d *Desc) helpString() string {
	var s string
	switch d.Type {
	case "CephBool":
		s = "--" + strings.ReplaceAll(d.Name, "_", "-")
	case "CephPrefix":
		s = d.t.String()
	case "CephChoices":
		if d.Name == "format" {
			s = "--" + d.Name + " {" + d.t.String() + "}"
		} else {
			s = d.t.String()
		}
	case "CephOsdName":
		s = "<id|osd.id>"
	case "CephName":
		s = "<type.id>"
	case "CephInt":
		s = "<" + d.Name + ":int>"
	case "CephFloat":
		s = "<" + d.Name + ":float>"
	default:
		s = "<" + d.Name + ">"
	}
	if d.Many {
		s += "..."
	}
	if !d.Req {
		s = "[" + s + "]"
	}
	return s
}

// ConciseSig is concise_sig: the usage line of a signature.
func ConciseSig(sig []Desc) string {
	parts := make([]string, len(sig))
	for i := range sig {
		parts[i] = sig[i].helpString()
	}
	return strings.Join(parts, " ")
}
