package encoding

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// AddrType is entity_addr_t's type_t (src/msg/msg_types.h).
type AddrType uint32

const (
	AddrNone   AddrType = 0
	AddrLegacy AddrType = 1 // msgr1, printed "v1:"
	AddrMsgr2  AddrType = 2 // msgr2, printed "v2:"
	AddrAny    AddrType = 3
	AddrCIDR   AddrType = 4
)

func (t AddrType) String() string {
	switch t {
	case AddrNone:
		return "none"
	case AddrLegacy:
		return "v1"
	case AddrMsgr2:
		return "v2"
	case AddrAny:
		return "any"
	case AddrCIDR:
		return "cidr"
	}
	return "???"
}

// Linux address family numbers, as Ceph puts them on the wire.
const (
	afUnspec = 0
	afInet   = 2
	afInet6  = 10
)

// EntityAddr is Ceph's entity_addr_t: an address type, a nonce that tells
// apart incarnations of an entity at one address, and an IPv4 or IPv6
// socket address (or none).
type EntityAddr struct {
	Type  AddrType
	Nonce uint32
	// Addr is the IP and port; the zero AddrPort is an unspecified address
	// (AF_UNSPEC). IPv6 addresses are never IPv4-mapped on the wire.
	Addr netip.AddrPort
	// FlowInfo and ScopeID are sockaddr_in6's other fields, kept so that
	// an IPv6 address round-trips byte for byte.
	FlowInfo, ScopeID uint32
}

// NewAddr returns an address of type t at ap with nonce 0.
func NewAddr(t AddrType, ap netip.AddrPort) EntityAddr {
	return EntityAddr{Type: t, Addr: ap}
}

func (a EntityAddr) family() uint16 {
	switch {
	case !a.Addr.IsValid():
		return afUnspec
	case a.Addr.Addr().Is4():
		return afInet
	default:
		return afInet6
	}
}

// sockaddr returns the bytes of the socket address after its family field,
// as Linux lays them out: 14 for sockaddr_in, 26 for sockaddr_in6 and for
// AF_UNSPEC (Ceph sizes an unspecified address as the whole union).
func (a EntityAddr) sockaddr(buf *[26]byte) []byte {
	switch a.family() {
	case afInet:
		binary.BigEndian.PutUint16(buf[0:], a.Addr.Port())
		ip := a.Addr.Addr().As4()
		copy(buf[2:6], ip[:])
		return buf[:14]
	case afInet6:
		binary.BigEndian.PutUint16(buf[0:], a.Addr.Port())
		binary.BigEndian.PutUint32(buf[2:], a.FlowInfo)
		ip := a.Addr.Addr().As16()
		copy(buf[6:22], ip[:])
		binary.LittleEndian.PutUint32(buf[22:], a.ScopeID)
		return buf[:26]
	}
	return buf[:26]
}

// setSockaddr fills the address from a family and the bytes after it.
func (a *EntityAddr) setSockaddr(family uint16, data []byte) error {
	var buf [26]byte
	copy(buf[:], data)
	a.Addr, a.FlowInfo, a.ScopeID = netip.AddrPort{}, 0, 0
	switch family {
	case afUnspec:
	case afInet:
		port := binary.BigEndian.Uint16(buf[0:])
		a.Addr = netip.AddrPortFrom(netip.AddrFrom4([4]byte(buf[2:6])), port)
	case afInet6:
		port := binary.BigEndian.Uint16(buf[0:])
		a.FlowInfo = binary.BigEndian.Uint32(buf[2:])
		a.Addr = netip.AddrPortFrom(netip.AddrFrom16([16]byte(buf[6:22])), port)
		a.ScopeID = binary.LittleEndian.Uint32(buf[22:])
	default:
		return Malformedf("entity_addr_t: unsupported address family %d", family)
	}
	return nil
}

// EncodeAddr encodes a as entity_addr_t::encode does for a peer with the
// given features: the MSG_ADDR2 form (marker 1, versioned struct) when the
// peer has MSG_ADDR2, else the legacy ceph_entity_addr layout.
func (e *Encoder) EntityAddr(a EntityAddr, features uint64) {
	var sa [26]byte
	if !HasFeature(features, FeatureMsgAddr2) {
		e.U32(0)
		e.U32(a.Nonce)
		// sockaddr_storage, family in network byte order, 128 bytes.
		e.U16(swap16(a.family()))
		data := a.sockaddr(&sa)
		if a.family() == afUnspec {
			data = nil
		}
		e.Raw(data)
		e.Zeros(128 - 2 - len(data))
		return
	}
	e.U8(1)
	m := e.Start(1, 1)
	t := a.Type
	if !HasFeature(features, FeatureServerNautilus) && t == AddrAny {
		t = AddrLegacy
	}
	e.U32(uint32(t))
	e.U32(a.Nonce)
	data := a.sockaddr(&sa)
	e.U32(uint32(2 + len(data)))
	e.U16(a.family())
	e.Raw(data)
	e.End(m)
}

func swap16(v uint16) uint16 { return v<<8 | v>>8 }

// EntityAddr decodes either encoding of entity_addr_t.
func (d *Decoder) EntityAddr() EntityAddr {
	switch marker := d.U8(); {
	case d.err != nil:
		return EntityAddr{}
	case marker == 0:
		return d.legacyAddrAfterMarker()
	case marker != 1:
		d.Fail(Malformedf("entity_addr_t marker %d", marker))
		return EntityAddr{}
	}
	return d.addr2Body()
}

// addr2Body decodes the versioned struct that follows marker 1.
func (d *Decoder) addr2Body() EntityAddr {
	var a EntityAddr
	s := d.StartNamed("entity_addr_t", 1)
	a.Type = AddrType(d.U32())
	a.Nonce = d.U32()
	if elen := d.U32(); elen != 0 && d.err == nil {
		if elen < 2 {
			d.Fail(Malformedf("entity_addr_t: elen %d smaller than family", elen))
			return EntityAddr{}
		}
		family := d.U16()
		if elen-2 > 26 {
			d.Fail(Malformedf("entity_addr_t: elen %d exceeds sockaddr", elen))
			return EntityAddr{}
		}
		data := d.Raw(int(elen - 2))
		if d.err == nil {
			d.Fail(a.setSockaddr(family, data))
		}
	}
	d.End(s)
	return a
}

// legacyAddrAfterMarker decodes ceph_entity_addr after its first byte:
// three more bytes of the u32 type, the nonce and a 128-byte
// sockaddr_storage whose family is in network byte order.
func (d *Decoder) legacyAddrAfterMarker() EntityAddr {
	var a EntityAddr
	d.Skip(3)
	a.Nonce = d.U32()
	ss := d.Raw(128)
	if d.err != nil {
		return EntityAddr{}
	}
	family := binary.BigEndian.Uint16(ss)
	if err := a.setSockaddr(family, ss[2:]); err != nil {
		d.Fail(err)
		return EntityAddr{}
	}
	if family == afUnspec {
		a.Type = AddrNone
	} else {
		a.Type = AddrLegacy
	}
	return a
}

// String prints a the way Ceph does: "v2:127.0.0.1:3300/0", "-" for none.
func (a EntityAddr) String() string {
	if a.Type == AddrNone {
		return "-"
	}
	s := a.LegacyString()
	if a.Type != AddrAny {
		s = a.Type.String() + ":" + s
	}
	return s
}

// SockAddrString prints the socket address alone, as Ceph's operator<< for
// sockaddr does: "1.2.3.4:6789" or "[::1]:3300".
func (a EntityAddr) SockAddrString() string {
	switch a.family() {
	case afInet:
		return a.Addr.String()
	case afInet6:
		return "[" + a.Addr.Addr().String() + "]:" + strconv.Itoa(int(a.Addr.Port()))
	}
	return "(unrecognized address family 0)"
}

// LegacyString is entity_addr_t::get_legacy_str: the socket address and
// nonce without a type prefix, "1.2.3.4:6789/0".
func (a EntityAddr) LegacyString() string {
	return a.SockAddrString() + "/" + strconv.FormatUint(uint64(a.Nonce), 10)
}

// ParseAddr parses what entity_addr_t::parse accepts in practice:
// an optional "v1:", "v2:" or "any:" prefix (defaultType when absent), an
// IPv4 address or a bracketed IPv6 address, an optional ":port" and an
// optional "/nonce". It returns the rest of s after the address.
func ParseAddr(s string, defaultType AddrType) (EntityAddr, string, error) {
	a := EntityAddr{Type: defaultType}
	orig := s
	for _, p := range []struct {
		prefix string
		t      AddrType
	}{{"v1:", AddrLegacy}, {"v2:", AddrMsgr2}, {"any:", AddrAny}} {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			a.Type, s = p.t, rest
			break
		}
	}
	var ip netip.Addr
	var err error
	if strings.HasPrefix(s, "[") {
		i := strings.IndexByte(s, ']')
		if i < 0 {
			return a, orig, fmt.Errorf("encoding: bad address %q", orig)
		}
		ip, err = netip.ParseAddr(s[1:i])
		s = s[i+1:]
	} else {
		i := strings.IndexFunc(s, func(r rune) bool { return r != '.' && (r < '0' || r > '9') })
		if i < 0 {
			i = len(s)
		}
		ip, err = netip.ParseAddr(s[:i])
		s = s[i:]
	}
	if err != nil {
		return a, orig, fmt.Errorf("encoding: bad address %q", orig)
	}
	var port uint64
	if rest, ok := strings.CutPrefix(s, ":"); ok {
		n := digits(rest)
		if port, err = strconv.ParseUint(rest[:n], 10, 16); err != nil {
			return a, orig, fmt.Errorf("encoding: bad port in %q", orig)
		}
		s = rest[n:]
	}
	if rest, ok := strings.CutPrefix(s, "/"); ok {
		n := digits(rest)
		nonce, err := strconv.ParseUint(rest[:n], 10, 32)
		if err != nil {
			return a, orig, fmt.Errorf("encoding: bad nonce in %q", orig)
		}
		a.Nonce = uint32(nonce)
		s = rest[n:]
	}
	a.Addr = netip.AddrPortFrom(ip.Unmap(), uint16(port))
	return a, s, nil
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// EntityAddrVec is entity_addrvec_t: the addresses one entity listens on,
// typically [v2:IP:3300/0,v1:IP:6789/0] for a monitor.
type EntityAddrVec []EntityAddr

// Of returns the first address of type t, and whether there is one.
func (v EntityAddrVec) Of(t AddrType) (EntityAddr, bool) {
	for _, a := range v {
		if a.Type == t {
			return a, true
		}
	}
	return EntityAddr{}, false
}

// Legacy returns the msgr1 address, or the zero address when there is none
// (entity_addrvec_t::legacy_addr).
func (v EntityAddrVec) Legacy() EntityAddr {
	a, _ := v.Of(AddrLegacy)
	return a
}

// Front returns the first address, or the zero address.
func (v EntityAddrVec) Front() EntityAddr {
	if len(v) == 0 {
		return EntityAddr{}
	}
	return v[0]
}

// String prints v as Ceph does: one address bare, several in brackets.
func (v EntityAddrVec) String() string {
	switch len(v) {
	case 0:
		return ""
	case 1:
		return v[0].String()
	}
	parts := make([]string, len(v))
	for i, a := range v {
		parts[i] = a.String()
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// ParseAddrVec parses a single address or a bracketed, comma-separated list
// ("[v2:1.2.3.4:3300,v1:1.2.3.4:6789]").
func ParseAddrVec(s string) (EntityAddrVec, error) {
	if inner, ok := strings.CutPrefix(s, "["); ok && !strings.HasPrefix(inner, ":") && strings.HasSuffix(inner, "]") {
		// "[v2:..." is a list; "[::1]:3300" is an IPv6 address.
		if strings.HasPrefix(inner, "v") || strings.HasPrefix(inner, "any:") {
			inner = strings.TrimSuffix(inner, "]")
			var v EntityAddrVec
			for _, part := range strings.Split(inner, ",") {
				a, rest, err := ParseAddr(part, AddrMsgr2)
				if err != nil {
					return nil, err
				}
				if rest != "" {
					return nil, fmt.Errorf("encoding: junk %q after address", rest)
				}
				v = append(v, a)
			}
			return v, nil
		}
	}
	a, rest, err := ParseAddr(s, AddrMsgr2)
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return nil, fmt.Errorf("encoding: junk %q after address", rest)
	}
	return EntityAddrVec{a}, nil
}

// EntityAddrVec encodes v as entity_addrvec_t::encode: marker 2 and a vector
// of addresses for MSG_ADDR2 peers, the legacy address alone otherwise.
func (e *Encoder) EntityAddrVec(v EntityAddrVec, features uint64) {
	if !HasFeature(features, FeatureMsgAddr2) {
		e.EntityAddr(v.Legacy(), 0)
		return
	}
	e.U8(2)
	e.Count(len(v))
	for _, a := range v {
		e.EntityAddr(a, features)
	}
}

// minAddrLen is the smallest encoding of an entity_addr_t (MSG_ADDR2 form,
// no sockaddr): marker, struct header, type, nonce, elen.
const minAddrLen = 1 + 6 + 12

// EntityAddrVec decodes any encoding of entity_addrvec_t, including a
// single legacy or MSG_ADDR2 entity_addr_t, which older peers send.
func (d *Decoder) EntityAddrVec() EntityAddrVec {
	switch marker := d.U8(); {
	case d.err != nil:
		return nil
	case marker == 0:
		return EntityAddrVec{d.legacyAddrAfterMarker()}
	case marker == 1:
		return EntityAddrVec{d.addr2Body()}
	case marker > 2:
		d.Fail(Malformedf("entity_addrvec_t marker %d", marker))
		return nil
	}
	v := DecodeSlice(d, minAddrLen, (*Decoder).EntityAddr)
	if d.err != nil {
		return nil
	}
	return EntityAddrVec(v)
}
