package paxos

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func sampleMsg() *MMonPaxos {
	return &MMonPaxos{
		Epoch: 6, Op: OpLast, FirstCommitted: 1, LastCommitted: 42, PNFrom: 40, PN: 301, UncommittedPN: 201,
		LeaseTimestamp: encoding.UTime{Sec: 1700000005, Nsec: 7}, SentTimestamp: encoding.UTime{Sec: 1700000000, Nsec: 9},
		LatestVersion: 3, LatestValue: []byte("latest"),
		Values:     map[uint64][]byte{43: []byte("v43"), 41: []byte("v41")},
		FeatureMap: []byte{1, 2, 3},
	}
}

// TestMMonPaxosLayout pins the wire layout field by field
// (MMonPaxos::encode_payload).
func TestMMonPaxosLayout(t *testing.T) {
	var e encoding.Encoder
	e.U32(6)
	e.I32(2)
	for _, v := range []uint64{1, 42, 40, 301, 201} {
		e.U64(v)
	}
	e.U32(1700000005)
	e.U32(7)
	e.U32(1700000000)
	e.U32(9)
	e.U64(3)
	e.Blob([]byte("latest"))
	e.U32(2)
	e.U64(41)
	e.Blob([]byte("v41"))
	e.U64(43)
	e.Blob([]byte("v43"))
	e.Blob([]byte{1, 2, 3})
	if got := sampleMsg().MarshalPayload(); !bytes.Equal(got, e.Bytes()) {
		t.Fatalf("encoding differs:\n got %x\nwant %x", got, e.Bytes())
	}
}

func TestMMonPaxosRoundTrip(t *testing.T) {
	m := sampleMsg()
	b := m.MarshalPayload()
	got, err := DecodeMMonPaxos(b, MMonPaxosHeadVersion)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("got %+v\nwant %+v", got, m)
	}
	// Header version 3 has no feature map.
	v3 := b[:len(b)-4-3]
	got, err = DecodeMMonPaxos(v3, 3)
	if err != nil || got.FeatureMap != nil || got.PN != 301 {
		t.Fatalf("v3: %+v %v", got, err)
	}
	if _, err := DecodeMMonPaxos(b, 2); err == nil {
		t.Fatal("header version 2 accepted")
	}
	if m.String() != "paxos(last lc 42 fc 1 pn 301 opn 201 latest 3 (6 bytes))" {
		t.Errorf("String = %s", m)
	}
}

func TestMMonPaxosTruncated(t *testing.T) {
	b := sampleMsg().MarshalPayload()
	for n := 0; n < len(b); n++ {
		if _, err := DecodeMMonPaxos(b[:n], MMonPaxosHeadVersion); err == nil {
			t.Fatalf("prefix of %d/%d bytes decoded", n, len(b))
		}
	}
}

func TestMMonPaxosHugeCount(t *testing.T) {
	m := &MMonPaxos{}
	b := m.MarshalPayload()
	// Patch the values count (after 4+4+5*8+16+8+4 bytes) to 2^32-1.
	off := 4 + 4 + 5*8 + 16 + 8 + 4
	copy(b[off:], []byte{0xff, 0xff, 0xff, 0xff})
	if _, err := DecodeMMonPaxos(b, MMonPaxosHeadVersion); err == nil {
		t.Fatal("huge count accepted")
	}
}

func FuzzMMonPaxos(f *testing.F) {
	f.Add(sampleMsg().MarshalPayload(), uint16(4))
	f.Add((&MMonPaxos{Op: OpCollect}).MarshalPayload(), uint16(3))
	f.Fuzz(func(t *testing.T, b []byte, v uint16) {
		m, err := DecodeMMonPaxos(b, v)
		if err != nil {
			return
		}
		again, err := DecodeMMonPaxos(m.MarshalPayload(), MMonPaxosHeadVersion)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !bytes.Equal(again.MarshalPayload(), m.MarshalPayload()) {
			t.Fatal("re-encoding not stable")
		}
		_ = m.String()
	})
}

// FuzzStep feeds arbitrary messages to monitors in every role: no panic,
// and the store stays consistent.
func FuzzStep(f *testing.F) {
	f.Add(sampleMsg().MarshalPayload(), uint8(0), uint8(1))
	f.Add((&MMonPaxos{Epoch: 2, Op: OpBegin, PN: 100, Values: map[uint64][]byte{1: {1, 2}}}).MarshalPayload(), uint8(1), uint8(0))
	f.Add((&MMonPaxos{Epoch: 2, Op: OpCommit, LastCommitted: 1, Values: map[uint64][]byte{1: {2, 1, 0, 0, 0, 0}}}).MarshalPayload(), uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, to, from uint8) {
		m, err := DecodeMMonPaxos(b, MMonPaxosHeadVersion)
		if err != nil {
			return
		}
		s := newSim(t, 1, 3, simConfig())
		s.elect(0, 1, 2)
		s.flush(all)
		s.proposeKey("x")
		s.flush(all)
		m.Epoch = s.epoch
		nd := s.nodes[int(to)%3]
		r, err := nd.px.Step(s.now, int(from)%3, m)
		s.handle(nd, r, err)
	})
}
