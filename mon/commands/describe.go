package commands

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kelp-ceph/kelp/encoding"
)

// Descriptions returns the reply body of get_command_descriptions for a
// peer with the given features, byte for byte as a Pacific mon writes it
// with its compact JSON formatter (Monitor::format_command_descriptions
// and dump_cmddesc_to_json in src/common/cmdparse.cc): an object whose
// keys are cmd000, cmd001, ... in table order, each with "sig" (literal
// words as strings, arguments as objects with their descriptor keys in
// sorted order, all values strings), "help", "module", "perm" and
// "flags". Peers without SERVER_NAUTILUS get CephBool arguments as
// CephChoices of "--name-with-dashes", as Ceph does.
func Descriptions(cmds []Command, features uint64) []byte {
	var b strings.Builder
	b.WriteByte('{')
	for i := range cmds {
		c := &cmds[i]
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\"cmd%03d\":{\"sig\":[", i)
		first := true
		for _, w := range strings.Split(c.Sig, " ") {
			if !first {
				b.WriteByte(',')
			}
			first = false
			if !strings.ContainsAny(w, ",=") {
				writeString(&b, w)
				continue
			}
			kv := descKeys(w)
			if !encoding.HasFeature(features, encoding.FeatureServerNautilus) && kv["type"] == "CephBool" {
				kv["type"] = "CephChoices"
				kv["strings"] = "--" + strings.ReplaceAll(kv["name"], "_", "-")
			}
			keys := make([]string, 0, len(kv))
			for k := range kv {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			b.WriteByte('{')
			for j, k := range keys {
				if j > 0 {
					b.WriteByte(',')
				}
				writeString(&b, k)
				b.WriteByte(':')
				writeString(&b, kv[k])
			}
			b.WriteByte('}')
		}
		b.WriteString("],\"help\":")
		writeString(&b, c.Help)
		b.WriteString(",\"module\":")
		writeString(&b, c.Module)
		b.WriteString(",\"perm\":")
		writeString(&b, c.Perm)
		b.WriteString(",\"flags\":")
		b.WriteString(strconv.FormatUint(uint64(c.Flags), 10))
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return []byte(b.String())
}

// writeString writes s as a JSON string the way Ceph's JSON formatter
// escapes it: quote, backslash and control characters; everything else,
// '/' and non-ASCII included, as is.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				fmt.Fprintf(b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// tableDescriptions holds the two answers TableDescriptions can give:
// for clients older than Nautilus and for the rest.
var tableDescriptions [2]struct {
	once sync.Once
	b    []byte
}

// TableDescriptions is Descriptions of the monitor's own command table,
// made once for each kind of client: the CLI asks for it on every run,
// and building it was about a quarter of kelp-mon's CPU for a `ceph -s`.
// The slice is shared; callers must not change it.
func TableDescriptions(features uint64) []byte {
	i := 0
	if encoding.HasFeature(features, encoding.FeatureServerNautilus) {
		i = 1
	}
	d := &tableDescriptions[i]
	d.once.Do(func() { d.b = Descriptions(table, features) })
	return d.b
}
