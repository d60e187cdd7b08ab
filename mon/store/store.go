package store

import (
	"errors"
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
)

// ErrNotFound is returned by Get for a key that is not there.
var ErrNotFound = errors.New("store: key not found")

// ErrClosed is returned by every method after Close.
var ErrClosed = errors.New("store: closed")

// Store is the monitor's key-value store. Implementations must honour
// these contracts, which the shared test suite (storetest.go) checks:
//
//   - Apply applies all of a transaction's ops in order, atomically: after
//     a crash either every op is visible or none is. When Apply returns
//     nil the transaction is durable (it survives kill -9 and a machine
//     crash, as far as fsync is honest). A transaction with an op of
//     unknown type is refused whole, with nothing applied.
//   - Ops see the effects of earlier ops of the same transaction: a put
//     followed by an erase-range covering it leaves nothing, an erase
//     followed by a put leaves the put.
//   - Compact ops are hints with no visible effect.
//   - Get returns ErrNotFound for a missing key; the returned slice is the
//     caller's (it never aliases store memory).
//   - Iterate visits the keys of one prefix in ascending byte order,
//     starting at the first key >= from, until fn returns false. It sees
//     a consistent snapshot; fn must not call Apply. Value slices are only
//     valid during the call to fn.
//   - Prefixes and keys are arbitrary byte strings, except that a prefix
//     may not contain a zero byte (KeyValueDB's separator).
//   - Methods may be called from several goroutines.
type Store interface {
	Get(prefix, key string) ([]byte, error)
	Exists(prefix, key string) (bool, error)
	Iterate(prefix, from string, fn func(key string, value []byte) bool) error
	Apply(t *Transaction) error
	// ClearPrefixes removes every key of the given prefixes in one
	// durable, atomic step (MonitorDBStore::clear).
	ClearPrefixes(prefixes ...string) error
	Close() error
}

// GetU64 reads a version_t value, and 0 when the key is missing, as
// MonitorDBStore::get(prefix, key) does.
func GetU64(s Store, prefix, key string) (uint64, error) {
	b, err := s.Get(prefix, key)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	d := encoding.NewDecoder(b)
	v := d.U64()
	if err := d.Err(); err != nil {
		return 0, fmt.Errorf("store: %s/%s is not a version_t: %w", prefix, key, err)
	}
	return v, nil
}

// GetVersion reads a numbered version's value.
func GetVersion(s Store, prefix string, ver uint64) ([]byte, error) {
	return s.Get(prefix, VersionKey(ver))
}

func checkPrefix(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] == 0 {
			return fmt.Errorf("store: prefix %q contains a zero byte", p)
		}
	}
	return nil
}

func checkTransaction(t *Transaction) error {
	if err := t.Validate(); err != nil {
		return err
	}
	for _, o := range t.Ops {
		if err := checkPrefix(o.Prefix); err != nil {
			return err
		}
	}
	return nil
}
