package conf

import (
	"os"
	"slices"
	"strconv"
	"strings"
)

// metaChars are the characters of a metavariable name ($foo or ${foo}).
const metaChars = "abcdefghijklmnopqrstuvwxyz_"

// expand replaces metavariables in s as md_config_t::_expand_meta does:
// $cluster, $type, $name, $host, $num, $id, $pid, $cctid, $home, $data_dir
// and $<option> (the referenced option's value, itself expanded). An
// unknown variable is left as written. A reference loop makes the whole
// value "$<option>", where the loop was found, as in Ceph. o is the option
// being expanded (nil for a bare file lookup); stack holds the options
// being expanded around it.
func (c *Config) expand(s string, o *Option, stack []*Option, budget *int) string {
	pos := strings.IndexByte(s, '$')
	if pos < 0 {
		return s
	}
	if o != nil {
		stack = append(stack, o)
	}
	var out strings.Builder
	last := 0
	for pos >= 0 {
		out.WriteString(s[last:pos])
		var name string
		end := len(s)
		if pos+1 < len(s) && s[pos+1] == '{' {
			e := notIn(s, pos+2)
			if e >= 0 && s[e] == '}' {
				name = s[pos+2 : e]
				end = e + 1
			} else {
				end = e
			}
		} else {
			e := notIn(s, pos+1)
			if e >= 0 {
				name = s[pos+1 : e]
				end = e
			} else {
				name = s[pos+1:]
			}
		}
		if end < 0 {
			end = len(s)
		}
		last = end
		switch name {
		case "":
			out.WriteByte('$')
		case "type":
			out.WriteString(c.Name.Type.String())
		case "cluster":
			out.WriteString(c.Cluster)
		case "name":
			out.WriteString(c.Name.String())
		case "host":
			if h := c.hostOption(stack); h != "" {
				out.WriteString(h)
			} else {
				out.WriteString(c.shortHostname())
			}
		case "num", "id":
			out.WriteString(c.Name.ID)
		case "pid":
			if p := os.Getenv("PID"); p != "" {
				out.WriteString(p)
			} else {
				out.WriteString(strconv.Itoa(os.Getpid()))
			}
		case "cctid":
			out.WriteString("0")
		case "home":
			out.WriteString(os.Getenv("HOME"))
		default:
			if name == "data_dir" && c.DataDirOption != "" {
				name = c.DataDirOption
			}
			ref, ok := Lookup(name)
			if !ok || strings.ContainsAny(name, " -") {
				out.WriteString(s[pos:end])
				break
			}
			if slices.Contains(stack, ref) {
				return "$" + ref.Name
			}
			// A file can make references fan out exponentially
			// (a = $b$b, b = $c$c, ...): past a budget of references
			// per lookup, leave them unexpanded.
			if *budget <= 0 {
				out.WriteString(s[pos:end])
				break
			}
			*budget--
			out.WriteString(c.get(ref, stack, budget).String())
		}
		if last >= len(s) {
			break
		}
		if i := strings.IndexByte(s[last:], '$'); i >= 0 {
			pos = last + i
		} else {
			pos = -1
		}
	}
	if last < len(s) {
		out.WriteString(s[last:])
	}
	return out.String()
}

// expandTop expands a value outside any option lookup, with a fresh
// reference budget.
func (c *Config) expandTop(s string) string {
	budget := maxExpansions
	return c.expand(s, nil, nil, &budget)
}

// notIn returns the index of the first byte at or after i that is not a
// metavariable character, or -1.
func notIn(s string, i int) int {
	for ; i < len(s); i++ {
		if strings.IndexByte(metaChars, s[i]) < 0 {
			return i
		}
	}
	return -1
}

// hostOption is the value of the host option, unless it is being expanded.
func (c *Config) hostOption(stack []*Option) string {
	o, ok := Lookup("host")
	if !ok || slices.Contains(stack, o) {
		return ""
	}
	v, _ := c.rawValue(o)
	s, _ := v.v.(string)
	return s
}
