package mon

import (
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

// replyJSON answers r with v rendered in format.
func (r *request) replyJSON(code int, rs string, v any, format string) {
	out, err := renderJSON(v, format)
	if err != nil {
		r.respond(errno(syscall.EIO), "failed to render output: "+err.Error(), nil)
		return
	}
	r.respond(code, rs, out)
}
