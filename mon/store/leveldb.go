package store

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// LevelDB is a Store on disk in a LevelDB database (what ceph-mon used
// before RocksDB, mon_keyvaluedb = leveldb). Every Apply is one write
// batch written with sync, so an acknowledged transaction survives kill -9.
type LevelDB struct {
	mu sync.Mutex // serializes Apply, as MonitorDBStore's io_work does
	db *leveldb.DB
}

var syncWrite = &opt.WriteOptions{Sync: true}

// writeBuffer is the memtable's size. goleveldb allocates it whole when
// it opens (4 MiB by default), and the Go collector counts it as live
// heap although a monitor's small Paxos writes touch little of it: with
// GOGC=100 it let 4 MiB more garbage become resident as sessions came
// in. 1 MiB still gathers hundreds of commits per table flush.
var writeBuffer = 1 << 20

// OpenLevelDB opens (creating if needed) the database in dir, e.g.
// "$mon_data/store.db".
func OpenLevelDB(dir string) (*LevelDB, error) {
	db, err := leveldb.OpenFile(dir, &opt.Options{WriteBuffer: writeBuffer})
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", dir, err)
	}
	return &LevelDB{db: db}, nil
}

// combine is KeyValueDB's key layout: prefix, a zero byte, key.
func combine(prefix, key string) []byte {
	b := make([]byte, 0, len(prefix)+1+len(key))
	b = append(b, prefix...)
	b = append(b, 0)
	return append(b, key...)
}

func wrap(err error) error {
	if errors.Is(err, leveldb.ErrClosed) {
		return ErrClosed
	}
	return err
}

func (l *LevelDB) Get(prefix, key string) ([]byte, error) {
	v, err := l.db.Get(combine(prefix, key), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, wrap(err)
	}
	return v, nil
}

func (l *LevelDB) Exists(prefix, key string) (bool, error) {
	ok, err := l.db.Has(combine(prefix, key), nil)
	return ok, wrap(err)
}

// prefixRange is every key of a prefix: [prefix\0, prefix\1).
func prefixRange(prefix string) *util.Range {
	return &util.Range{Start: combine(prefix, ""), Limit: append([]byte(prefix), 1)}
}

func (l *LevelDB) Iterate(prefix, from string, fn func(key string, value []byte) bool) error {
	r := prefixRange(prefix)
	r.Start = combine(prefix, from)
	it := l.db.NewIterator(r, nil)
	defer it.Release()
	for it.Next() {
		if !fn(string(it.Key()[len(prefix)+1:]), it.Value()) {
			break
		}
	}
	return wrap(it.Error())
}

func (l *LevelDB) Apply(t *Transaction) error {
	if err := checkTransaction(t); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var b leveldb.Batch
	// Keys put or erased earlier in this batch, so that a later range
	// erase also removes keys only the batch holds.
	pending := map[string]bool{}
	var compacts []*util.Range
	for _, o := range t.Ops {
		switch o.Type {
		case OpPut:
			k := combine(o.Prefix, o.Key)
			b.Put(k, o.Value)
			pending[string(k)] = true
		case OpErase:
			k := combine(o.Prefix, o.Key)
			b.Delete(k)
			pending[string(k)] = false
		case OpEraseRange:
			start, end := combine(o.Prefix, o.Key), combine(o.Prefix, o.EndKey)
			it := l.db.NewIterator(&util.Range{Start: start, Limit: end}, nil)
			for it.Next() {
				k := slices.Clone(it.Key())
				if live, seen := pending[string(k)]; seen && !live {
					continue
				}
				b.Delete(k)
				pending[string(k)] = false
			}
			it.Release()
			if err := it.Error(); err != nil {
				return wrap(err)
			}
			for k, live := range pending {
				if live && k >= string(start) && k < string(end) {
					b.Delete([]byte(k))
					pending[k] = false
				}
			}
		case OpCompact:
			if o.Key == "" && o.EndKey == "" {
				compacts = append(compacts, prefixRange(o.Prefix))
			} else {
				compacts = append(compacts, &util.Range{Start: combine(o.Prefix, o.Key), Limit: combine(o.Prefix, o.EndKey)})
			}
		}
	}
	if err := l.db.Write(&b, syncWrite); err != nil {
		return fmt.Errorf("store: write: %w", wrap(err))
	}
	// Compaction is a hint; Ceph runs it asynchronously after the commit.
	for _, r := range compacts {
		_ = l.db.CompactRange(*r)
	}
	return nil
}

func (l *LevelDB) ClearPrefixes(prefixes ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b leveldb.Batch
	for _, p := range prefixes {
		if err := checkPrefix(p); err != nil {
			return err
		}
		it := l.db.NewIterator(prefixRange(p), nil)
		for it.Next() {
			b.Delete(slices.Clone(it.Key()))
		}
		it.Release()
		if err := it.Error(); err != nil {
			return wrap(err)
		}
	}
	return wrap(l.db.Write(&b, syncWrite))
}

func (l *LevelDB) Close() error { return wrap(l.db.Close()) }
