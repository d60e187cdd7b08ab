package client

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// Message types the client needs beyond package msg's catalogue. They
// live here, registered only into the client's own registry (and only when
// msg does not already register the type number), so that the client
// never collides with messages added to the shared catalogue later.
const (
	TypeOSDMap = 41    // CEPH_MSG_OSD_MAP (src/include/ceph_fs.h)
	TypeMgrMap = 0x704 // MSG_MGR_MAP (src/msg/Message.h)
)

// OSDMapMsg is MOSDMap (src/messages/MOSDMap.h, HEAD_VERSION 4,
// COMPAT_VERSION 3): full and incremental OSDMaps by epoch, encoded as
// the monitor stores them, and the range of epochs the monitor holds.
// The blobs alias the received front segment.
type OSDMapMsg struct {
	msgr2.MsgBase
	FSID            encoding.UUID
	IncrementalMaps map[uint32][]byte
	Maps            map[uint32][]byte
	// OldestMap and NewestMap are the range the sender has (version 2+;
	// cluster_osdmap_trim_lower_bound in later releases).
	OldestMap, NewestMap uint32
}

func (*OSDMapMsg) Type() uint16              { return TypeOSDMap }
func (*OSDMapMsg) Version() (uint16, uint16) { return 4, 3 }

func (m *OSDMapMsg) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.UUID(m.FSID)
	encoding.Map(&e, m.IncrementalMaps, encoding.EncU32, encoding.EncBlob)
	encoding.Map(&e, m.Maps, encoding.EncU32, encoding.EncBlob)
	e.U32(m.OldestMap)
	e.U32(m.NewestMap)
	e.U32(0) // gap_removed_snaps, empty since Octopus
	return e.Bytes(), nil, nil
}

func (m *OSDMapMsg) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.FSID = d.UUID()
	blob := func(d *encoding.Decoder) []byte { return d.Blob() }
	m.IncrementalMaps = encoding.DecodeMap(d, 8, encoding.DecU32, blob)
	m.Maps = encoding.DecodeMap(d, 8, encoding.DecU32, blob)
	m.OldestMap, m.NewestMap = 0, 0
	if m.Hdr.Version >= 2 {
		m.OldestMap = d.U32()
		m.NewestMap = d.U32()
	}
	if m.Hdr.Version >= 4 {
		// gap_removed_snaps: map<int64, interval_set<snapid_t>>, unused
		// since Octopus; read and dropped.
		n := d.Count(12)
		for range n {
			d.I64()
			k := d.Count(16)
			for range k {
				d.U64()
				d.U64()
			}
		}
	}
	return d.Err()
}

// First and Last are the lowest and highest epochs the message carries
// (MOSDMap::get_first/get_last), 0 when it carries none.
func (m *OSDMapMsg) First() uint32 {
	var e uint32
	for _, mm := range []map[uint32][]byte{m.Maps, m.IncrementalMaps} {
		for k := range mm {
			if e == 0 || k < e {
				e = k
			}
		}
	}
	return e
}

func (m *OSDMapMsg) Last() uint32 {
	var e uint32
	for _, mm := range []map[uint32][]byte{m.Maps, m.IncrementalMaps} {
		for k := range mm {
			e = max(e, k)
		}
	}
	return e
}

// MgrMapMsg is MMgrMap (src/messages/MMgrMap.h): the front is the MgrMap's
// own encoding (package maps/mgrmap decodes it), not a bufferlist.
type MgrMapMsg struct {
	msgr2.MsgBase
	MgrMapBytes []byte
}

func (*MgrMapMsg) Type() uint16              { return TypeMgrMap }
func (*MgrMapMsg) Version() (uint16, uint16) { return 1, 0 }
func (m *MgrMapMsg) EncodePayload(uint64) ([]byte, []byte, []byte) {
	return m.MgrMapBytes, nil, nil
}
func (m *MgrMapMsg) DecodePayload(_ uint64, front, _, _ []byte) error {
	m.MgrMapBytes = front
	return nil
}

// newRegistry is msg's catalogue plus the client's own types, for the
// type numbers msg does not register.
func newRegistry() *msgr2.Registry {
	r := msg.NewRegistry()
	for _, t := range []msgr2.MessageType{
		{Type: TypeOSDMap, Name: "osd_map", New: func() msgr2.Message { return &OSDMapMsg{} }},
		{Type: TypeMgrMap, Name: "mgrmap", New: func() msgr2.Message { return &MgrMapMsg{} }},
	} {
		if _, ok := r.Lookup(t.Type); !ok {
			r.Register(t)
		}
	}
	return r
}

// asOSDMapMsg returns m as an OSDMapMsg: directly, or, when another
// package registered the type number, by decoding its re-encoded payload.
func asOSDMapMsg(m msgr2.Message, features uint64) (*OSDMapMsg, error) {
	if o, ok := m.(*OSDMapMsg); ok {
		return o, nil
	}
	f, mid, d := m.EncodePayload(features)
	o := &OSDMapMsg{}
	o.Hdr = *m.Header()
	o.Hdr.Version, o.Hdr.CompatVersion = m.Version()
	return o, o.DecodePayload(features, f, mid, d)
}

// asMgrMapMsg is asOSDMapMsg for MMgrMap.
func asMgrMapMsg(m msgr2.Message, features uint64) *MgrMapMsg {
	if o, ok := m.(*MgrMapMsg); ok {
		return o
	}
	f, _, _ := m.EncodePayload(features)
	return &MgrMapMsg{MgrMapBytes: f}
}
