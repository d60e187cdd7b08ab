// Package store is the monitor's key-value store, as Ceph's MonitorDBStore
// (src/mon/MonitorDBStore.h): values addressed by (prefix, key), changed
// only by atomic Transactions of put, erase, erase-range and compact ops.
//
// Transactions encode exactly as MonitorDBStore::Transaction does, because
// they travel: a Paxos value is an encoded Transaction, proposed by the
// leader, accepted by peons and applied by everyone on commit.
//
// Two implementations share the Store interface: LevelDB (on disk, every
// Apply synced before it returns) and Mem (for tests). Keys are laid out
// as Ceph's KeyValueDB lays them out, prefix + "\x00" + key, so the store
// reads like a ceph-mon store.db to anyone who dumps it.
package store
