package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Dump writes t as Transaction::dump does through Ceph's pretty JSON
// formatter (what `ceph-monstore-tool STORE dump-paxos` prints): each op
// with its number, type name, prefix and key (or start/end for ranges)
// and a PUT's value length, then num_keys and num_bytes.
func (t *Transaction) Dump(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("{\n    \"ops\": [")
	for i, o := range t.Ops {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n        {\n")
		fields := []string{field("op_num", i)}
		switch o.Type {
		case OpPut:
			fields = append(fields, field("type", "PUT"), field("prefix", o.Prefix), field("key", o.Key), field("length", len(o.Value)))
		case OpErase:
			fields = append(fields, field("type", "ERASE"), field("prefix", o.Prefix), field("key", o.Key))
		case OpEraseRange, OpCompact:
			fields = append(fields, field("type", o.Type.String()), field("prefix", o.Prefix), field("start", o.Key), field("end", o.EndKey))
		default:
			fields = append(fields, field("type", "unknown"), field("op_code", int(o.Type)))
		}
		for j, f := range fields {
			b.WriteString("            " + f)
			if j < len(fields)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("        }")
	}
	if len(t.Ops) > 0 {
		b.WriteString("\n    ")
	}
	fmt.Fprintf(&b, "],\n    %s,\n    %s\n}", field("num_keys", t.Keys), field("num_bytes", t.Bytes))
	_, err := w.Write(b.Bytes())
	return err
}

func field(name string, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return fmt.Sprintf("%q: %s", name, bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
