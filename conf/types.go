package conf

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// Type is an option's Option::type_t (src/common/options.h).
type Type int

const (
	TypeUint Type = iota
	TypeInt
	TypeStr
	TypeFloat
	TypeBool
	TypeAddr
	TypeAddrVec
	TypeUUID
	TypeSize
	TypeSecs
	TypeMillisecs
)

var typeNames = [...]string{
	TypeUint: "uint", TypeInt: "int", TypeStr: "str", TypeFloat: "float",
	TypeBool: "bool", TypeAddr: "addr", TypeAddrVec: "addrvec", TypeUUID: "uuid",
	TypeSize: "size", TypeSecs: "secs", TypeMillisecs: "millisecs",
}

// String returns the name Ceph uses (Option::type_to_str).
func (t Type) String() string {
	if int(t) >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// ParseType maps Ceph's type name to the Type.
func ParseType(s string) (Type, bool) {
	for t, n := range typeNames {
		if n == s {
			return Type(t), true
		}
	}
	return 0, false
}

// Value is a parsed option value. Its dynamic type depends on the option's
// Type: string (str), int64 (int), uint64 (uint, size), float64 (float),
// bool, time.Duration (secs, millisecs), encoding.EntityAddr (addr),
// encoding.EntityAddrVec (addrvec), encoding.UUID (uuid).
type Value struct {
	Type Type
	v    any
}

// Raw returns the Go value; see Value.
func (v Value) Raw() any { return v.v }

// ParseValue parses s for type t as Option::parse_value does (without an
// option's min/max/enum checks; see Option.Parse for those).
func ParseValue(t Type, s string) (Value, error) {
	switch t {
	case TypeInt:
		i, _, err := strictSICast(s, true)
		return Value{t, i}, err
	case TypeUint:
		_, u, err := strictSICast(s, false)
		return Value{t, u}, err
	case TypeStr:
		return Value{t, s}, nil
	case TypeFloat:
		f, err := strictStrtod(s)
		return Value{t, f}, err
	case TypeBool:
		b, err := strictStrtob(s)
		return Value{t, b}, err
	case TypeAddr:
		a, rest, err := encoding.ParseAddr(s, encoding.AddrMsgr2)
		if err != nil || rest != "" {
			return Value{}, fmt.Errorf("unable to parse address '%s'", s)
		}
		return Value{t, a}, nil
	case TypeAddrVec:
		av, err := encoding.ParseAddrVec(s)
		if err != nil {
			return Value{}, fmt.Errorf("unable to parse address vector '%s'", s)
		}
		return Value{t, av}, nil
	case TypeUUID:
		u, err := encoding.ParseUUID(s)
		if err != nil {
			return Value{}, fmt.Errorf("unable to parse uuid '%s'", s)
		}
		return Value{t, u}, nil
	case TypeSize:
		u, err := strictIECStrtoll(s)
		return Value{t, u}, err
	case TypeSecs:
		d, err := parseTimespan(s)
		return Value{t, d}, err
	case TypeMillisecs:
		// std::stoull: leading whitespace, digits, junk after is ignored.
		n := 0
		for n < len(s) && isCSpace(rune(s[n])) {
			n++
		}
		st := n
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		ms, err := strconv.ParseUint(s[st:n], 10, 64)
		if err != nil {
			return Value{}, fmt.Errorf("stoull: cannot parse '%s'", s)
		}
		return Value{t, time.Duration(ms) * time.Millisecond}, nil
	}
	return Value{}, fmt.Errorf("unknown option type %d", t)
}

// String formats v as Ceph's Option::to_str does, which is what
// `ceph-conf --show-config-value` and `ceph config get` print: floats in
// fixed notation with six decimals, sizes as bytes, seconds as a count,
// an unset address as "-".
func (v Value) String() string {
	switch x := v.v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', 6, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Duration:
		if v.Type == TypeMillisecs {
			return strconv.FormatInt(x.Milliseconds(), 10)
		}
		return strconv.FormatInt(int64(x/time.Second), 10)
	case encoding.EntityAddr:
		return x.String()
	case encoding.EntityAddrVec:
		return x.String()
	case encoding.UUID:
		return x.String()
	}
	return fmt.Sprint(v.v)
}

// less compares two values of the same type for min/max checks.
func (v Value) less(w Value) bool {
	switch x := v.v.(type) {
	case int64:
		return x < w.v.(int64)
	case uint64:
		return x < w.v.(uint64)
	case float64:
		return x < w.v.(float64)
	case time.Duration:
		return x < w.v.(time.Duration)
	}
	return false
}
