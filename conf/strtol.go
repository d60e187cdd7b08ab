package conf

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The parsers in this file follow src/common/strtol.cc and
// src/common/ceph_time.cc (parse_timespan), including their error texts,
// because Ceph reports those texts to the user and kelp should too.

// strictStrtoll parses a whole string as a base-10 long long, as
// strict_strtoll does (leading whitespace and a sign are allowed by
// strtoll, trailing junk is not).
func strictStrtoll(s string) (int64, error) {
	t := strings.TrimLeftFunc(s, isCSpace)
	n := 0
	if n < len(t) && (t[n] == '+' || t[n] == '-') {
		n++
	}
	digits := 0
	for n < len(t) && t[n] >= '0' && t[n] <= '9' {
		n++
		digits++
	}
	if digits == 0 || n != len(t) {
		return 0, fmt.Errorf("Expected option value to be integer, got '%s'", s)
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("The option value '%s' seems to be invalid", s)
	}
	return v, nil
}

// isCSpace is C's isspace in the "C" locale.
func isCSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// strictStrtob parses a bool as strict_strtob: "true"/"false" in any case,
// otherwise an int (non-zero is true). "yes" and "no" are errors in Ceph.
func strictStrtob(s string) (bool, error) {
	switch {
	case strings.EqualFold(s, "false"):
		return false, nil
	case strings.EqualFold(s, "true"):
		return true, nil
	}
	v, err := strictStrtoll(s)
	if err != nil {
		return false, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return false, fmt.Errorf("The option value '%s' seems to be invalid", s)
	}
	return v != 0, nil
}

// strictStrtod parses a double as strict_strtod (C strtod syntax, no
// trailing junk).
func strictStrtod(s string) (float64, error) {
	t := strings.TrimLeftFunc(s, isCSpace)
	if t == "" {
		return 0, fmt.Errorf("strict_strtod: expected double, got: '%s'", s)
	}
	lower := strings.ToLower(t)
	if strings.HasPrefix(strings.TrimLeft(lower, "+-"), "0x") {
		// strtod accepts hex floats; Go's ParseFloat needs a p exponent.
		if v, ok := new(big.Float).SetString(t); ok {
			f, _ := v.Float64()
			return f, nil
		}
		return 0, fmt.Errorf("strict_strtod: garbage at end of string. got: '%s'", s)
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("strict_strtod: floating point overflow or underflow parsing '%s'", s)
		}
		// Distinguish "nothing parsed" from "junk after a number".
		if p := floatPrefixLen(t); p == 0 {
			return 0, fmt.Errorf("strict_strtod: expected double, got: '%s'", s)
		}
		return 0, fmt.Errorf("strict_strtod: garbage at end of string. got: '%s'", s)
	}
	return v, nil
}

// floatPrefixLen returns how many bytes of s strtod would consume, roughly:
// enough to tell an empty parse from trailing junk.
func floatPrefixLen(s string) int {
	for n := len(s); n > 0; n-- {
		if _, err := strconv.ParseFloat(s[:n], 64); err == nil {
			return n
		}
	}
	return 0
}

// strictSICast parses an integer with an optional SI suffix (K, M, G, T, P,
// E as powers of 1000) as strict_si_cast<T>; signed selects int64 or
// uint64 limits.
func strictSICast(s string, signed bool) (int64, uint64, error) {
	if s == "" {
		return 0, 0, errors.New("strict_sistrtoll: value not specified")
	}
	n := s
	m := 0
	if strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789+-", r) }) >= 0 {
		switch s[len(s)-1] {
		case 'K':
			m = 3
		case 'M':
			m = 6
		case 'G':
			m = 9
		case 'T':
			m = 12
		case 'P':
			m = 15
		case 'E':
			m = 18
		case 'B':
		default:
			return 0, 0, errors.New("strict_si_cast: unit prefix not recognized")
		}
		if m >= 3 {
			n = s[:len(s)-1]
		}
	}
	ll, err := strictStrtoll(n)
	if err != nil {
		return 0, 0, err
	}
	if ll < 0 && !signed {
		return 0, 0, errors.New("strict_sistrtoll: value should not be negative")
	}
	coef := int64(1)
	for range m {
		coef *= 10
	}
	if signed {
		if ll > math.MaxInt64/coef || ll < math.MinInt64/coef {
			return 0, 0, errors.New("strict_sistrtoll: value out of range")
		}
		return ll * coef, 0, nil
	}
	u := uint64(ll)
	if u > math.MaxUint64/uint64(coef) {
		return 0, 0, errors.New("strict_sistrtoll: value out of range")
	}
	return 0, u * uint64(coef), nil
}

// strictIECStrtoll parses a size with an optional IEC suffix as Pacific's
// strict_iecstrtoll does: the unit is at most two characters and only its
// first one counts (K, M, G, T, P, E as powers of 1024, B as bytes), so
// "3K", "3Ki", "3KB" and even "3KK" are 3072 while "3KiB" is an error
// (newer Ceph strips a trailing B first; Pacific does not).
func strictIECStrtoll(s string) (uint64, error) {
	ll, m, err := splitIEC(s)
	if err != nil {
		return 0, err
	}
	if ll < 0 {
		return 0, errors.New("strict_iecstrtoll: value should not be negative")
	}
	if uint64(ll) > math.MaxUint64>>m {
		return 0, errors.New("strict_iecstrtoll: value seems to be too large")
	}
	return uint64(ll) << m, nil
}

// splitIEC parses the number of a size with an optional IEC unit and
// returns it with the unit's power of two, as strict_iec_cast does before
// it checks the range for its type.
func splitIEC(s string) (int64, int, error) {
	if s == "" {
		return 0, 0, errors.New("strict_iecstrtoll: value not specified")
	}
	n, m := s, 0
	if u := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789-+", r) }); u >= 0 {
		n = s[:u]
		unit := s[u:]
		if unit[len(unit)-1] == 'i' && unit[0] == 'B' {
			return 0, 0, errors.New("strict_iecstrtoll: illegal prefix \"Bi\"")
		}
		if len(unit) > 2 {
			return 0, 0, errors.New("strict_iecstrtoll: illegal prefix (length > 2)")
		}
		sh, ok := iecShift[unit[0]]
		if !ok {
			return 0, 0, errors.New("strict_iecstrtoll: unit prefix not recognized")
		}
		m = sh
	}
	ll, err := strictStrtoll(n)
	return ll, m, err
}

// iecShift maps an IEC unit's first letter to its power of two.
var iecShift = map[byte]int{'K': 10, 'M': 20, 'G': 30, 'T': 40, 'P': 50, 'E': 60, 'B': 0}

// timespanUnits are parse_timespan's units, in seconds.
var timespanUnits = map[string]int64{
	"s": 1, "sec": 1, "second": 1, "seconds": 1,
	"m": 60, "min": 60, "minute": 60, "minutes": 60,
	"h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
	"d": 86400, "day": 86400, "days": 86400,
	"w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
	"mo": 2592000, "month": 2592000, "months": 2592000,
	"y": 31536000, "yr": 31536000, "year": 31536000, "years": 31536000,
}

// parseTimespan parses "30", "5m", "1d 2h" into whole seconds, as
// ceph::parse_timespan does.
func parseTimespan(s string) (time.Duration, error) {
	var total int64
	pos := 0
	isDigit := func(i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
	isSpace := func(i int) bool { return i < len(s) && isCSpace(rune(s[i])) }
	isAlpha := func(i int) bool { return i < len(s) && s[i] < 0x80 && unicode.IsLetter(rune(s[i])) }
	for pos < len(s) {
		for isSpace(pos) {
			pos++
		}
		if pos >= len(s) {
			break
		}
		start := pos
		for isDigit(pos) {
			pos++
		}
		if start == pos {
			return 0, errors.New("expected digit")
		}
		val, err := strictStrtoll(s[start:pos])
		if err != nil {
			return 0, err
		}
		for isSpace(pos) {
			pos++
		}
		ustart := pos
		for isAlpha(pos) {
			pos++
		}
		if ustart != pos {
			mult, ok := timespanUnits[s[ustart:pos]]
			if !ok {
				return 0, fmt.Errorf("unrecogized unit '%s'", s[ustart:pos])
			}
			val *= mult
		} else if pos < len(s) {
			return 0, fmt.Errorf("unexpected trailing '%s'", s[pos:])
		}
		total += val
	}
	if total > int64(math.MaxInt64/time.Second) {
		return 0, fmt.Errorf("timespan '%s' is too long", s)
	}
	return time.Duration(total) * time.Second, nil
}
