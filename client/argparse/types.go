package argparse

import (
	"fmt"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
)

// Kind classifies a validation failure as ceph_argparse's exception
// classes do; the matcher reacts to each differently.
type Kind int

const (
	KindError   Kind = iota // ArgumentError (e.g. unused arguments)
	KindNumber              // ArgumentNumber: wrong count of a repeated argument
	KindFormat              // ArgumentFormat: malformed value
	KindMissing             // ArgumentMissing: required argument absent
	KindValid               // ArgumentValid: value otherwise invalid
	KindTooFew              // ArgumentTooFew: fewer arguments than the signature
	KindPrefix              // ArgumentPrefix: a literal word did not match
)

var kindNames = [...]string{"ArgumentError", "ArgumentNumber", "ArgumentFormat", "ArgumentMissing", "ArgumentValid", "ArgumentTooFew", "ArgumentPrefix"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ArgError is a validation failure; Msg is the text the ceph CLI prints.
type ArgError struct {
	Kind Kind
	Msg  string
}

func (e *ArgError) Error() string { return e.Msg }

func argErr(k Kind, format string, args ...any) *ArgError {
	return &ArgError{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// argType is one Ceph argument type (the CephXxx classes): it validates a
// word and says how it reads in messages.
type argType interface {
	// valid checks one word, returning its value (string, *big.Int,
	// float64 or bool).
	valid(s string, partial bool) (any, *ArgError)
	// String is the type's __str__ ("<int[0-]>", "a|b").
	String() string
}

// newType builds the type named in a descriptor from its parameters, as
// parse_funcsig looks the class up by name.
func newType(name string, params map[string]string) (argType, error) {
	switch name {
	case "CephInt":
		t := &cephInt{}
		if r := params["range"]; r != "" {
			for _, p := range strings.Split(r, "|") {
				v, ok := pyIntBase10(p)
				if !ok {
					return nil, fmt.Errorf("CephInt range %q", r)
				}
				t.rng = append(t.rng, v)
			}
		}
		return t, nil
	case "CephFloat":
		t := &cephFloat{}
		if r := params["range"]; r != "" {
			for _, p := range strings.Split(r, "|") {
				v, ok := pyFloat(p)
				if !ok {
					return nil, fmt.Errorf("CephFloat range %q", r)
				}
				t.rng = append(t.rng, v)
			}
		}
		return t, nil
	case "CephString":
		return newCephString(params["goodchars"]), nil
	case "CephChoices":
		return &cephChoices{strings: strings.Split(params["strings"], "|")}, nil
	case "CephBool":
		return cephBool{}, nil
	case "CephPoolname":
		return plainType("<poolname>"), nil
	case "CephObjectname":
		return plainType("<objectname>"), nil
	case "CephArgtype":
		return plainType("<CephArgtype>"), nil
	case "CephName":
		return cephName{}, nil
	case "CephOsdName":
		return cephOsdName{}, nil
	case "CephPgid":
		return cephPgid{}, nil
	case "CephUUID":
		return cephUUID{}, nil
	case "CephIPAddr":
		return cephIPAddr{}, nil
	case "CephEntityAddr":
		return cephEntityAddr{}, nil
	case "CephFragment":
		return cephFragment{}, nil
	case "CephFilepath":
		return cephFilepath{}, nil
	case "CephSocketpath":
		return cephSocketpath{}, nil
	}
	return nil, fmt.Errorf("unknown type %s", name)
}

// prefixType is CephPrefix: a literal word of the command.
type prefixType struct{ prefix string }

func (t prefixType) valid(s string, partial bool) (any, *ArgError) {
	if partial && strings.HasPrefix(t.prefix, s) || s == t.prefix {
		return s, nil
	}
	return nil, argErr(KindPrefix, "no match for %s", s)
}
func (t prefixType) String() string { return t.prefix }

// plainType accepts any word (CephPoolname, CephObjectname).
type plainType string

func (plainType) valid(s string, _ bool) (any, *ArgError) { return s, nil }
func (t plainType) String() string                        { return string(t) }

type cephInt struct{ rng []*big.Int }

func (t *cephInt) valid(s string, _ bool) (any, *ArgError) {
	v, ok := pyInt(s)
	if !ok {
		return nil, argErr(KindValid, "%s doesn't represent an int", s)
	}
	if len(t.rng) == 2 && (v.Cmp(t.rng[0]) < 0 || v.Cmp(t.rng[1]) > 0) ||
		len(t.rng) == 1 && v.Cmp(t.rng[0]) < 0 {
		return nil, argErr(KindValid, "%s not in range %s", v, t.rangeList())
	}
	return v, nil
}

func (t *cephInt) rangeList() string {
	parts := make([]string, len(t.rng))
	for i, r := range t.rng {
		parts[i] = r.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (t *cephInt) String() string {
	switch len(t.rng) {
	case 1:
		return fmt.Sprintf("<int[%s-]>", t.rng[0])
	case 2:
		return fmt.Sprintf("<int[%s-%s]>", t.rng[0], t.rng[1])
	}
	return "<int>"
}

type cephFloat struct{ rng []float64 }

func (t *cephFloat) valid(s string, _ bool) (any, *ArgError) {
	v, ok := pyFloat(s)
	if !ok {
		return nil, argErr(KindValid, "%s doesn't represent a float", s)
	}
	if len(t.rng) == 2 && (v < t.rng[0] || v > t.rng[1]) || len(t.rng) == 1 && v < t.rng[0] {
		parts := make([]string, len(t.rng))
		for i, r := range t.rng {
			parts[i] = pyFloatRepr(r)
		}
		return nil, argErr(KindValid, "%s not in range [%s]", pyFloatRepr(v), strings.Join(parts, ", "))
	}
	return v, nil
}

func (t *cephFloat) String() string {
	switch len(t.rng) {
	case 1:
		return fmt.Sprintf("<float[%s-]>", pyFloatRepr(t.rng[0]))
	case 2:
		return fmt.Sprintf("<float[%s-%s]>", pyFloatRepr(t.rng[0]), pyFloatRepr(t.rng[1]))
	}
	return "<float>"
}

// pyPrintable is Python's string.printable, in its order.
const pyPrintable = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c"

type cephString struct {
	goodchars string
	goodset   map[rune]bool
}

func newCephString(goodchars string) *cephString {
	// As in ceph_argparse, an empty goodchars matches every character, so
	// a plain CephString still accepts printable ASCII only.
	t := &cephString{goodchars: goodchars}
	re, err := regexp.Compile("^(?:" + goodchars + ")")
	if err != nil {
		return t
	}
	t.goodset = map[rune]bool{}
	for _, c := range pyPrintable {
		if re.MatchString(string(c)) {
			t.goodset[c] = true
		}
	}
	return t
}

func (t *cephString) valid(s string, _ bool) (any, *ArgError) {
	if len(t.goodset) > 0 {
		var bad []rune
		seen := map[rune]bool{}
		for _, c := range s {
			if !t.goodset[c] && !seen[c] {
				seen[c] = true
				bad = append(bad, c)
			}
		}
		if len(bad) > 0 {
			return nil, argErr(KindFormat, "invalid chars %s in %s", string(bad), s)
		}
	}
	return s, nil
}

func (t *cephString) String() string {
	if t.goodchars != "" {
		return "<string(goodchars " + t.goodchars + ")>"
	}
	return "<string>"
}

type cephChoices struct{ strings []string }

func (t *cephChoices) valid(s string, partial bool) (any, *ArgError) {
	for _, c := range t.strings {
		if s == c || partial && strings.HasPrefix(c, s) {
			return s, nil
		}
	}
	return nil, argErr(KindValid, "%s not in %s", s, t)
}

func (t *cephChoices) String() string { return strings.Join(t.strings, "|") }

type cephBool struct{}

func (cephBool) valid(s string, _ bool) (any, *ArgError) {
	switch strings.ToLower(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return nil, argErr(KindValid, "%s not one of 'true', 'false'", s)
}
func (cephBool) String() string { return "<bool>" }

type cephName struct{}

func (cephName) valid(s string, _ bool) (any, *ArgError) {
	if s == "*" || s == "mgr" || s == "mon" {
		return s, nil
	}
	t, i, ok := strings.Cut(s, ".")
	if !ok {
		return nil, argErr(KindFormat, "CephName: no . in %s", s)
	}
	switch t {
	case "osd", "mon", "client", "mds", "mgr":
	default:
		return nil, argErr(KindValid, "unknown type %s", t)
	}
	if t == "osd" && i != "*" {
		if _, ok := pyIntBase10(i); !ok {
			return nil, argErr(KindFormat, "osd id %s not integer", i)
		}
	}
	return s, nil
}
func (cephName) String() string { return "<name (type.id)>" }

type cephOsdName struct{}

func (cephOsdName) valid(s string, _ bool) (any, *ArgError) {
	if s == "*" {
		return s, nil
	}
	i := s
	if t, rest, ok := strings.Cut(s, "."); ok {
		if t != "osd" {
			return nil, argErr(KindValid, "unknown type %s", t)
		}
		i = rest
	}
	v, ok := pyIntBase10(i)
	if !ok {
		return nil, argErr(KindFormat, "osd id %s not integer", i)
	}
	if v.Sign() < 0 {
		return nil, argErr(KindFormat, "osd id %s is less than 0", v)
	}
	return v, nil
}
func (cephOsdName) String() string { return "<osdname (id|osd.id)>" }

type cephPgid struct{}

func (cephPgid) valid(s string, _ bool) (any, *ArgError) {
	pool, pgnum, ok := strings.Cut(s, ".")
	if !ok {
		return nil, argErr(KindFormat, "pgid has no .")
	}
	p, ok := pyIntBase10(pool)
	if !ok {
		return nil, argErr(KindFormat, "pool %s not integer", pool)
	}
	if p.Sign() < 0 {
		return nil, argErr(KindFormat, "pool %s < 0", p)
	}
	if !validHex(pgnum) {
		return nil, argErr(KindFormat, "pgnum %s not hex integer", pgnum)
	}
	return s, nil
}
func (cephPgid) String() string { return "<pgid>" }

// validHex is Python's int(s, 16): optional sign and 0x prefix.
func validHex(s string) bool {
	s = trimPySpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-")
	lead := false
	if len(s) >= 2 && s[0] == '0' && s[1]|0x20 == 'x' {
		s, lead = s[2:], true
	}
	_, ok := digitsWithUnderscores(s, isHex, lead)
	return ok
}

type cephUUID struct{}

func (cephUUID) valid(s string, _ bool) (any, *ArgError) {
	// uuid.UUID(hex): braces, "urn:" and "uuid:" prefixes and hyphens
	// are dropped; 32 hex digits must remain.
	h := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(s, "urn:", ""), "uuid:", ""), "{", "")
	h = strings.ReplaceAll(strings.ReplaceAll(h, "}", ""), "-", "")
	ok := len(h) == 32
	for i := 0; ok && i < len(h); i++ {
		ok = isHex(h[i])
	}
	if !ok {
		return nil, argErr(KindFormat, "invalid UUID %s: badly formed hexadecimal UUID string", s)
	}
	return s, nil
}
func (cephUUID) String() string { return "<uuid>" }

type cephIPAddr struct{}

func (cephIPAddr) valid(s string, _ bool) (any, *ArgError) {
	if err := checkIPAddr(s); err != nil {
		return nil, err
	}
	return s, nil
}
func (cephIPAddr) String() string { return "<IPaddr[:port]>" }

// checkIPAddr is CephIPAddr.valid: an IPv4 or IPv6 address with an
// optional port and type prefix.
func checkIPAddr(s string) *ArgError {
	v4 := false
	switch {
	case strings.HasPrefix(s, "v1:"):
		s, v4 = s[3:], true
	case strings.HasPrefix(s, "v2:"):
		s = s[3:]
	case strings.HasPrefix(s, "any:"):
		s, v4 = s[4:], true
	case strings.HasPrefix(s, "["):
	case strings.Contains(s, "."):
		v4 = true
	}
	portOK := func(p string) bool {
		v, ok := pyIntBase10(p)
		return ok && v.Cmp(big.NewInt(65535)) <= 0
	}
	if v4 {
		a, p, hasPort := strings.Cut(s, ":")
		if hasPort && !portOK(p) {
			return argErr(KindValid, "%s: invalid IPv4 port", p)
		}
		ip, err := netip.ParseAddr(a)
		if err != nil || !ip.Is4() {
			return argErr(KindValid, "%s: invalid IPv4 address", a)
		}
		return nil
	}
	a := s
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return argErr(KindFormat, "%s missing terminating ]", s)
		}
		if end+1 < len(s) && s[end+1] == ':' {
			if end+2 >= len(s) || !portOK(s[end+2:end+3]) {
				return argErr(KindValid, "%s: bad port number", s)
			}
		}
		a = s[1:end]
	}
	ip, err := netip.ParseAddr(a)
	if err != nil || !ip.Is6() || ip.Zone() != "" {
		return argErr(KindValid, "%s not valid IPv6 address", s)
	}
	return nil
}

type cephEntityAddr struct{}

func (cephEntityAddr) valid(s string, _ bool) (any, *ArgError) {
	ip, nonce := s, ""
	if strings.Contains(s, "/") {
		parts := strings.Split(s, "/")
		if len(parts) != 2 {
			return nil, argErr(KindValid, "%s: invalid entity address", s)
		}
		ip, nonce = parts[0], parts[1]
		if strings.HasSuffix(nonce, "]") {
			nonce = nonce[:len(nonce)-1]
			ip += "]"
		}
	}
	if err := checkIPAddr(ip); err != nil {
		return nil, err
	}
	if nonce != "" {
		if v, ok := pyIntBase10(nonce); !ok || v.Sign() < 0 {
			return nil, argErr(KindValid, "%s: invalid entity, nonce %s not integer > 0", s, nonce)
		}
	}
	return s, nil
}
func (cephEntityAddr) String() string { return "<EntityAddr>" }

type cephFragment struct{}

func (cephFragment) valid(s string, _ bool) (any, *ArgError) {
	val, bits, ok := strings.Cut(s, "/")
	if !ok {
		return nil, argErr(KindFormat, "%s: no /", s)
	}
	if strings.Contains(bits, "/") {
		return nil, argErr(KindFormat, "%s: too many /", s)
	}
	if !strings.HasPrefix(val, "0x") {
		return nil, argErr(KindFormat, "%s not a hex integer", val)
	}
	// ceph_argparse then calls int(val), which never accepts "0x..."
	return nil, argErr(KindFormat, "can't convert %s to integer", val)
}
func (cephFragment) String() string { return "<CephFS fragment ID (0xvvv/bbb)>" }

type cephFilepath struct{}

func (cephFilepath) valid(s string, _ bool) (any, *ArgError) {
	p, err := filepath.Abs(s)
	if err != nil {
		return nil, argErr(KindValid, "%s: %v", s, err)
	}
	if syscall.Access(p, 4) == nil { // R_OK
		return p, nil
	}
	if st, err := os.Stat(p); err == nil {
		if !st.Mode().IsRegular() {
			return nil, argErr(KindValid, "%s is not file", p)
		}
		if syscall.Access(p, 2) != nil { // W_OK
			return nil, argErr(KindValid, "%s is not writable", p)
		}
		return p, nil
	}
	if dir := filepath.Dir(p); syscall.Access(dir, 2) != nil {
		return nil, argErr(KindValid, "cannot create file in %s", dir)
	}
	return p, nil
}
func (cephFilepath) String() string { return "<outfilename>" }

type cephSocketpath struct{}

func (cephSocketpath) valid(s string, _ bool) (any, *ArgError) {
	st, err := os.Stat(s)
	if err != nil || st.Mode()&os.ModeSocket == 0 {
		return nil, argErr(KindValid, "socket path %s is not a socket", s)
	}
	return s, nil
}
func (cephSocketpath) String() string { return "<admin-socket-path>" }
