package paxos

import (
	"errors"
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
)

// Storage is what Paxos needs of the monitor's store; store.Store
// implements it. Apply must be atomic and durable when it returns (see
// store.Store).
type Storage interface {
	Get(prefix, key string) ([]byte, error)
	Exists(prefix, key string) (bool, error)
	Apply(t *store.Transaction) error
}

// Prefix is the store prefix Paxos keeps its state under (get_name()).
const Prefix = "paxos"

// Keys of Paxos's own state, as ceph-mon names them.
const (
	KeyFirstCommitted = "first_committed"
	KeyLastCommitted  = "last_committed"
	KeyLastPN         = "last_pn"
	KeyAcceptedPN     = "accepted_pn"
	KeyPendingV       = "pending_v"
	KeyPendingPN      = "pending_pn"
)

// StorageError wraps a failure of the store. Ceph aborts the monitor on
// these; the driver should stop the monitor too.
type StorageError struct{ Err error }

func (e *StorageError) Error() string { return "paxos: store: " + e.Err.Error() }
func (e *StorageError) Unwrap() error { return e.Err }

func (p *Paxos) getU64(key string) uint64 {
	if p.err != nil {
		return 0
	}
	b, err := p.st.Get(Prefix, key)
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	if err != nil {
		p.err = &StorageError{err}
		return 0
	}
	d := encoding.NewDecoder(b)
	v := d.U64()
	if d.Err() != nil {
		p.err = &StorageError{fmt.Errorf("%s/%s is not a version_t", Prefix, key)}
	}
	return v
}

func (p *Paxos) exists(v uint64) bool {
	if p.err != nil {
		return false
	}
	ok, err := p.st.Exists(Prefix, store.VersionKey(v))
	if err != nil {
		p.err = &StorageError{err}
	}
	return ok
}

func (p *Paxos) getVersion(v uint64) []byte {
	if p.err != nil {
		return nil
	}
	b, err := p.st.Get(Prefix, store.VersionKey(v))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.err = &StorageError{err}
	}
	return b
}

func (p *Paxos) apply(t *store.Transaction) {
	if p.err != nil {
		return
	}
	if err := p.st.Apply(t); err != nil {
		p.err = &StorageError{err}
	}
}

// decodeAppend decodes an encoded transaction (a Paxos value) and appends
// it to t (decode_append_transaction).
func decodeAppend(t *store.Transaction, value []byte) error {
	tx, err := store.UnmarshalTransaction(value)
	if err != nil {
		return err
	}
	if err := tx.Validate(); err != nil {
		return err
	}
	t.Append(tx)
	return nil
}
