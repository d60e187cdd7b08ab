package mon

import (
	"bytes"
	"os"
	"testing"

	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// TestOSDInitialMapMatchesRealMon compares kelp's epoch-1 OSDMap with the
// one a fresh Pacific ceph-mon created (testdata/README.md), with the
// real map's fsid and creation time.
func TestOSDInitialMapMatchesRealMon(t *testing.T) {
	want, err := os.ReadFile("testdata/osdmap-e1.bin")
	if err != nil {
		t.Fatal(err)
	}
	real, err := osdmap.Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	m := testMonitor(t)
	m.osd.opts.chooseleafType = 0 // the reference cluster's osd_crush_chooseleaf_type
	nm, err := m.osd.initialMap(real.FSID, real.Created.Time())
	if err != nil {
		t.Fatal(err)
	}
	got := nm.Encode(nm.EncodingFeatures())
	if !bytes.Equal(got, want) {
		t.Fatalf("initial map differs from the real mon's:\n got %x\nwant %x", got, want)
	}
}
