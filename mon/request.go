package mon

import (
	"fmt"
	"strconv"
	"syscall"
)

// request is one monitor command in flight (MonOpRequest carrying an
// MMonCommand): its parsed arguments, input data, the session it came
// from, and how to answer it.
type request struct {
	prefix  string
	args    map[string]any
	inbl    []byte
	session *Session
	// reply sends the command's result: Ceph's errno as a negative r, the
	// status string and the output data.
	reply func(r int, rs string, out []byte)
	// replied guards against answering twice.
	replied bool
	// id names a write across resends, for the request log (reqlog.go),
	// and cmdHash tells it from another command under the same id; id is
	// "" for reads and for requests that cannot be named.
	id      string
	cmdHash uint64
}

func (r *request) respond(code int, rs string, out []byte) {
	if r.replied {
		return
	}
	r.replied = true
	r.reply(code, rs, out)
}

// errno turns a syscall errno into Ceph's negative return code.
func errno(e syscall.Errno) int { return -int(e) }

// str returns a string argument, and whether it was given.
func (r *request) str(name string) (string, bool) {
	v, ok := r.args[name]
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return fmt.Sprint(v), true
}

// has reports whether an argument was given.
func (r *request) has(name string) bool {
	_, ok := r.args[name]
	return ok
}

// strOr returns a string argument or def.
func (r *request) strOr(name, def string) string {
	if s, ok := r.str(name); ok {
		return s
	}
	return def
}

// int returns an integer argument, and whether it was given and valid.
func (r *request) int(name string) (int64, bool) {
	switch v := r.args[name].(type) {
	case int64:
		return v, true
	case float64:
		return int64(v), v == float64(int64(v))
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// bool returns a boolean argument, false when absent.
func (r *request) bool(name string) bool {
	switch v := r.args[name].(type) {
	case bool:
		return v
	case string:
		b, _ := strconv.ParseBool(v)
		return b
	}
	return false
}

// strs returns a list argument (CephString n=N).
func (r *request) strs(name string) []string {
	switch v := r.args[name].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	case string:
		return []string{v}
	}
	return nil
}
