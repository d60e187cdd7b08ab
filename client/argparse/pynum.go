package argparse

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// The ceph CLI parses numbers with Python's int(s, 0) and float(s), and
// sends them with json.dumps; these follow Python 3's rules so that kelp
// accepts, rejects and writes the same numbers.

// trimPySpace strips what Python's str.strip() strips for int()/float().
func trimPySpace(s string) string {
	return strings.TrimFunc(s, unicode.IsSpace)
}

// digitsWithUnderscores checks Python's digit grouping: underscores only
// between digits (after a base prefix one may also lead), never doubled
// or trailing. It returns the digits without underscores.
func digitsWithUnderscores(s string, isDigit func(byte) bool, leadingOK bool) (string, bool) {
	if s == "" {
		return "", false
	}
	var b strings.Builder
	prevDigit := leadingOK
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			if !prevDigit {
				return "", false
			}
			prevDigit = false
		case isDigit(c):
			b.WriteByte(c)
			prevDigit = true
		default:
			return "", false
		}
	}
	if !prevDigit || b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}

func isDec(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool { return isDec(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }
func isOct(c byte) bool { return c >= '0' && c <= '7' }
func isBin(c byte) bool { return c == '0' || c == '1' }

// pyInt parses s as Python's int(s, 0): optional sign, 0x/0o/0b prefixes,
// underscores between digits, and no leading zeros on a non-zero decimal.
func pyInt(s string) (*big.Int, bool) {
	s = trimPySpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	isDigit := isDec
	leadingOK := false
	if len(s) >= 2 && s[0] == '0' {
		switch s[1] | 0x20 {
		case 'x':
			base, isDigit = 16, isHex
		case 'o':
			base, isDigit = 8, isOct
		case 'b':
			base, isDigit = 2, isBin
		}
		if base != 10 {
			s = s[2:]
			leadingOK = true
		}
	}
	digits, ok := digitsWithUnderscores(s, isDigit, leadingOK)
	if !ok {
		return nil, false
	}
	if base == 10 && len(digits) > 1 && digits[0] == '0' && strings.Trim(digits, "0") != "" {
		return nil, false
	}
	v, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return nil, false
	}
	if neg {
		v.Neg(v)
	}
	return v, true
}

// pyIntBase10 is Python's int(s): decimal only, leading zeros allowed.
func pyIntBase10(s string) (*big.Int, bool) {
	s = trimPySpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	digits, ok := digitsWithUnderscores(s, isDec, false)
	if !ok {
		return nil, false
	}
	v, _ := new(big.Int).SetString(digits, 10)
	if neg {
		v.Neg(v)
	}
	return v, true
}

// pyFloat parses s as Python's float(s).
func pyFloat(s string) (float64, bool) {
	s = trimPySpace(s)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	// Python's grammar: digits [. digits] [e [sign] digits], underscores
	// only between digits.
	mant, exp, hasExp := strings.Cut(strings.ToLower(body), "e")
	intPart, frac, hasDot := strings.Cut(mant, ".")
	clean := func(p string, allowEmpty bool) (string, bool) {
		if p == "" {
			return "", allowEmpty
		}
		return digitsWithUnderscores(p, isDec, false)
	}
	ip, ok1 := clean(intPart, hasDot)
	fp, ok2 := clean(frac, true)
	if !ok1 || !ok2 || ip == "" && fp == "" {
		return 0, false
	}
	norm := ip
	if hasDot {
		norm += "." + fp
	}
	if hasExp {
		sign := ""
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			sign, exp = exp[:1], exp[1:]
		}
		ed, ok := digitsWithUnderscores(exp, isDec, false)
		if !ok {
			return 0, false
		}
		norm += "e" + sign + ed
	}
	if strings.HasPrefix(s, "-") {
		norm = "-" + norm
	}
	f, err := strconv.ParseFloat(norm, 64)
	if err != nil {
		// Python overflows to inf silently.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// pyFloatRepr formats f as Python's repr(float) (and json.dumps) does:
// the shortest round-tripping digits, a ".0" on integral values, and
// exponent notation below 1e-4 and from 1e16.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e16 || abs < 1e-4 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes 1e+16 and 1.5e-05 as Python does.
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// pyStrRepr is Python's repr(str) for the messages the CLI prints
// ("unused arguments: ['a', 'b']").
func pyStrRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, "\"") {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + strconv.FormatInt(int64(r)|0x100, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// pyStrList is Python's str(list_of_str).
func pyStrList(v []string) string {
	parts := make([]string, len(v))
	for i, s := range v {
		parts[i] = pyStrRepr(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
