package conf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

// Monitor ports (src/include/msgr.h): CEPH_MON_PORT_IANA for msgr2 and
// CEPH_MON_PORT_LEGACY for msgr1.
const (
	MonPortMsgr2  = 3300
	MonPortLegacy = 6789
)

// InitialMon is one monitor of the initial monmap a client or a new
// monitor builds from its configuration, before it has the real map.
type InitialMon struct {
	Name  string // "noname-a", "noname-a-legacy", or the name of a [mon.X] section
	Addrs encoding.EntityAddrVec
}

// Resolver maps a host name to IP addresses; nil means net.DefaultResolver.
type Resolver func(host string) ([]netip.Addr, error)

func defaultResolver(host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
}

// ParseAddrList parses a mon_host-style list as parse_ip_port_vec does
// (src/common/ceph_argparse.cc): items separated by spaces or semicolons,
// each holding addresses ("1.2.3.4", "v2:1.2.3.4:3300", "[::1]:6789") or
// bracketed address vectors ("[v2:1.2.3.4:3300,v1:1.2.3.4:6789]")
// separated by commas. defaultType is the type of an address without a
// v1:/v2:/any: prefix inside a plain item; inside brackets it is msgr2.
func ParseAddrList(s string, defaultType encoding.AddrType) ([]encoding.EntityAddrVec, error) {
	var out []encoding.EntityAddrVec
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ';' }) {
		for item != "" {
			if a, rest, err := encoding.ParseAddr(item, defaultType); err == nil {
				out = append(out, encoding.EntityAddrVec{a})
				item = strings.TrimPrefix(rest, ",")
				continue
			}
			av, rest, err := parseAddrVecPrefix(item)
			if err != nil {
				return nil, err
			}
			out = append(out, av)
			item = strings.TrimPrefix(rest, ",")
		}
	}
	return out, nil
}

// parseAddrVecPrefix parses "[addr,addr,...]" at the start of s, as
// entity_addrvec_t::parse does, and returns the rest.
func parseAddrVecPrefix(s string) (encoding.EntityAddrVec, string, error) {
	rest, ok := strings.CutPrefix(s, "[")
	if !ok {
		return nil, s, fmt.Errorf("conf: unable to parse address %q", s)
	}
	var v encoding.EntityAddrVec
	for {
		a, r, err := encoding.ParseAddr(rest, encoding.AddrMsgr2)
		if err != nil {
			return nil, s, fmt.Errorf("conf: unable to parse address vector %q", s)
		}
		v = append(v, a)
		rest = r
		if !strings.HasPrefix(rest, ",") {
			break
		}
		rest = rest[1:]
	}
	rest, ok = strings.CutPrefix(rest, "]")
	if !ok {
		return nil, s, fmt.Errorf("conf: unable to parse address vector %q", s)
	}
	return v, rest, nil
}

// initialMap accumulates monitors as MonMap::add does, refusing
// duplicate addresses (MonMap::contains).
type initialMap struct{ mons []InitialMon }

func (m *initialMap) contains(av encoding.EntityAddrVec) bool {
	for _, mon := range m.mons {
		for _, a := range mon.Addrs {
			for _, b := range av {
				if a == b {
					return true
				}
			}
		}
	}
	return false
}

func (m *initialMap) add(name string, av encoding.EntityAddrVec) {
	if !m.contains(av) {
		m.mons = append(m.mons, InitialMon{Name: name, Addrs: av})
	}
}

func withPort(a encoding.EntityAddr, t encoding.AddrType, port uint16) encoding.EntityAddr {
	a.Type = t
	a.Addr = netip.AddrPortFrom(a.Addr.Addr(), port)
	return a
}

// addAmbiguous is MonMap::_add_ambiguous_addr: an address without an
// explicit v1:/v2: type is given one from its port (6789 is msgr1, 3300
// msgr2, no port means both default ports, another port is tried as both
// types), and an explicit type without a port gets that type's default.
func (m *initialMap) addAmbiguous(name string, a encoding.EntityAddr, forMkfs bool) {
	port := a.Addr.Port()
	if a.Type != encoding.AddrAny {
		if port == 0 {
			switch a.Type {
			case encoding.AddrLegacy:
				a = withPort(a, a.Type, MonPortLegacy)
			case encoding.AddrMsgr2:
				a = withPort(a, a.Type, MonPortMsgr2)
			default:
				return
			}
		}
		m.add(name, encoding.EntityAddrVec{a})
		return
	}
	switch port {
	case MonPortLegacy:
		a.Type = encoding.AddrLegacy
		if forMkfs {
			m.add(name, encoding.EntityAddrVec{a})
		} else {
			m.add(name+"-legacy", encoding.EntityAddrVec{a})
		}
	case MonPortMsgr2:
		a.Type = encoding.AddrMsgr2
		m.add(name, encoding.EntityAddrVec{a})
	case 0:
		v2 := withPort(a, encoding.AddrMsgr2, MonPortMsgr2)
		v1 := withPort(a, encoding.AddrLegacy, MonPortLegacy)
		if forMkfs {
			m.add(name, encoding.EntityAddrVec{v2, v1})
		} else {
			m.add(name, encoding.EntityAddrVec{v2})
			m.add(name+"-legacy", encoding.EntityAddrVec{v1})
		}
	default:
		a.Type = encoding.AddrMsgr2
		m.add(name, encoding.EntityAddrVec{a})
		if !forMkfs {
			a.Type = encoding.AddrLegacy
			m.add(name+"-legacy", encoding.EntityAddrVec{a})
		}
	}
}

// monName is MonMap's initial name for the i-th monitor: prefix + 'a' + i.
func monName(prefix string, i int) string { return prefix + string(rune('a'+i)) }

// InitialMonsFromIPs is MonMap::init_with_ips: mon_host given as
// addresses. forMkfs is true when a new monitor builds its first monmap
// (ceph-mon --mkfs), false for clients.
func InitialMonsFromIPs(monHost string, forMkfs bool) ([]InitialMon, error) {
	vecs, err := ParseAddrList(monHost, encoding.AddrAny)
	if err != nil {
		return nil, err
	}
	return initialFromVecs(vecs, forMkfs)
}

func initialFromVecs(vecs []encoding.EntityAddrVec, forMkfs bool) ([]InitialMon, error) {
	if len(vecs) == 0 {
		return nil, errors.New("conf: no monitor addresses")
	}
	var m initialMap
	for i, v := range vecs {
		name := monName("noname-", i)
		if len(v) == 1 {
			m.addAmbiguous(name, v[0], forMkfs)
		} else {
			// An address vector names its types and ports already.
			m.add(name, v)
		}
	}
	return m.mons, nil
}

// InitialMonsFromHosts is MonMap::init_with_hosts: mon_host given as host
// names (with optional ":port"), resolved first as resolve_addrs does.
func InitialMonsFromHosts(monHost string, forMkfs bool, resolve Resolver) ([]InitialMon, error) {
	if resolve == nil {
		resolve = defaultResolver
	}
	var resolved []string
	for _, tok := range strings.FieldsFunc(monHost, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		host, port := tok, ""
		if i := strings.LastIndexByte(tok, ':'); i >= 0 && !strings.Contains(tok[:i], ":") {
			host, port = tok[:i], tok[i+1:]
			if _, err := strconv.ParseUint(port, 10, 16); err != nil {
				return nil, fmt.Errorf("conf: bad port in %q", tok)
			}
		}
		ips, err := resolve(host)
		if err != nil || len(ips) == 0 {
			return nil, fmt.Errorf("conf: unable to resolve %q", host)
		}
		for _, ip := range ips {
			s := ip.Unmap().String()
			if ip.Unmap().Is6() {
				s = "[" + s + "]"
			}
			if port != "" {
				s += ":" + port
			}
			resolved = append(resolved, s)
		}
	}
	t := encoding.AddrAny
	if forMkfs {
		t = encoding.AddrMsgr2
	}
	vecs, err := ParseAddrList(strings.Join(resolved, ","), t)
	if err != nil {
		return nil, err
	}
	return initialFromVecs(vecs, forMkfs)
}

// InitialMons builds the initial monitor list as MonMap::build_initial
// does: from mon_host (as addresses, then as host names), else from the
// "mon addr" of [mon.X] sections in the file. DNS SRV discovery
// (mon_dns_srv_name) is not done.
func (c *Config) InitialMons(forMkfs bool, resolve Resolver) ([]InitialMon, error) {
	if monHost := c.Str("mon_host"); monHost != "" {
		mons, err := InitialMonsFromIPs(monHost, forMkfs)
		if err == nil {
			return mons, nil
		}
		mons, err = InitialMonsFromHosts(monHost, forMkfs, resolve)
		if err != nil {
			return nil, fmt.Errorf("conf: unable to parse addrs in '%s'", monHost)
		}
		return mons, nil
	}
	var m initialMap
	if c.File != nil {
		for _, sec := range c.File.Order {
			id, ok := strings.CutPrefix(sec, "mon.")
			if !ok || id == "" {
				continue
			}
			var val string
			found := false
			for _, s := range []string{sec, "mon", "global"} {
				if v, ok := c.File.Get(s, "mon addr"); ok {
					val, found = c.expandTop(v), true
					break
				}
			}
			if !found {
				continue
			}
			a, rest, err := encoding.ParseAddr(val, encoding.AddrLegacy)
			if err != nil || rest != "" {
				continue
			}
			if a.Addr.Port() == 0 {
				a = withPort(a, a.Type, MonPortLegacy)
			}
			m.addAmbiguous(id, a, forMkfs)
		}
	}
	if len(m.mons) == 0 {
		return nil, errors.New("conf: no monitors specified to connect to.")
	}
	return m.mons, nil
}
