package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Type numbers of the map messages this file defines
// (src/include/ceph_fs.h CEPH_MSG_*, src/msg/Message.h MSG_*).
const (
	TypeOSDMap = 41
	TypeFSMap  = 45
	TypeMgrMap = 0x704
)

// RegisterMaps adds the map messages to r (MOSDMap, MMgrMap, MFSMap,
// MMDSMap, MFSMapUser).
func RegisterMaps(r *msgr2.Registry) {
	for _, t := range []msgr2.MessageType{
		{Type: TypeOSDMap, Name: "osd_map", New: func() msgr2.Message { return &OSDMap{} }},
		{Type: TypeMgrMap, Name: "mgrmap", New: func() msgr2.Message { return &MgrMap{} }},
		{Type: TypeFSMap, Name: "fsmap", New: func() msgr2.Message { return &FSMap{} }},
		{Type: TypeMDSMap, Name: "mdsmap", New: func() msgr2.Message { return &MDSMap{} }},
		{Type: TypeFSMapUser, Name: "fsmap.user", New: func() msgr2.Message { return &FSMapUser{} }},
	} {
		r.Register(t)
	}
}

// OSDMap is MOSDMap (src/messages/MOSDMap.h, HEAD_VERSION 4,
// COMPAT_VERSION 3): a run of OSDMap epochs, each either an incremental
// or a full map, both carried as their encodings. The sender encodes them
// for the receiver's features (the monitor re-encodes stored maps for
// peers whose significant features differ, OSDMonitor::get_version), so
// the message itself only frames them. Oldest and Newest are the range
// the sender holds.
type OSDMap struct {
	msgr2.MsgBase
	FSID         encoding.UUID
	Incrementals map[uint32][]byte
	Maps         map[uint32][]byte
	Oldest       uint32
	Newest       uint32
	// GapRemovedSnaps are the snaps removed in epochs a client jumped
	// over: pool -> interval set, each interval a (start, length) pair.
	GapRemovedSnaps map[int64][][2]uint64
}

func (*OSDMap) Type() uint16              { return TypeOSDMap }
func (*OSDMap) Version() (uint16, uint16) { return 4, 3 }

// First and Last are the lowest and highest epochs the message carries
// (get_first/get_last), 0 when it carries none.
func (m *OSDMap) First() uint32 {
	var e uint32
	for _, src := range []map[uint32][]byte{m.Maps, m.Incrementals} {
		for k := range src {
			if e == 0 || k < e {
				e = k
			}
		}
	}
	return e
}

func (m *OSDMap) Last() uint32 {
	var e uint32
	for _, src := range []map[uint32][]byte{m.Maps, m.Incrementals} {
		for k := range src {
			e = max(e, k)
		}
	}
	return e
}

func encEpochBlobs(e *encoding.Encoder, m map[uint32][]byte) {
	encoding.Map(e, m, encoding.EncU32, func(e *encoding.Encoder, b []byte) { e.Blob(b) })
}

func decEpochBlobs(d *encoding.Decoder) map[uint32][]byte {
	return encoding.DecodeMap(d, 8, encoding.DecU32, func(d *encoding.Decoder) []byte { return d.Blob() })
}

func encIntervals(e *encoding.Encoder, v [][2]uint64) {
	encoding.Slice(e, v, func(e *encoding.Encoder, iv [2]uint64) { e.U64(iv[0]); e.U64(iv[1]) })
}

func decIntervals(d *encoding.Decoder) [][2]uint64 {
	return encoding.DecodeSlice(d, 16, func(d *encoding.Decoder) [2]uint64 { return [2]uint64{d.U64(), d.U64()} })
}

func (m *OSDMap) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.UUID(m.FSID)
	encEpochBlobs(&e, m.Incrementals)
	encEpochBlobs(&e, m.Maps)
	e.U32(m.Oldest)
	e.U32(m.Newest)
	encoding.Map(&e, m.GapRemovedSnaps, encoding.EncI64, encIntervals)
	return e.Bytes(), nil, nil
}

func (m *OSDMap) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.FSID = d.UUID()
	m.Incrementals = decEpochBlobs(d)
	m.Maps = decEpochBlobs(d)
	if m.Hdr.Version >= 2 {
		m.Oldest = d.U32()
		m.Newest = d.U32()
	}
	if m.Hdr.Version >= 4 {
		m.GapRemovedSnaps = encoding.DecodeMap(d, 12, encoding.DecI64, decIntervals)
	}
	return finish(d)
}

// MgrMap is MMgrMap (src/messages/MMgrMap.h, version 1): the payload is
// the MgrMap's own encoding for the receiver's features (package
// maps/mgrmap encodes and decodes it).
type MgrMap struct {
	msgr2.MsgBase
	MapBytes []byte
}

func (*MgrMap) Type() uint16              { return TypeMgrMap }
func (*MgrMap) Version() (uint16, uint16) { return 1, 0 }
func (m *MgrMap) EncodePayload(uint64) ([]byte, []byte, []byte) {
	return append([]byte(nil), m.MapBytes...), nil, nil
}
func (m *MgrMap) DecodePayload(_ uint64, front, _, _ []byte) error {
	if len(front) == 0 {
		d := encoding.NewDecoder(front)
		d.U8() // an empty payload is a truncated map
		return finish(d)
	}
	m.MapBytes = front
	return nil
}

// FSMap is MFSMap (src/messages/MFSMap.h, version 1): the epoch, then the
// FSMap's own encoding (package maps/fsmap).
type FSMap struct {
	msgr2.MsgBase
	Epoch    uint32
	MapBytes []byte
}

func (*FSMap) Type() uint16              { return TypeFSMap }
func (*FSMap) Version() (uint16, uint16) { return 1, 0 }
func (m *FSMap) EncodePayload(uint64) ([]byte, []byte, []byte) {
	return encodeEpochMap(m.Epoch, m.MapBytes), nil, nil
}
func (m *FSMap) DecodePayload(_ uint64, front, _, _ []byte) (err error) {
	m.Epoch, m.MapBytes, err = decodeEpochMap(front)
	return err
}

// encodeEpochMap is the front of a message that is an epoch and a map's
// own encoding (MFSMap, MFSMapUser).
func encodeEpochMap(epoch uint32, mapBytes []byte) []byte {
	var e encoding.Encoder
	e.U32(epoch)
	e.Raw(mapBytes)
	return e.Bytes()
}

// decodeEpochMap splits such a front; the map aliases front and must not
// be empty.
func decodeEpochMap(front []byte) (uint32, []byte, error) {
	d := encoding.NewDecoder(front)
	epoch := d.U32()
	if d.Err() == nil && d.Remaining() == 0 {
		d.U8() // the map is missing
	}
	if err := d.Err(); err != nil {
		return 0, nil, err
	}
	return epoch, front[4:], nil
}
