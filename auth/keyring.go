package auth

import (
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
)

// KeyRing is a set of entities with their keys and caps, as ceph-authtool
// manages and the CLI and daemons read (src/auth/KeyRing.cc).
type KeyRing struct {
	Entries map[encoding.EntityName]EntityAuth
}

// NewKeyRing returns an empty keyring.
func NewKeyRing() *KeyRing { return &KeyRing{Entries: map[encoding.EntityName]EntityAuth{}} }

// Names returns the entity names in Ceph's order (by type number, then id).
func (k *KeyRing) Names() []encoding.EntityName {
	return slices.SortedFunc(maps.Keys(k.Entries), CompareEntityName)
}

// Get returns the entry for name.
func (k *KeyRing) Get(name encoding.EntityName) (EntityAuth, bool) {
	a, ok := k.Entries[name]
	return a, ok
}

// Add sets name's entry.
func (k *KeyRing) Add(name encoding.EntityName, a EntityAuth) {
	if k.Entries == nil {
		k.Entries = map[encoding.EntityName]EntityAuth{}
	}
	k.Entries[name] = a
}

// ParseKeyRing reads a keyring in the binary form the monitor exchanges
// (`ceph auth import`, KeyRing::encode) or, when that does not decode, in
// ceph-authtool's text form, as KeyRing::decode does.
func ParseKeyRing(b []byte) (*KeyRing, error) {
	if kr, err := DecodeKeyRing(b); err == nil {
		return kr, nil
	}
	return ParseKeyRingText(string(b))
}

// LoadKeyRing reads a keyring file.
func LoadKeyRing(path string) (*KeyRing, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	kr, err := ParseKeyRing(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return kr, nil
}

// ParseKeyRingText reads the text form:
//
//	[client.admin]
//		key = AQ...==
//		caps mon = "allow *"
//
// with KeyRing::decode_plaintext's rules: a [global] section is ignored,
// every other section must name an entity, and its lines may only be `key`,
// `caps SERVICE` or the retired `auid`. A section with no lines adds
// nothing; one with caps but no key adds an entry with an empty key.
func ParseKeyRingText(text string) (*KeyRing, error) {
	// Keyrings are written in Ceph's ConfFile dialect, which ceph-authtool
	// parses with the same code as ceph.conf.
	f, err := conf.Parse([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("auth: keyring: %w", err)
	}
	kr := NewKeyRing()
	for _, sec := range f.Order {
		if sec == "global" {
			continue
		}
		name, err := encoding.ParseEntityName(sec)
		if err != nil {
			return nil, fmt.Errorf("auth: keyring: bad entity name [%s]", sec)
		}
		vals := f.Sections[sec]
		for _, k := range slices.Sorted(maps.Keys(vals)) {
			if k == "" {
				continue
			}
			if err := kr.setModifier(name, strings.ReplaceAll(k, "_", " "), vals[k]); err != nil {
				return nil, fmt.Errorf("auth: keyring: [%s] %s: %w", sec, k, err)
			}
		}
	}
	return kr, nil
}

func (k *KeyRing) setModifier(name encoding.EntityName, typ, val string) error {
	a := k.Entries[name]
	switch {
	case typ == "key":
		key, err := parseKeyLenient(val)
		if err != nil {
			return err
		}
		a.Key = key
	case strings.HasPrefix(typ, "caps "):
		svc := typ[len("caps "):]
		if svc == "" {
			return fmt.Errorf("caps without a service")
		}
		if a.Caps == nil {
			a.Caps = Caps{}
		}
		a.Caps[svc] = val
	case typ == "auid":
		// Retired; old keyrings still carry it.
		return nil
	default:
		return fmt.Errorf("unknown keyring field %q", typ)
	}
	k.Add(name, a)
	return nil
}

// parseKeyLenient is ParseKey, also accepting base64 with data after the
// first padded group, which Ceph's decoder stops at.
func parseKeyLenient(s string) (CryptoKey, error) {
	k, err := ParseKey(s)
	if err == nil {
		return k, nil
	}
	if i := strings.IndexByte(s, '='); i >= 0 {
		end := (i + 3) / 4 * 4
		if end <= len(s) {
			if raw, err2 := base64.StdEncoding.DecodeString(s[:end]); err2 == nil {
				d := encoding.NewDecoder(raw)
				if k := DecodeCryptoKey(d); d.Err() == nil {
					return k, nil
				}
			}
		}
	}
	return CryptoKey{}, err
}

// Text returns the keyring in the text form ceph-authtool writes: entities
// in Ceph's order, a tab before each line, caps sorted by service and
// quoted with '"' escaped (and nothing else, as Ceph does).
func (k *KeyRing) Text() string {
	var b strings.Builder
	for _, name := range k.Names() {
		a := k.Entries[name]
		fmt.Fprintf(&b, "[%s]\n\tkey = %s\n", name, a.Key)
		for _, svc := range slices.Sorted(maps.Keys(a.Caps)) {
			fmt.Fprintf(&b, "\tcaps %s = \"%s\"\n", svc, strings.ReplaceAll(a.Caps[svc], `"`, `\"`))
		}
	}
	return b.String()
}

// Encode appends the binary form (KeyRing::encode): struct_v 1 and the
// map of entity names to EntityAuth.
func (k *KeyRing) Encode(e *encoding.Encoder) {
	e.U8(1)
	names := k.Names()
	e.Count(len(names))
	for _, n := range names {
		e.EntityName(n)
		k.Entries[n].Encode(e)
	}
}

// DecodeKeyRing reads the binary form; the whole input must be consumed.
func DecodeKeyRing(b []byte) (*KeyRing, error) {
	d := encoding.NewDecoder(b)
	d.U8() // struct_v
	// name (4+4), EntityAuth (1+8+12+4) at least.
	n := d.Count(37)
	kr := NewKeyRing()
	for range n {
		name := d.EntityName()
		a := DecodeEntityAuth(d)
		if d.Err() != nil {
			break
		}
		kr.Entries[name] = a
	}
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("auth: binary keyring: %w", err)
	}
	return kr, nil
}
