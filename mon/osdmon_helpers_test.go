package mon

import (
	"net/netip"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/store"
)

// testCluster returns a monitor over an in-memory store that has run the
// first election of a new cluster: every service holds its epoch-1
// state, as after kelp-mon mkfs and start-up.
func testCluster(t *testing.T) *Monitor {
	t.Helper()
	st := store.NewMem()
	fsid := encoding.UUID{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01}
	mm := monmap.New(fsid, encoding.UTimeOf(time.Unix(1700000000, 0)))
	addr := encoding.NewAddr(encoding.AddrMsgr2, netip.MustParseAddrPort("127.0.0.1:3300"))
	if err := mm.Add("a", encoding.EntityAddrVec{addr}); err != nil {
		t.Fatal(err)
	}
	tx := store.NewTransaction()
	tx.Put(monitorPrefix, keyMagic, []byte(storeMagic))
	tx.Put(mkfsPrefix, mkfsMonmapKey, mm.Encode(encoding.FeaturesPacific))
	tx.Put(mkfsPrefix, mkfsKeyringKey, []byte("[mon.]\n\tkey = AQCZJQRrhV7LGBAAUW8bcfn/vLLAFPjsDE4F6Q==\n\tcaps mon = \"allow *\"\n"))
	if err := st.Apply(tx); err != nil {
		t.Fatal(err)
	}
	m := newMonitor("a", st, nil)
	m.cons = &applyNow{m}
	if err := m.refreshAll(); err != nil {
		t.Fatal(err)
	}
	if err := m.createInitial(); err != nil {
		t.Fatal(err)
	}
	m.maybePropose()
	if m.osd.osdmap == nil || m.osd.epoch() != 1 {
		t.Fatalf("osdmap after the first proposal: %v", m.osd.osdmap)
	}
	return m
}

// cmd builds command arguments from key/value pairs.
func cmd(prefix string, kv ...any) map[string]any {
	a := map[string]any{"prefix": prefix}
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i].(string)] = kv[i+1]
	}
	return a
}
