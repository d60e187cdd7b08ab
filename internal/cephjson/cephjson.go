// Package cephjson renders JSON the way Ceph's JSONFormatter prints it:
// objects whose keys keep their insertion order, doubles with
// max_digits10 precision, no HTML escaping, and "json-pretty" indented by
// four spaces. Values plug into encoding/json, so callers nest them in
// their own structs.
package cephjson

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Object is a JSON object whose keys keep their insertion order.
type Object struct {
	keys []string
	vals []any
}

// NewObject returns an empty Object.
func NewObject() *Object { return &Object{} }

// Set appends a key (Ceph formatters never replace one).
func (o *Object) Set(k string, v any) *Object {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

// Get returns the value of the first k.
func (o *Object) Get(k string) (any, bool) {
	for i, kk := range o.keys {
		if kk == k {
			return o.vals[i], true
		}
	}
	return nil, false
}

// MarshalJSON implements json.Marshaler.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Float is a number printed as Ceph's JSONFormatter::dump_float does
// (%.17g).
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'g', 17, 64), nil
}

// Marshal is json.Marshal without HTML escaping.
func Marshal(v any) ([]byte, error) { return Render(v, false) }

// Render renders v compactly ("json") or with Ceph's four-space
// indentation ("json-pretty"), with no trailing newline.
func Render(v any, pretty bool) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "    ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
