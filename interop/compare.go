package interop

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SameShape reports where two JSON documents differ in shape: the keys of
// every object and the type of every value, recursively; arrays are
// compared by their first element when both have one. Values themselves
// (fsids, keys, times) may differ. ignore names objects whose keys are
// data (e.g. a version string, a stored key), by their key in the parent,
// or "$" for the document itself: only their type is compared.
func SameShape(a, b []byte, ignore ...string) error {
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		return fmt.Errorf("first document: %w", err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return fmt.Errorf("second document: %w", err)
	}
	return sameShape("$", "$", va, vb, ignore)
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func sameShape(path, name string, a, b any, ignore []string) error {
	if typeName(a) != typeName(b) {
		return fmt.Errorf("%s: %s vs %s", path, typeName(a), typeName(b))
	}
	if slices.Contains(ignore, name) {
		return nil
	}
	switch a := a.(type) {
	case map[string]any:
		b := b.(map[string]any)
		ka, kb := slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b))
		if !slices.Equal(ka, kb) {
			return fmt.Errorf("%s: keys %v vs %v", path, ka, kb)
		}
		for _, k := range ka {
			if err := sameShape(path+"."+k, k, a[k], b[k], ignore); err != nil {
				return err
			}
		}
	case []any:
		b := b.([]any)
		if len(a) > 0 && len(b) > 0 {
			return sameShape(path+"[0]", name, a[0], b[0], ignore)
		}
	}
	return nil
}

// SameEnding reports whether two command outputs end alike: the same run
// of trailing newlines (none, one, or the two of a pretty document
// followed by an explicit newline). How a Ceph monitor hands a command's
// output over decides it, so it holds even where the values differ.
func SameEnding(a, b string) error {
	ea, eb := a[len(strings.TrimRight(a, "\n")):], b[len(strings.TrimRight(b, "\n")):]
	if ea != eb {
		return fmt.Errorf("ends with %q vs %q (...%q vs ...%q)", ea, eb, a[max(0, len(a)-30):], b[max(0, len(b)-30):])
	}
	return nil
}
