package mon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/store"
)

// The monitor's own keys (src/mon/Monitor.cc, Monitor::mkfs).
const (
	monitorPrefix  = "monitor"
	keyMagic       = "magic"
	keyClusterUUID = "cluster_uuid"
	mkfsKeyringKey = "keyring"
	// storeMagic marks a monitor store, as ceph-mon's CEPH_MON_ONDISK_MAGIC.
	storeMagic = "ceph mon volume v012"
)

// storeDir is where the leveldb store lives inside the data directory.
func storeDir(dataDir string) string { return filepath.Join(dataDir, "store.db") }

// Mkfs creates a new monitor store in dataDir holding the initial monmap
// and the keyring (text, as ceph-authtool writes it) that the first
// leader turns into epoch 1 of every map. It refuses a directory that
// already holds a store.
func Mkfs(dataDir string, mm *monmap.MonMap, keyring []byte) error {
	if _, err := os.Stat(storeDir(dataDir)); err == nil {
		return fmt.Errorf("mon: %s already holds a monitor store", dataDir)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	st, err := store.OpenLevelDB(storeDir(dataDir))
	if err != nil {
		return err
	}
	defer st.Close()
	tx := store.NewTransaction()
	tx.Put(monitorPrefix, keyMagic, []byte(storeMagic))
	tx.Put(monitorPrefix, keyClusterUUID, []byte(mm.FSID.String()+"\n"))
	tx.Put(mkfsPrefix, mkfsMonmapKey, mm.Encode(encoding.FeaturesPacific))
	tx.Put(mkfsPrefix, mkfsKeyringKey, keyring)
	if err := st.Apply(tx); err != nil {
		return err
	}
	// Ceph marks the backend beside the store; kelp keeps leveldb.
	return os.WriteFile(filepath.Join(dataDir, "kv_backend"), []byte("leveldb\n"), 0o644)
}

// checkMagic verifies that a store was made by Mkfs.
func checkMagic(st store.Store) error {
	b, err := st.Get(monitorPrefix, keyMagic)
	if errors.Is(err, store.ErrNotFound) {
		return errors.New("mon: store has no magic: not a monitor store (run --mkfs first)")
	}
	if err != nil {
		return err
	}
	if string(b) != storeMagic {
		return fmt.Errorf("mon: store magic %q, want %q", b, storeMagic)
	}
	return nil
}
