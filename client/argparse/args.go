package argparse

import (
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Args are a validated command: argument values by name, in the order
// they were stored (a Python dict's order, which json.dumps keeps).
// Values are string, *big.Int, float64, bool, or []any of those.
type Args struct {
	keys []string
	vals map[string]any
}

// Set stores v under k, keeping k's position if it is already there.
func (a *Args) Set(k string, v any) {
	if a.vals == nil {
		a.vals = map[string]any{}
	}
	if _, ok := a.vals[k]; !ok {
		a.keys = append(a.keys, k)
	}
	a.vals[k] = v
}

// Get returns the value under k.
func (a *Args) Get(k string) (any, bool) {
	v, ok := a.vals[k]
	return v, ok
}

// Keys returns the names in order.
func (a *Args) Keys() []string { return append([]string(nil), a.keys...) }

// Len is the number of arguments.
func (a *Args) Len() int { return len(a.keys) }

// JSON is the command as the ceph CLI sends it: json.dumps of the dict,
// with Python's separators (", " and ": ") and ASCII-only escaping.
func (a *Args) JSON() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range a.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		writePyJSONString(&b, k)
		b.WriteString(": ")
		writePyJSON(&b, a.vals[k])
	}
	b.WriteByte('}')
	return b.String()
}

func writePyJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		writePyJSONString(b, x)
	case *big.Int:
		b.WriteString(x.String())
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(pyFloatRepr(x))
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyJSON(b, e)
		}
		b.WriteByte(']')
	case nil:
		b.WriteString("null")
	default:
		writePyJSONString(b, "?")
	}
}

// writePyJSONString escapes as json.dumps with ensure_ascii=True.
func writePyJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	u := func(r uint16) {
		b.WriteString(`\u`)
		b.WriteByte(hex[r>>12&15])
		b.WriteByte(hex[r>>8&15])
		b.WriteByte(hex[r>>4&15])
		b.WriteByte(hex[r&15])
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			u(uint16(r))
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			u(uint16(r1))
			u(uint16(r2))
		default:
			u(uint16(r))
		}
	}
	b.WriteByte('"')
}
