// Package moncap parses monitor capability strings ("allow r", "allow
// profile osd", "allow command \"osd tree\"", ...) and answers whether an
// entity may run a command, as Ceph's MonCap does (src/mon/MonCap.cc,
// Pacific).
package moncap

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

// Perm is a set of monitor permissions (mon_rwxa_t).
type Perm uint8

const (
	PermR   Perm = 1 << 1
	PermW   Perm = 1 << 2
	PermX   Perm = 1 << 3
	PermAll      = PermR | PermW | PermX
	// PermAny is "*": everything, including what rwx does not reach
	// (config-key and other services that demand it).
	PermAny Perm = 0xff
)

func (p Perm) String() string {
	if p == PermAny {
		return "*"
	}
	var b strings.Builder
	if p&PermR != 0 {
		b.WriteByte('r')
	}
	if p&PermW != 0 {
		b.WriteByte('w')
	}
	if p&PermX != 0 {
		b.WriteByte('x')
	}
	return b.String()
}

// MatchType says how a command argument constraint compares.
type MatchType int

const (
	MatchEqual MatchType = iota + 1
	MatchPrefix
	MatchRegex
)

func (m MatchType) String() string {
	switch m {
	case MatchEqual:
		return "="
	case MatchPrefix:
		return "prefix"
	case MatchRegex:
		return "regex"
	}
	return "?"
}

// Constraint is a StringConstraint on one command argument.
type Constraint struct {
	Match MatchType
	Value string
}

// matches applies the constraint as MonCapGrant::get_allowed does; a
// regex is POSIX extended and must match the whole value.
func (c Constraint) matches(v string) bool {
	switch c.Match {
	case MatchEqual:
		return v == c.Value
	case MatchPrefix:
		return strings.HasPrefix(v, c.Value)
	case MatchRegex:
		re, err := regexp.CompilePOSIX("^(" + c.Value + ")$")
		if err != nil {
			return false
		}
		return re.MatchString(v)
	}
	return false
}

// Grant is one "allow ..." clause (MonCapGrant). Exactly one of Service,
// Profile or Command is set, or none for a plain "allow rwx".
type Grant struct {
	Service     string
	Profile     string
	Command     string
	CommandArgs map[string]Constraint
	Allow       Perm
	// Network restricts the grant to peers in this CIDR; a grant with an
	// unparseable network never applies.
	Network string
	// FSName restricts a plain grant to one file system ("fsname=a").
	FSName string

	network      netip.Prefix
	networkValid bool
}

// IsAllowAll reports whether the grant is "allow *" (or "allow all").
func (g *Grant) IsAllowAll() bool {
	return g.Allow == PermAny && g.Service == "" && g.Profile == "" && g.Command == ""
}

// MonCap is a parsed monitor capability: a list of grants, any of which
// may allow an operation.
type MonCap struct {
	Text   string
	Grants []Grant
}

// AllowAll is the capability of "allow *", which auth none sessions get.
func AllowAll() *MonCap {
	return &MonCap{Text: "allow *", Grants: []Grant{{Allow: PermAny}}}
}

// IsAllowAll reports whether any grant is "allow *".
func (m *MonCap) IsAllowAll() bool {
	for i := range m.Grants {
		if m.Grants[i].IsAllowAll() {
			return true
		}
	}
	return false
}

// Request is what IsCapable is asked about.
type Request struct {
	// Entity is who asks; profiles such as osd grant keys under
	// daemon-private/<entity>/.
	Entity  encoding.EntityName
	Service string
	Command string
	Args    map[string]string
	Read    bool
	Write   bool
	Exec    bool
	// Addr is the peer's address, for grants with a network.
	Addr netip.Addr
}

// IsCapable answers whether the capability allows the request
// (MonCap::is_capable): grants are tried in order, their permissions
// accumulate, and the first point where everything asked for is allowed
// wins; "allow *" allows everything at once.
func (m *MonCap) IsCapable(r Request) bool {
	var allow Perm
	for i := range m.Grants {
		g := &m.Grants[i]
		if g.Network != "" && (!g.networkValid || !r.Addr.IsValid() || !g.network.Contains(r.Addr.Unmap())) {
			continue
		}
		if g.IsAllowAll() {
			return true
		}
		allow |= g.allowed(r)
		if (!r.Read || allow&PermR != 0) && (!r.Write || allow&PermW != 0) && (!r.Exec || allow&PermX != 0) {
			return true
		}
	}
	return false
}

// allowed is MonCapGrant::get_allowed.
func (g *Grant) allowed(r Request) Perm {
	if g.Profile != "" {
		var a Perm
		for _, pg := range expandProfile(g.Profile, r.Entity) {
			a |= pg.allowed(r)
		}
		return a
	}
	if g.Service != "" {
		if g.Service != r.Service {
			return 0
		}
		return g.Allow
	}
	if g.Command != "" {
		if g.Command != r.Command {
			return 0
		}
		for k, c := range g.CommandArgs {
			v, ok := r.Args[k]
			if !ok || !c.matches(v) {
				return 0
			}
		}
		return PermAll
	}
	// Blanket rwx does not reach config-key; only "allow *" does.
	if r.Service == "config-key" {
		return 0
	}
	return g.Allow
}

// FSNameCapable reports whether the capability lets the holder see file
// system fsName with at least want: grants without an fsname apply to
// every file system.
func (m *MonCap) FSNameCapable(fsName string, want Perm) bool {
	for i := range m.Grants {
		g := &m.Grants[i]
		if g.IsAllowAll() {
			return true
		}
		if g.Service != "" || g.Profile != "" || g.Command != "" {
			continue
		}
		if (g.FSName == "" || g.FSName == fsName) && g.Allow&want == want {
			return true
		}
	}
	return false
}

func (g Grant) String() string {
	var b strings.Builder
	b.WriteString("allow")
	if g.Service != "" {
		b.WriteString(" service " + maybeQuote(g.Service))
	}
	if g.Command != "" {
		b.WriteString(" command " + maybeQuote(g.Command))
		if len(g.CommandArgs) > 0 {
			b.WriteString(" with")
			for _, k := range sortedKeys(g.CommandArgs) {
				c := g.CommandArgs[k]
				if c.Match == MatchEqual {
					fmt.Fprintf(&b, " %s=%s", maybeQuote(k), maybeQuote(c.Value))
				} else {
					fmt.Fprintf(&b, " %s %s %s", maybeQuote(k), c.Match, maybeQuote(c.Value))
				}
			}
		}
	}
	if g.Profile != "" {
		b.WriteString(" profile " + maybeQuote(g.Profile))
	}
	if g.Allow != 0 {
		b.WriteString(" " + g.Allow.String())
	}
	if g.Network != "" {
		b.WriteString(" network " + g.Network)
	}
	return b.String()
}

// String renders the grants as Ceph prints a MonCap.
func (m *MonCap) String() string {
	parts := make([]string, len(m.Grants))
	for i, g := range m.Grants {
		parts[i] = g.String()
	}
	return strings.Join(parts, ", ")
}

func maybeQuote(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return `"` + s + `"`
		}
	}
	return s
}
