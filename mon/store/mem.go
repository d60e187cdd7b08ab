package store

import (
	"slices"
	"strings"
	"sync"
)

// Mem is an in-memory Store for tests. Its zero value is not usable; use
// NewMem. Durability is trivially "until the process ends"; tests that
// simulate crashes keep the Mem and drop everything else.
type Mem struct {
	mu     sync.RWMutex
	data   map[string]map[string][]byte
	closed bool
}

// NewMem returns an empty in-memory store.
func NewMem() *Mem { return &Mem{data: map[string]map[string][]byte{}} }

func (m *Mem) Get(prefix, key string) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, ErrClosed
	}
	v, ok := m.data[prefix][key]
	if !ok {
		return nil, ErrNotFound
	}
	return slices.Clone(v), nil
}

func (m *Mem) Exists(prefix, key string) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return false, ErrClosed
	}
	_, ok := m.data[prefix][key]
	return ok, nil
}

func (m *Mem) Iterate(prefix, from string, fn func(key string, value []byte) bool) error {
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return ErrClosed
	}
	// Snapshot the keys and values so fn runs without the lock.
	var keys []string
	for k := range m.data[prefix] {
		if k >= from {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		vals[i] = m.data[prefix][k]
	}
	m.mu.RUnlock()
	for i, k := range keys {
		if !fn(k, vals[i]) {
			break
		}
	}
	return nil
}

func (m *Mem) Apply(t *Transaction) error {
	if err := checkTransaction(t); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for _, o := range t.Ops {
		switch o.Type {
		case OpPut:
			p := m.data[o.Prefix]
			if p == nil {
				p = map[string][]byte{}
				m.data[o.Prefix] = p
			}
			p[o.Key] = slices.Clone(o.Value)
		case OpErase:
			delete(m.data[o.Prefix], o.Key)
		case OpEraseRange:
			for k := range m.data[o.Prefix] {
				if k >= o.Key && k < o.EndKey {
					delete(m.data[o.Prefix], k)
				}
			}
		}
	}
	return nil
}

func (m *Mem) ClearPrefixes(prefixes ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for _, p := range prefixes {
		delete(m.data, p)
	}
	return nil
}

func (m *Mem) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// Keys returns every (prefix, key) in order, "prefix/key" joined, for
// tests and debugging.
func (m *Mem) Keys() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for p, kv := range m.data {
		for k := range kv {
			out = append(out, p+"/"+k)
		}
	}
	slices.SortFunc(out, strings.Compare)
	return out
}
