package msg

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

func mapSamples() []msgr2.Message {
	fsid := encoding.UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	return []msgr2.Message{
		&OSDMap{FSID: fsid, Incrementals: map[uint32][]byte{2: []byte("inc2"), 3: []byte("inc3")},
			Maps: map[uint32][]byte{1: []byte("full1")}, Oldest: 1, Newest: 3,
			GapRemovedSnaps: map[int64][][2]uint64{1: {{2, 3}}}},
		&MgrMap{MapBytes: []byte("mgrmap bytes")},
		&FSMap{Epoch: 4, MapBytes: []byte("fsmap bytes")},
		&MDSMap{FSID: fsid, Epoch: 5, MapBytes: []byte("mdsmap bytes"), FSName: "cephfs"},
		&FSMapUser{Epoch: 6, MapBytes: []byte("fsmap.user bytes")},
	}
}

func mapRegistry() *msgr2.Registry {
	r := msgr2.NewRegistry()
	RegisterMaps(r)
	return r
}

// TestMapMessagesRoundTrip: the map messages decode to what was encoded
// and re-encode to the same bytes; no strict prefix of an MOSDMap
// decodes, nor an MFSMap without its epoch and map (the map bytes of
// MMgrMap and MFSMap are checked by maps/mgrmap and maps/fsmap).
func TestMapMessagesRoundTrip(t *testing.T) {
	reg := mapRegistry()
	for _, m := range mapSamples() {
		head, _ := m.Version()
		f, _, _ := m.EncodePayload(encoding.FeaturesPacific)
		mt, ok := reg.Lookup(m.Type())
		if !ok {
			t.Fatalf("%T not registered", m)
		}
		got := mt.New()
		got.Header().Version = head
		if err := got.DecodePayload(encoding.FeaturesPacific, f, nil, nil); err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		got.Header().Version = 0
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("%T: decoded %+v, want %+v", m, got, m)
		}
		if f2, _, _ := got.EncodePayload(encoding.FeaturesPacific); !bytes.Equal(f, f2) {
			t.Fatalf("%T: re-encoding differs", m)
		}
		if _, ok := m.(*MgrMap); ok {
			continue
		}
		limit := len(f)
		switch m.(type) {
		case *FSMap, *FSMapUser:
			limit = 5 // the epoch and at least one byte of map
		}
		for n := range limit {
			p := mt.New()
			p.Header().Version = head
			if p.DecodePayload(encoding.FeaturesPacific, f[:n], nil, nil) == nil {
				t.Fatalf("%T: %d-byte prefix of %d decoded", m, n, len(f))
			}
		}
	}
	osdmap := mapSamples()[0].(*OSDMap)
	if osdmap.First() != 1 || osdmap.Last() != 3 {
		t.Fatalf("First/Last = %d/%d", osdmap.First(), osdmap.Last())
	}
}

// FuzzMapMessages decodes arbitrary payloads as the map messages at every
// version; whatever decodes must re-encode and decode again.
func FuzzMapMessages(f *testing.F) {
	for _, m := range mapSamples() {
		head, _ := m.Version()
		fr, _, _ := m.EncodePayload(encoding.FeaturesPacific)
		f.Add(m.Type(), head, fr)
	}
	reg := mapRegistry()
	f.Fuzz(func(t *testing.T, typ uint16, version uint16, front []byte) {
		mt, ok := reg.Lookup(typ)
		if !ok {
			return
		}
		m := mt.New()
		m.Header().Version = version % 6
		if m.DecodePayload(encoding.FeaturesPacific, front, nil, nil) != nil {
			return
		}
		head, _ := m.Version()
		f2, _, _ := m.EncodePayload(encoding.FeaturesPacific)
		m2 := mt.New()
		m2.Header().Version = head
		if err := m2.DecodePayload(encoding.FeaturesPacific, f2, nil, nil); err != nil {
			t.Fatalf("%s: re-encoded message does not decode: %v", mt.Name, err)
		}
	})
}
