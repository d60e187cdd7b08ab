package mon

import (
	"bytes"
	"syscall"

	"github.com/kelp-ceph/kelp/internal/cephjson"
)

// Output formats a command may ask for with "format" (Formatter::create).
const (
	fmtPlain      = "plain"
	fmtJSON       = "json"
	fmtJSONPretty = "json-pretty"
)

// formatOf returns the output format a request asked for, or def when it
// asked for none.
func (r *request) formatOf(def string) string {
	switch f := r.strOr("format", ""); f {
	case fmtJSON, fmtJSONPretty, fmtPlain:
		return f
	case "xml", "xml-pretty", "yaml":
		// Not offered by kelp; Ceph's JSON is the machine format.
		return fmtJSONPretty
	}
	return def
}

// isJSON reports whether a format is one of the JSON formats.
func isJSON(f string) bool { return f == fmtJSON || f == fmtJSONPretty }

// renderJSON encodes v as Ceph's JSONFormatter does: compact for "json",
// four-space indentation for "json-pretty" (with the trailing newline
// Ceph's pretty formatter ends with). HTML characters are not escaped.
func renderJSON(v any, format string) ([]byte, error) {
	out, err := cephjson.Render(v, format == fmtJSONPretty)
	if err != nil {
		return nil, err
	}
	if format == fmtJSONPretty {
		out = append(out, '\n')
	}
	return out, nil
}

// sink is how a command's output reaches the reply's data in Ceph, which
// decides the output's last bytes. Ceph chooses per command.
type sink int

const (
	// flushed: f->flush(rdata), the Formatter's bytes as they are (compact
	// JSON without a newline, pretty JSON with one).
	flushed sink = iota
	// streamed: the output is written into a stringstream that is then
	// appended with bufferlist::append(std::istream&): see streamLines.
	streamed
	// newlined: f->flush(rs); rs << "\n"; rdata.append(rs.str()), one
	// newline more than flushed (pretty JSON ends "}\n\n").
	newlined
)

// apply returns out as the sink leaves it.
func (s sink) apply(out []byte) []byte {
	switch s {
	case streamed:
		return streamLines(out)
	case newlined:
		return append(out, '\n')
	}
	return out
}

// streamLines returns out as bufferlist::append(std::istream&) copies a
// stream (src/common/buffer.cc): line by line with getline, each
// non-empty line followed by "\n", empty lines dropped. That is why the
// commands that reply with rdata.append(ds) end their compact JSON with a
// newline and lose the blank lines of their plain text.
func streamLines(out []byte) []byte {
	var b []byte
	for line := range bytes.Lines(out) {
		if line = bytes.TrimSuffix(line, []byte{'\n'}); len(line) > 0 {
			b = append(append(b, line...), '\n')
		}
	}
	return b
}

// replyJSON answers r with v rendered in format and flushed straight into
// the reply (the flushed sink).
func (r *request) replyJSON(code int, rs string, v any, format string) {
	r.replyJSONVia(flushed, code, rs, v, format)
}

// replyJSONVia answers r with v rendered in format and passed through s.
func (r *request) replyJSONVia(s sink, code int, rs string, v any, format string) {
	out, err := renderJSON(v, format)
	if err != nil {
		r.respond(errno(syscall.EIO), "failed to render output: "+err.Error(), nil)
		return
	}
	r.respond(code, rs, s.apply(out))
}
