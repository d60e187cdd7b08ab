package commands

import (
	"fmt"
	"strings"
)

// Flag is a MonCommand flag (src/mon/MonCommand.h, FLAG_*).
type Flag uint64

const (
	FlagNone       Flag = 0
	FlagNoForward  Flag = 1 << 0 // handled by the mon that received it
	FlagObsolete   Flag = 1 << 1 // refused with ENOTSUP
	FlagDeprecated Flag = 1 << 2
	FlagMgr        Flag = 1 << 3 // implemented by the mgr
	FlagPoll       Flag = 1 << 4
	FlagHidden     Flag = 1 << 5 // not shown in help
	FlagTell       Flag = 1 << 6
)

var flagNames = []struct {
	f    Flag
	name string
}{
	{FlagNoForward, "noforward"}, {FlagObsolete, "obsolete"}, {FlagDeprecated, "deprecated"},
	{FlagMgr, "mgr"}, {FlagPoll, "poll"}, {FlagHidden, "hidden"}, {FlagTell, "tell"},
}

func (f Flag) String() string {
	if f == 0 {
		return "none"
	}
	var parts []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			parts = append(parts, n.name)
			f &^= n.f
		}
	}
	if f != 0 {
		parts = append(parts, fmt.Sprintf("0x%x", uint64(f)))
	}
	return strings.Join(parts, "|")
}

// Command is one COMMAND() entry: the signature string exactly as in
// MonCommands.h ("osd pool create name=pool,type=CephPoolname ..."), its
// help text, the module (service) whose caps govern it, the permissions
// it needs ("r", "rw", "rwx"...) and its flags.
type Command struct {
	Sig    string
	Help   string
	Module string
	Perm   string
	Flags  Flag
}

// Has reports whether c carries all of the given flags.
func (c *Command) Has(f Flag) bool { return c.Flags&f == f }

// Prefix returns the literal words of the signature joined by spaces
// (cmddesc_get_prefix): what a client puts in "prefix".
func (c *Command) Prefix() string {
	var words []string
	for _, w := range strings.Split(c.Sig, " ") {
		if strings.ContainsAny(w, ",=") {
			break
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// Arg is one argument descriptor of a signature ("name=pool,type=CephPoolname,req=false").
type Arg struct {
	Name string
	Type string
	// Multi is n=N: the argument is a list of one or more values.
	Multi bool
	// Required is false when req is given and is not "true" ("false",
	// "False" and Ceph's own "fasle" all make an argument optional, as the
	// ceph CLI reads them).
	Required bool
	// Keys holds every key=value of the descriptor, name and type
	// included, for the type-specific ones (range, strings, goodchars).
	Keys map[string]string
}

// Args parses the argument descriptors of c's signature in order.
func (c *Command) Args() []Arg {
	var args []Arg
	for _, w := range strings.Split(c.Sig, " ") {
		if !strings.ContainsAny(w, ",=") {
			continue
		}
		a := Arg{Keys: descKeys(w), Required: true}
		a.Name, a.Type = a.Keys["name"], a.Keys["type"]
		a.Multi = a.Keys["n"] == "N" || a.Keys["n"] == "n"
		if req, ok := a.Keys["req"]; ok {
			a.Required = req == "true" || req == "True"
		}
		args = append(args, a)
	}
	return args
}

// descKeys splits "k=v,k=v" as cmddesc_get_args does: a later key
// replaces an earlier one, and a part without '=' is ignored.
func descKeys(word string) map[string]string {
	kv := map[string]string{}
	for _, part := range strings.Split(word, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		kv[k] = v
	}
	return kv
}

// Caps is what a command requires of the caller's mon caps (MonCap's
// is_capable): the service (module) and the read, write and execute
// permissions of its perm string.
type Caps struct {
	Service              string
	Read, Write, Execute bool
}

// RequiredCaps returns the caps c requires.
func (c *Command) RequiredCaps() Caps {
	return Caps{
		Service: c.Module,
		Read:    strings.Contains(c.Perm, "r"),
		Write:   strings.Contains(c.Perm, "w"),
		Execute: strings.Contains(c.Perm, "x"),
	}
}

// Table returns the monitor's command table in the order a Pacific mon
// lists it. The slice is a copy.
func Table() []Command { return append([]Command(nil), table...) }

// byPrefix indexes the table; several commands may share a prefix
// ("osd crush set" has two signatures).
var byPrefix = func() map[string][]*Command {
	m := map[string][]*Command{}
	for i := range table {
		p := table[i].Prefix()
		m[p] = append(m[p], &table[i])
	}
	return m
}()

// Lookup returns the commands whose prefix is p, in table order.
func Lookup(p string) []*Command { return byPrefix[p] }
