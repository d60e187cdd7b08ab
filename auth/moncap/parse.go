package moncap

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Parse parses a mon cap string with the grammar of MonCap.cc:
//
//	moncap  := grant (*' ' (';'|',') *' ' grant)*
//	grant   := [spaces] (rwxa_match | profile_match | service_match | command_match) [spaces]
//	rwxa_match    := [spaces] "allow" spaces rwxa [spaces "network" spaces NET] [spaces "fsname" ('='|spaces) FS]
//	profile_match := [spaces] ["allow" spaces] "profile" ('='|spaces) str [spaces "network" spaces NET]
//	service_match := [spaces] "allow" spaces "service" ('='|spaces) str spaces rwxa [network]
//	command_match := [spaces] "allow" spaces "command" ('='|spaces) str
//	                 [spaces "with" spaces kv (spaces kv)*] [network]
//	kv   := str ('=' str | spaces "prefix" spaces str | spaces "regex" spaces str)
//	rwxa := '*' | "all" | [r][w][x] (at least one, in that order)
//	str  := '"' [^"]+ '"' | "'" [^']+ "'" | [a-zA-Z0-9_./-]+
//
// The whole string must parse. Like Boost.Spirit, alternatives and
// optional parts backtrack, repetitions are greedy.
func Parse(s string) (*MonCap, error) {
	p := &parser{s: s}
	m := &MonCap{Text: s}
	for {
		g, ok := p.grant()
		if !ok {
			break
		}
		m.Grants = append(m.Grants, g)
		save := p.i
		for p.lit(" ") {
		}
		if !p.lit(";") && !p.lit(",") {
			p.i = save
			break
		}
		for p.lit(" ") {
		}
		// A separator must be followed by a grant; if not, the list ended
		// before it.
		save2 := p.i
		if _, ok := (&parser{s: s, i: save2}).grant(); !ok {
			p.i = save
			break
		}
	}
	if len(m.Grants) == 0 || p.i != len(s) {
		return nil, fmt.Errorf("moncap: parse failed, stopped at %q of %q", s[min(p.i, len(s)):], s)
	}
	for i := range m.Grants {
		g := &m.Grants[i]
		if g.Network != "" {
			g.network, g.networkValid = parseNetwork(g.Network)
		}
	}
	return m, nil
}

// parseNetwork reads "ADDR/PREFIX" as Ceph's parse_network does.
func parseNetwork(s string) (netip.Prefix, bool) {
	addr, bits, ok := strings.Cut(s, "/")
	if !ok {
		return netip.Prefix{}, false
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	n, err := strconv.Atoi(bits)
	if err != nil || n < 0 || n > a.BitLen() {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, n), true
}

type parser struct {
	s string
	i int
}

func (p *parser) lit(l string) bool {
	if strings.HasPrefix(p.s[p.i:], l) {
		p.i += len(l)
		return true
	}
	return false
}

// spaces is +(' ' | '\n' | '\t').
func (p *parser) spaces() bool {
	n := 0
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
		n++
	}
	return n > 0
}

// try runs f and rewinds when it fails.
func (p *parser) try(f func() bool) bool {
	save := p.i
	if f() {
		return true
	}
	p.i = save
	return false
}

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '/' || c == '-'
}

func (p *parser) str() (string, bool) {
	if p.i < len(p.s) && (p.s[p.i] == '"' || p.s[p.i] == '\'') {
		q := p.s[p.i]
		end := strings.IndexByte(p.s[p.i+1:], q)
		if end > 0 {
			v := p.s[p.i+1 : p.i+1+end]
			p.i += end + 2
			return v, true
		}
		return "", false
	}
	start := p.i
	for p.i < len(p.s) && isWordChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i], p.i > start
}

func (p *parser) charsIn(ok func(byte) bool) (string, bool) {
	start := p.i
	for p.i < len(p.s) && ok(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i], p.i > start
}

func isNetChar(c byte) bool {
	return c == '/' || c == '.' || c == ':' || c == '[' || c == ']' || c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isFSChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

func (p *parser) rwxa() (Perm, bool) {
	if p.lit("*") || p.lit("all") {
		return PermAny, true
	}
	var v Perm
	if p.lit("r") {
		v |= PermR
	}
	if p.lit("w") {
		v |= PermW
	}
	if p.lit("x") {
		v |= PermX
	}
	return v, v != 0
}

// network is the optional [spaces "network" spaces NET].
func (p *parser) network() string {
	var n string
	p.try(func() bool {
		if !p.spaces() || !p.lit("network") || !p.spaces() {
			return false
		}
		var ok bool
		n, ok = p.charsIn(isNetChar)
		return ok
	})
	return n
}

// eqOrSpaces is ('=' | spaces).
func (p *parser) eqOrSpaces() bool { return p.lit("=") || p.spaces() }

func (p *parser) grant() (Grant, bool) {
	save := p.i
	p.spaces()
	for _, alt := range []func() (Grant, bool){p.rwxaMatch, p.profileMatch, p.serviceMatch, p.commandMatch} {
		start := p.i
		if g, ok := alt(); ok {
			p.spaces()
			return g, true
		}
		p.i = start
	}
	p.i = save
	return Grant{}, false
}

func (p *parser) rwxaMatch() (Grant, bool) {
	var g Grant
	p.spaces()
	if !p.lit("allow") || !p.spaces() {
		return g, false
	}
	var ok bool
	if g.Allow, ok = p.rwxa(); !ok {
		return g, false
	}
	g.Network = p.network()
	p.try(func() bool {
		if !p.spaces() || !p.lit("fsname") || !p.eqOrSpaces() {
			return false
		}
		g.FSName, ok = p.charsIn(isFSChar)
		return ok
	})
	return g, true
}

func (p *parser) profileMatch() (Grant, bool) {
	var g Grant
	p.spaces()
	p.try(func() bool { return p.lit("allow") && p.spaces() })
	if !p.lit("profile") || !p.eqOrSpaces() {
		return g, false
	}
	var ok bool
	if g.Profile, ok = p.str(); !ok {
		return g, false
	}
	g.Network = p.network()
	return g, true
}

func (p *parser) serviceMatch() (Grant, bool) {
	var g Grant
	p.spaces()
	if !p.lit("allow") || !p.spaces() || !p.lit("service") || !p.eqOrSpaces() {
		return g, false
	}
	var ok bool
	if g.Service, ok = p.str(); !ok || !p.spaces() {
		return g, false
	}
	if g.Allow, ok = p.rwxa(); !ok {
		return g, false
	}
	g.Network = p.network()
	return g, true
}

func (p *parser) kv() (string, Constraint, bool) {
	k, ok := p.str()
	if !ok {
		return "", Constraint{}, false
	}
	var c Constraint
	switch {
	case p.try(func() bool {
		if !p.lit("=") {
			return false
		}
		c.Value, ok = p.str()
		return ok
	}):
		c.Match = MatchEqual
	case p.try(func() bool {
		if !p.spaces() || !p.lit("prefix") || !p.spaces() {
			return false
		}
		c.Value, ok = p.str()
		return ok
	}):
		c.Match = MatchPrefix
	case p.try(func() bool {
		if !p.spaces() || !p.lit("regex") || !p.spaces() {
			return false
		}
		c.Value, ok = p.str()
		return ok
	}):
		c.Match = MatchRegex
	default:
		return "", Constraint{}, false
	}
	return k, c, true
}

func (p *parser) commandMatch() (Grant, bool) {
	var g Grant
	p.spaces()
	if !p.lit("allow") || !p.spaces() || !p.lit("command") || !p.eqOrSpaces() {
		return g, false
	}
	var ok bool
	if g.Command, ok = p.str(); !ok {
		return g, false
	}
	p.try(func() bool {
		if !p.spaces() || !p.lit("with") || !p.spaces() {
			return false
		}
		args := map[string]Constraint{}
		k, c, ok := p.kv()
		if !ok {
			return false
		}
		// std::map insertion keeps the first value of a repeated key.
		args[k] = c
		for p.try(func() bool {
			if !p.spaces() {
				return false
			}
			k, c, ok := p.kv()
			if ok {
				if _, dup := args[k]; !dup {
					args[k] = c
				}
			}
			return ok
		}) {
		}
		g.CommandArgs = args
		return true
	})
	g.Network = p.network()
	return g, true
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
