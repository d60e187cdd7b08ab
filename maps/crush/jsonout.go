package crush

import "github.com/kelp-ceph/kelp/internal/cephjson"

// The dumps and trees are built from ordered JSON values that marshal as
// Ceph's JSONFormatter prints (package internal/cephjson).

// Object is a JSON object whose keys keep their insertion order.
type Object = cephjson.Object

// Float is a number printed as Ceph's JSONFormatter::dump_float does.
type Float = cephjson.Float

// NewObject returns an empty Object.
func NewObject() *Object { return cephjson.NewObject() }

// RenderJSON renders v compactly ("json") or with Ceph's four-space
// indentation ("json-pretty"); no trailing newline.
func RenderJSON(v any, pretty bool) ([]byte, error) { return cephjson.Render(v, pretty) }
