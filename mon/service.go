package mon

import (
	"fmt"
	"strconv"

	"github.com/kelp-ceph/kelp/mon/store"
)

// Version keys every PaxosService keeps under its own prefix
// (src/mon/PaxosService.h): numbered incrementals "1", "2", ..., full
// states "full_N" for services that keep them, and the bounds.
const (
	keyFirstCommitted = "first_committed"
	keyLastCommitted  = "last_committed"
	keyFullLatest     = "full_latest"
)

// versions reads and writes one service's version keys.
type versions struct {
	prefix string
	st     store.Store
}

func (v versions) lastCommitted() (uint64, error) {
	return store.GetU64(v.st, v.prefix, keyLastCommitted)
}

func (v versions) firstCommitted() (uint64, error) {
	return store.GetU64(v.st, v.prefix, keyFirstCommitted)
}

// putLastCommitted records ver as committed, and as the first committed
// version when there was none (PaxosService::put_last_committed).
func (v versions) putLastCommitted(tx *store.Transaction, ver uint64) error {
	first, err := v.firstCommitted()
	if err != nil {
		return err
	}
	tx.PutU64(v.prefix, keyLastCommitted, ver)
	if first == 0 {
		tx.PutU64(v.prefix, keyFirstCommitted, ver)
	}
	return nil
}

func (v versions) get(ver uint64) ([]byte, error) { return store.GetVersion(v.st, v.prefix, ver) }

func (v versions) put(tx *store.Transaction, ver uint64, b []byte) {
	tx.PutVersion(v.prefix, ver, b)
}

func fullKey(ver uint64) string { return "full_" + strconv.FormatUint(ver, 10) }

func (v versions) getFull(ver uint64) ([]byte, error) { return v.st.Get(v.prefix, fullKey(ver)) }

// putFull stores a full state and marks it the latest full version.
func (v versions) putFull(tx *store.Transaction, ver uint64, b []byte) {
	tx.Put(v.prefix, fullKey(ver), b)
	tx.PutU64(v.prefix, keyFullLatest, ver)
}

func (v versions) fullLatest() (uint64, error) { return store.GetU64(v.st, v.prefix, keyFullLatest) }

// newerFull returns the last committed version and its full state when
// it is newer than have, and version 0 when there is nothing new: the
// first step of update_from_paxos for services that store full states.
func (v versions) newerFull(have uint64) (uint64, []byte, error) {
	last, err := v.lastCommitted()
	if err != nil || last == have {
		return 0, nil, err
	}
	b, err := v.getFull(last)
	if err != nil {
		return 0, nil, err
	}
	return last, b, nil
}

// latestMap loads the newest version of a service whose every version is
// a whole map (MonmapMonitor, MgrMonitor, MDSMonitor: the epoch is the
// version) when it is newer than have; ver is 0 when nothing is newer.
func latestMap[M any](v versions, have uint64, decode func([]byte) (M, error)) (m M, ver uint64, err error) {
	last, err := v.lastCommitted()
	if err != nil || last == 0 || last == have {
		return m, 0, err
	}
	b, err := v.get(last)
	if err != nil {
		return m, 0, err
	}
	if m, err = decode(b); err != nil {
		return m, 0, fmt.Errorf("mon: stored %s %d: %w", v.prefix, last, err)
	}
	return m, last, nil
}

// putWhole stores a whole map as version ver and marks it committed.
func (v versions) putWhole(tx *store.Transaction, ver uint64, b []byte) error {
	v.put(tx, ver, b)
	return v.putLastCommitted(tx, ver)
}

// service is one PaxosService: a piece of cluster state with its own
// store prefix, versions and commands.
type service interface {
	// name is the service's store prefix ("osdmap", "auth", "kv", ...).
	name() string
	// createInitial makes the state of a brand-new cluster the service's
	// pending change.
	createInitial() error
	// refresh reloads the committed state from the store after a commit
	// (update_from_paxos) and notifies subscribers of new versions.
	refresh() error
	// command handles a command routed to the service and reports
	// whether it knew the prefix. A read replies at once; a write changes
	// the pending state, asks the monitor to propose, and replies once
	// the change commits.
	command(req *request) bool
	// discardPending drops the changes not yet proposed, when an
	// election starts (mon/discard.go).
	discardPending()
	// encodePending writes the pending changes into tx as the next
	// version and reports whether there were any.
	encodePending(tx *store.Transaction) (bool, error)
}
