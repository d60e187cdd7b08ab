package commands

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
)

// Error is a command failure as the monitor replies it: a negative errno
// in the reply (Code is the positive errno) and Ceph's message.
type Error struct {
	Code syscall.Errno
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func einval(format string, args ...any) *Error {
	return &Error{Code: syscall.EINVAL, Msg: fmt.Sprintf(format, args...)}
}

// CmdMap is a command as cmdmap_from_json leaves it (src/common/cmdparse.cc):
// each value is a string, bool, int64, float64, []string, []int64 or
// []float64. JSON numbers written with a fraction or exponent are
// float64, others int64, as json_spirit distinguishes them.
type CmdMap map[string]any

// ParseCmdMap parses the command of an MMonCommand: the concatenation of
// its strings is one JSON object whose values are simple types or arrays
// of one simple type. Errors carry Ceph's messages.
func ParseCmdMap(parts []string) (CmdMap, error) {
	full := strings.Join(parts, "")
	dec := json.NewDecoder(strings.NewReader(full))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, einval("unparseable JSON %s", full)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, einval("unparseable JSON %s", full)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, einval("not JSON object %s", full)
	}
	m := CmdMap{}
	for k, v := range obj {
		cv, err := simpleValue(v, full)
		if err != nil {
			return nil, err
		}
		m[k] = cv
	}
	return m, nil
}

func number(n json.Number) (any, bool) {
	s := string(n)
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	i, err := strconv.ParseInt(s, 10, 64)
	return i, err == nil
}

func simpleValue(v any, full string) (any, error) {
	switch x := v.(type) {
	case string, bool:
		return x, nil
	case json.Number:
		n, ok := number(x)
		if !ok {
			return nil, einval("unparseable JSON %s", full)
		}
		return n, nil
	case []any:
		if len(x) == 0 {
			return []string{}, nil
		}
		switch first := x[0].(type) {
		case string:
			out := make([]string, 0, len(x))
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, einval("Can't handle arrays of multiple types")
				}
				out = append(out, s)
			}
			return out, nil
		case json.Number:
			n, ok := number(first)
			if !ok {
				return nil, einval("unparseable JSON %s", full)
			}
			if _, isInt := n.(int64); isInt {
				out := make([]int64, 0, len(x))
				for _, e := range x {
					en, ok := e.(json.Number)
					var v any
					if ok {
						v, ok = number(en)
					}
					i, isI := v.(int64)
					if !ok || !isI {
						return nil, einval("Can't handle arrays of multiple types")
					}
					out = append(out, i)
				}
				return out, nil
			}
			out := make([]float64, 0, len(x))
			for _, e := range x {
				en, ok := e.(json.Number)
				var v any
				if ok {
					v, ok = number(en)
				}
				f, isF := v.(float64)
				if !ok || !isF {
					return nil, einval("Can't handle arrays of multiple types")
				}
				out = append(out, f)
			}
			return out, nil
		}
		return nil, einval("Can't handle arrays of types other than int, string, or double")
	}
	return nil, einval("JSON array/object not allowed %s", full)
}

// MarshalJSON writes the map back as JSON (for forwarding and logs).
func (m CmdMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any(m)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
