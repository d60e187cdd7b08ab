package mon

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/kelp-ceph/kelp/conf"
)

// The monitor validates `config set` against every option Ceph knows, not
// only those kelp-mon itself reads (schema/README.md says where the
// schema comes from).
//
//go:embed schema/options_pacific.json.gz
var schemaGz []byte

var (
	schemaOnce sync.Once
	schema     map[string]*conf.Option
	schemaRaw  map[string]json.RawMessage // each option's entry as Ceph prints it
	schemaErr  error
)

type optionSchemaEntry struct {
	Name    string          `json:"name"`
	Type    string          `json:"type"`
	Level   string          `json:"level"`
	Default json.RawMessage `json:"default"`
	Enum    []string        `json:"enum_values"`
	Min     json.RawMessage `json:"min"`
	Max     json.RawMessage `json:"max"`
	Runtime bool            `json:"can_update_at_runtime"`
	Flags   []string        `json:"flags"`
}

// rawText renders a schema value as the string Ceph prints: strings as
// they are, numbers and bools in JSON spelling.
func rawText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func loadSchema() (map[string]*conf.Option, error) {
	schemaRaw = map[string]json.RawMessage{}
	zr, err := gzip.NewReader(bytes.NewReader(schemaGz))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return nil, err
	}
	entries := make([]optionSchemaEntry, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &entries[i]); err != nil {
			return nil, err
		}
		schemaRaw[entries[i].Name] = r
	}
	types := map[string]conf.Type{}
	for t := conf.TypeUint; t <= conf.TypeMillisecs; t++ {
		types[t.String()] = t
	}
	levels := map[string]conf.Level{"basic": conf.LevelBasic, "advanced": conf.LevelAdvanced, "dev": conf.LevelDev}
	out := make(map[string]*conf.Option, len(entries))
	for _, e := range entries {
		t, ok := types[e.Type]
		if !ok {
			return nil, fmt.Errorf("option %s: unknown type %q", e.Name, e.Type)
		}
		out[e.Name] = &conf.Option{Name: e.Name, Type: t, Level: levels[e.Level],
			Default: rawText(e.Default), Min: rawText(e.Min), Max: rawText(e.Max),
			Enum: e.Enum, Runtime: e.Runtime, Flags: e.Flags}
	}
	return out, nil
}

// lookupOption finds an option's schema: kelp's own table first (it knows
// the logging subsystems and their "N/M" levels), then Ceph's full schema.
func lookupOption(name string) (*conf.Option, bool) {
	if o, ok := conf.Lookup(name); ok {
		return o, true
	}
	schemaOnce.Do(func() { schema, schemaErr = loadSchema() })
	if schemaErr != nil {
		return nil, false
	}
	o, ok := schema[conf.NormalizeName(name)]
	return o, ok
}

// optionHelp returns an option's schema entry as `config help -f json`
// prints it.
func optionHelp(name string) (json.RawMessage, bool) {
	schemaOnce.Do(func() { schema, schemaErr = loadSchema() })
	r, ok := schemaRaw[conf.NormalizeName(name)]
	return r, ok
}
