package msg

import (
	"errors"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Messages between OSDs and the monitor's OSDMonitor (src/messages/
// MOSDBoot.h, MOSDAlive.h, MOSDBeacon.h, MOSDFailure.h, MOSDMarkMeDown.h,
// MOSDPGCreated.h, MOSDPGCreate2.h, MMonGetOSDMap.h).

// Type numbers (src/msg/Message.h, src/include/ceph_fs.h).
const (
	TypeOSDBoot       = 71
	TypeOSDFailure    = 72
	TypeOSDAlive      = 73
	TypeOSDMarkMeDown = 74
	TypeOSDPGTemp     = 78
	TypeOSDBeacon     = 79
	TypeMonGetOSDMap  = 82
	TypeOSDPGCreated  = 116
	TypeOSDPGCreate2  = 120
)

// RegisterOSD adds the OSD-to-monitor messages (and the monitor's
// pg_create2) to r.
func RegisterOSD(r *msgr2.Registry) {
	for _, t := range []msgr2.MessageType{
		{Type: TypeOSDBoot, Name: "osd_boot", New: func() msgr2.Message { return &OSDBoot{} }},
		{Type: TypeOSDFailure, Name: "osd_failure", New: func() msgr2.Message { return &OSDFailure{} }},
		{Type: TypeOSDAlive, Name: "osd_alive", New: func() msgr2.Message { return &OSDAlive{} }},
		{Type: TypeOSDMarkMeDown, Name: "MOSDMarkMeDown", New: func() msgr2.Message { return &OSDMarkMeDown{} }},
		{Type: TypeOSDBeacon, Name: "osd_beacon", New: func() msgr2.Message { return &OSDBeacon{} }},
		{Type: TypeOSDPGTemp, Name: "osd_pgtemp", New: func() msgr2.Message { return &OSDPGTemp{} }},
		{Type: TypeMonGetOSDMap, Name: "mon_get_osdmap", New: func() msgr2.Message { return &MonGetOSDMap{} }},
		{Type: TypeOSDPGCreated, Name: "pg_created", New: func() msgr2.Message { return &OSDPGCreated{} }},
		{Type: TypeOSDPGCreate2, Name: "pg_create2", New: func() msgr2.Message { return &OSDPGCreate2{} }},
	} {
		r.Register(t)
	}
}

// rawStruct reads one versioned struct (version, compat, u32 length and
// body) and returns its whole encoding, which aliases d's buffer.
func rawStruct(d *encoding.Decoder, buf []byte) []byte {
	start := d.Offset()
	d.U8()
	d.U8()
	n := d.U32()
	if d.Err() == nil && int64(n) > int64(d.Remaining()) {
		d.Raw(d.Remaining() + 1) // fails: the struct is truncated
		return nil
	}
	d.Raw(int(n))
	if d.Err() != nil {
		return nil
	}
	return buf[start:d.Offset()]
}

// OSDSuperblock is the part of an OSD's superblock (OSDSuperblock in
// src/osd/osd_types.h, struct_v 9) the monitor reads; Raw is the whole
// encoded struct, which re-encodes it unchanged.
type OSDSuperblock struct {
	ClusterFSID  encoding.UUID
	WhoAmI       int32
	CurrentEpoch uint32
	OldestMap    uint32
	NewestMap    uint32
	Weight       float64
	// CleanThru and Mounted are the last epoch the OSD shut down cleanly
	// through and the epoch it was last mounted in; OSDFSID is its uuid.
	CleanThru uint32
	Mounted   uint32
	OSDFSID   encoding.UUID
	Raw       []byte
}

// skipFeatureSet reads a CompatSet::FeatureSet: a mask and id -> name.
func skipFeatureSet(d *encoding.Decoder) {
	d.U64()
	encoding.DecodeMap(d, 12, encoding.DecU64, encoding.DecStr)
}

func decodeSuperblock(d *encoding.Decoder, buf []byte) OSDSuperblock {
	start := d.Offset()
	s := d.Start(10)
	sb := OSDSuperblock{ClusterFSID: d.UUID(), WhoAmI: d.I32(), CurrentEpoch: d.U32(),
		OldestMap: d.U32(), NewestMap: d.U32(), Weight: d.F64()}
	for range 3 { // compat_features: compat, ro_compat, incompat
		skipFeatureSet(d)
	}
	sb.CleanThru, sb.Mounted = d.U32(), d.U32()
	if s.V >= 4 {
		sb.OSDFSID = d.UUID()
	}
	d.End(s)
	if d.Err() == nil {
		sb.Raw = buf[start:d.Offset()]
	}
	return sb
}

// OSDBoot is MOSDBoot (HEAD_VERSION 7, COMPAT_VERSION 7; version 6 for
// pre-Nautilus peers carried single addresses): an OSD asks to be marked
// up with these addresses, metadata and features.
type OSDBoot struct {
	msgr2.MsgBase
	Paxos        PaxosHeader
	SB           OSDSuperblock
	HBBackAddrs  encoding.EntityAddrVec
	ClusterAddrs encoding.EntityAddrVec
	BootEpoch    uint32
	HBFrontAddrs encoding.EntityAddrVec
	Metadata     map[string]string
	OSDFeatures  uint64
}

func (*OSDBoot) Type() uint16              { return TypeOSDBoot }
func (*OSDBoot) Version() (uint16, uint16) { return 7, 7 }
func (m *OSDBoot) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.Raw(m.SB.Raw)
	e.EntityAddrVec(m.HBBackAddrs, features)
	e.EntityAddrVec(m.ClusterAddrs, features)
	e.U32(m.BootEpoch)
	e.EntityAddrVec(m.HBFrontAddrs, features)
	encoding.Map(&e, m.Metadata, encoding.EncStr, encoding.EncStr)
	e.U64(m.OSDFeatures)
	return e.Bytes(), nil, nil
}
func (m *OSDBoot) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.SB = decodeSuperblock(d, front)
	if m.Hdr.Version < 7 {
		m.HBBackAddrs = encoding.EntityAddrVec{d.EntityAddr()}
		m.ClusterAddrs = encoding.EntityAddrVec{d.EntityAddr()}
		m.BootEpoch = d.U32()
		m.HBFrontAddrs = encoding.EntityAddrVec{d.EntityAddr()}
	} else {
		m.HBBackAddrs = d.EntityAddrVec()
		m.ClusterAddrs = d.EntityAddrVec()
		m.BootEpoch = d.U32()
		m.HBFrontAddrs = d.EntityAddrVec()
	}
	m.Metadata = encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
	m.OSDFeatures = d.U64()
	return finish(d)
}

// OSDAlive is MOSDAlive (version 1): an OSD wants its up_thru raised to
// Want; Paxos.PaxosVersion is the epoch it has.
type OSDAlive struct {
	msgr2.MsgBase
	Paxos PaxosHeader
	Want  uint32
}

func (*OSDAlive) Type() uint16              { return TypeOSDAlive }
func (*OSDAlive) Version() (uint16, uint16) { return 1, 0 }
func (m *OSDAlive) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.U32(m.Want)
	return e.Bytes(), nil, nil
}
func (m *OSDAlive) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.Want = d.U32()
	return finish(d)
}

// PGID is pg_t on the wire: version 1, pool, seed and the unused
// preferred OSD (-1).
type PGID struct {
	Pool uint64
	Seed uint32
}

func encodePGID(e *encoding.Encoder, p PGID) {
	e.U8(1)
	e.U64(p.Pool)
	e.U32(p.Seed)
	e.I32(-1)
}

var errBadPGVersion = errors.New("msg: pg_t encoding version is not 1")

func decodePGID(d *encoding.Decoder) PGID {
	if v := d.U8(); v != 1 && d.Err() == nil {
		d.Fail(errBadPGVersion)
	}
	p := PGID{Pool: d.U64(), Seed: d.U32()}
	d.I32()
	return p
}

// OSDPGCreated is MOSDPGCreated (version 1): an OSD created a PG.
type OSDPGCreated struct {
	msgr2.MsgBase
	Paxos PaxosHeader
	PGID  PGID
}

func (*OSDPGCreated) Type() uint16              { return TypeOSDPGCreated }
func (*OSDPGCreated) Version() (uint16, uint16) { return 1, 0 }
func (m *OSDPGCreated) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	encodePGID(&e, m.PGID)
	return e.Bytes(), nil, nil
}
func (m *OSDPGCreated) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.PGID = decodePGID(d)
	return finish(d)
}

// OSDBeacon is MOSDBeacon (HEAD_VERSION 3, COMPAT_VERSION 1): an OSD's
// periodic report of the PGs it is primary for and its oldest clean epoch.
type OSDBeacon struct {
	msgr2.MsgBase
	Paxos                PaxosHeader
	PGs                  []PGID
	MinLastEpochClean    uint32
	LastPurgedSnapsScrub encoding.UTime
	ReportInterval       int32
}

func (*OSDBeacon) Type() uint16              { return TypeOSDBeacon }
func (*OSDBeacon) Version() (uint16, uint16) { return 3, 1 }
func (m *OSDBeacon) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	encoding.Slice(&e, m.PGs, encodePGID)
	e.U32(m.MinLastEpochClean)
	e.UTime(m.LastPurgedSnapsScrub)
	e.I32(m.ReportInterval)
	return e.Bytes(), nil, nil
}
func (m *OSDBeacon) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.PGs = encoding.DecodeSlice(d, 17, decodePGID)
	m.MinLastEpochClean = d.U32()
	if m.Hdr.Version >= 2 {
		m.LastPurgedSnapsScrub = d.UTime()
	}
	if m.Hdr.Version >= 3 {
		m.ReportInterval = d.I32()
	}
	return finish(d)
}

// OSDFailure flags (MOSDFailure::FLAG_*).
const (
	FailureFlagFailed    = 1
	FailureFlagImmediate = 2
)

// OSDFailure is MOSDFailure (HEAD_VERSION 4, COMPAT_VERSION 4): an OSD
// reports another as failed (or recovered).
type OSDFailure struct {
	msgr2.MsgBase
	Paxos       PaxosHeader
	FSID        encoding.UUID
	TargetOSD   int32
	TargetAddrs encoding.EntityAddrVec
	Epoch       uint32
	Flags       uint8
	FailedFor   int32
}

func (*OSDFailure) Type() uint16              { return TypeOSDFailure }
func (*OSDFailure) Version() (uint16, uint16) { return 4, 4 }
func (m *OSDFailure) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	e.I32(m.TargetOSD)
	e.EntityAddrVec(m.TargetAddrs, features)
	e.U32(m.Epoch)
	e.U8(m.Flags)
	e.I32(m.FailedFor)
	return e.Bytes(), nil, nil
}
func (m *OSDFailure) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	if m.Hdr.Version < 4 {
		// entity_inst_t: the name (type u8, num i64) and the address.
		d.U8()
		m.TargetOSD = int32(d.I64())
		m.TargetAddrs = encoding.EntityAddrVec{d.EntityAddr()}
	} else {
		m.TargetOSD = d.I32()
		m.TargetAddrs = d.EntityAddrVec()
	}
	m.Epoch = d.U32()
	m.Flags = d.U8()
	m.FailedFor = d.I32()
	return finish(d)
}

// OSDMarkMeDown is MOSDMarkMeDown (HEAD_VERSION 4, COMPAT_VERSION 3 in
// Octopus and later): an OSD shutting down asks to be marked down, and
// the monitor echoes it as the ack when RequestAck is set.
type OSDMarkMeDown struct {
	msgr2.MsgBase
	Paxos       PaxosHeader
	FSID        encoding.UUID
	TargetOSD   int32
	TargetAddrs encoding.EntityAddrVec
	Epoch       uint32
	RequestAck  bool
	DownAndDead bool
}

func (*OSDMarkMeDown) Type() uint16              { return TypeOSDMarkMeDown }
func (*OSDMarkMeDown) Version() (uint16, uint16) { return 4, 3 }
func (m *OSDMarkMeDown) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	e.I32(m.TargetOSD)
	e.EntityAddrVec(m.TargetAddrs, features)
	e.U32(m.Epoch)
	e.Bool(m.RequestAck)
	e.Bool(m.DownAndDead)
	return e.Bytes(), nil, nil
}
func (m *OSDMarkMeDown) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	if m.Hdr.Version <= 2 {
		d.U8()
		m.TargetOSD = int32(d.I64())
		m.TargetAddrs = encoding.EntityAddrVec{d.EntityAddr()}
	} else {
		m.TargetOSD = d.I32()
		m.TargetAddrs = d.EntityAddrVec()
	}
	m.Epoch = d.U32()
	m.RequestAck = d.Bool()
	if m.Hdr.Version >= 4 {
		m.DownAndDead = d.Bool()
	}
	return finish(d)
}

// MonGetOSDMap is MMonGetOSDMap (version 1): a request for full maps
// FullFirst..FullLast and incrementals IncFirst..IncLast (0 for none),
// what an OSD sends when an incremental's full_crc did not match.
type MonGetOSDMap struct {
	msgr2.MsgBase
	Paxos               PaxosHeader
	FullFirst, FullLast uint32
	IncFirst, IncLast   uint32
}

func (*MonGetOSDMap) Type() uint16              { return TypeMonGetOSDMap }
func (*MonGetOSDMap) Version() (uint16, uint16) { return 1, 0 }
func (m *MonGetOSDMap) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.U32(m.FullFirst)
	e.U32(m.FullLast)
	e.U32(m.IncFirst)
	e.U32(m.IncLast)
	return e.Bytes(), nil, nil
}
func (m *MonGetOSDMap) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FullFirst, m.FullLast = d.U32(), d.U32()
	m.IncFirst, m.IncLast = d.U32(), d.U32()
	return finish(d)
}

// SPGID is spg_t: a PG and the shard (-1, NO_SHARD, for replicated pools),
// a versioned struct on the wire.
type SPGID struct {
	PGID  PGID
	Shard int8
}

func encodeSPGID(e *encoding.Encoder, s SPGID) {
	mk := e.Start(1, 1)
	encodePGID(e, s.PGID)
	e.I8(s.Shard)
	e.End(mk)
}

func decodeSPGID(d *encoding.Decoder) SPGID {
	st := d.Start(1)
	s := SPGID{PGID: decodePGID(d), Shard: d.I8()}
	d.End(st)
	return s
}

// PGCreate is one entry of MOSDPGCreate2: the epoch the PG was created in
// and when; History and PastIntervals (pg_history_t and PastIntervals,
// both versioned structs carried encoded) go to Octopus-and-later OSDs.
type PGCreate struct {
	Epoch         uint32
	Stamp         encoding.UTime
	History       []byte
	PastIntervals []byte
}

// OSDPGCreate2 is MOSDPGCreate2 (HEAD_VERSION 2, COMPAT_VERSION 1): the
// monitor tells a primary OSD to create PGs. The entries are kept in a
// slice sorted by PG (a std::map on the wire); pg_extra is written for
// the entries that carry a history.
type OSDPGCreate2 struct {
	msgr2.MsgBase
	Epoch uint32
	PGs   []SPGIDCreate
}

// SPGIDCreate pairs a PG with its creation.
type SPGIDCreate struct {
	PG     SPGID
	Create PGCreate
}

func (*OSDPGCreate2) Type() uint16              { return TypeOSDPGCreate2 }
func (*OSDPGCreate2) Version() (uint16, uint16) { return 2, 1 }
func (m *OSDPGCreate2) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.U32(m.Epoch)
	e.Count(len(m.PGs))
	for _, p := range m.PGs {
		encodeSPGID(&e, p.PG)
		e.U32(p.Create.Epoch)
		e.UTime(p.Create.Stamp)
	}
	n := 0
	for _, p := range m.PGs {
		if p.Create.History != nil {
			n++
		}
	}
	e.Count(n)
	for _, p := range m.PGs {
		if p.Create.History != nil {
			encodeSPGID(&e, p.PG)
			e.Raw(p.Create.History)
			e.Raw(p.Create.PastIntervals)
		}
	}
	return e.Bytes(), nil, nil
}
func (m *OSDPGCreate2) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Epoch = d.U32()
	n := d.Count(6 + 17 + 1 + 12)
	m.PGs = make([]SPGIDCreate, 0, n)
	idx := map[SPGID]int{}
	for range n {
		pg := decodeSPGID(d)
		c := PGCreate{Epoch: d.U32(), Stamp: d.UTime()}
		idx[pg] = len(m.PGs)
		m.PGs = append(m.PGs, SPGIDCreate{PG: pg, Create: c})
	}
	if m.Hdr.Version >= 2 {
		n := d.Count(6 + 17 + 1 + 12)
		for range n {
			pg := decodeSPGID(d)
			h := rawStruct(d, front)
			pi := rawStruct(d, front)
			if d.Err() != nil {
				break
			}
			if i, ok := idx[pg]; ok {
				m.PGs[i].Create.History, m.PGs[i].Create.PastIntervals = h, pi
			} else {
				m.PGs = append(m.PGs, SPGIDCreate{PG: pg, Create: PGCreate{History: h, PastIntervals: pi}})
			}
		}
	}
	return finish(d)
}

// PGTemp is one entry of MOSDPGTemp: a PG and the acting set wanted for
// it (empty to remove the pg_temp entry).
type PGTemp struct {
	PGID PGID
	OSDs []int32
}

// OSDPGTemp is MOSDPGTemp (HEAD_VERSION 2, COMPAT_VERSION 1): a primary
// asks for temporary acting sets while data moves. Entries are kept
// sorted by PG, the std::map order.
type OSDPGTemp struct {
	msgr2.MsgBase
	Paxos    PaxosHeader
	MapEpoch uint32
	PGTemp   []PGTemp
	Forced   bool
}

func (*OSDPGTemp) Type() uint16              { return TypeOSDPGTemp }
func (*OSDPGTemp) Version() (uint16, uint16) { return 2, 1 }
func (m *OSDPGTemp) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.U32(m.MapEpoch)
	encoding.Slice(&e, m.PGTemp, func(e *encoding.Encoder, t PGTemp) {
		encodePGID(e, t.PGID)
		encoding.Slice(e, t.OSDs, encoding.EncI32)
	})
	e.Bool(m.Forced)
	return e.Bytes(), nil, nil
}
func (m *OSDPGTemp) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.MapEpoch = d.U32()
	m.PGTemp = encoding.DecodeSlice(d, 17+4, func(d *encoding.Decoder) PGTemp {
		return PGTemp{PGID: decodePGID(d), OSDs: encoding.DecodeSlice(d, 4, encoding.DecI32)}
	})
	if m.Hdr.Version >= 2 {
		m.Forced = d.Bool()
	}
	return finish(d)
}
