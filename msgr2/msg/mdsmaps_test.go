package msg

import (
	"bytes"
	"os"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/fsmap"
)

// TestMDSMapGoldenContents: the MDSMap and FSMapUser inside the golden
// messages a real ceph-mon sent decode with package fsmap and re-encode
// byte for byte, so a monitor that encodes its maps with that package
// sends what ceph-mon sends.
func TestMDSMapGoldenContents(t *testing.T) {
	front, err := os.ReadFile("testdata/mdsmap.v2.front")
	if err != nil {
		t.Fatal(err)
	}
	m := &MDSMap{}
	m.Hdr.Version = 2
	if err := m.DecodePayload(encoding.FeaturesPacific, front, nil, nil); err != nil {
		t.Fatal(err)
	}
	mm, err := fsmap.DecodeMDSMap(m.MapBytes)
	if err != nil {
		t.Fatal(err)
	}
	if m.FSName != mm.FSName || m.Epoch != mm.Epoch || m.FSName != "cephfs" {
		t.Fatalf("message names %q epoch %d, map %q epoch %d", m.FSName, m.Epoch, mm.FSName, mm.Epoch)
	}
	if got := mm.Encode(encoding.FeaturesPacific); !bytes.Equal(got, m.MapBytes) {
		t.Fatalf("MDSMap re-encodes differently:\nreal %x\nkelp %x", m.MapBytes, got)
	}

	front, err = os.ReadFile("testdata/fsmap.user.v1.front")
	if err != nil {
		t.Fatal(err)
	}
	u := &FSMapUser{}
	if err := u.DecodePayload(encoding.FeaturesPacific, front, nil, nil); err != nil {
		t.Fatal(err)
	}
	fu, err := fsmap.DecodeUser(u.MapBytes)
	if err != nil {
		t.Fatal(err)
	}
	if fu.Epoch != u.Epoch || !bytes.Equal(fu.Encode(), u.MapBytes) {
		t.Fatalf("FSMapUser %+v in message of epoch %d", fu, u.Epoch)
	}
}
