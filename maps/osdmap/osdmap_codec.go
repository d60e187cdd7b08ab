package osdmap

import (
	"encoding/binary"
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
)

// Encoding versions of OSDMap::encode in Ceph 16.2 (Pacific).
const (
	wrapperVersion = 8 // meta-encoding with crc
	wrapperCompat  = 7
	clientVersion  = 9 // client-usable data
	osdVersion     = 9 // osd-only data; 10 with stretch mode, 11 with range blocklist
)

// Pool-related containers, shared by the full map and the incremental as
// the kernel's osdmap.c shares __decode_pools and __decode_pg_temp.

func encodePools(e *encoding.Encoder, pools map[int64]*PGPool, features uint64) {
	encoding.Map(e, pools, encoding.EncI64, func(e *encoding.Encoder, p *PGPool) { encodePool(e, p, features) })
}

func decodePools(d *encoding.Decoder) map[int64]*PGPool {
	return encoding.DecodeMap(d, 8+minPoolLen, encoding.DecI64, func(d *encoding.Decoder) *PGPool {
		p := decodePool(d)
		return &p
	})
}

func encodePoolNames(e *encoding.Encoder, m map[int64]string) {
	encoding.Map(e, m, encoding.EncI64, encoding.EncStr)
}

func decodePoolNames(d *encoding.Decoder) map[int64]string {
	return encoding.DecodeMap(d, 12, encoding.DecI64, encoding.DecStr)
}

// encodePGTemp writes pg_temp (PGTempMap::encode) or an incremental's
// new_pg_temp: map<pg_t, vector<int32>>.
func encodePGTemp(e *encoding.Encoder, m map[PG][]int32) {
	encodeSortedMap(e, m, ComparePG, encodePG, encI32s)
}

func decodePGTemp(d *encoding.Decoder) map[PG][]int32 {
	return encoding.DecodeMap(d, pgWireLen+4, decodePG, decI32s)
}

func encodePGInt(e *encoding.Encoder, m map[PG]int32) {
	encodeSortedMap(e, m, ComparePG, encodePG, encoding.EncI32)
}

func decodePGInt(d *encoding.Decoder) map[PG]int32 {
	return encoding.DecodeMap(d, pgWireLen+4, decodePG, encoding.DecI32)
}

func encodeUpmapItems(e *encoding.Encoder, m map[PG][]UpmapItem) {
	encodeSortedMap(e, m, ComparePG, encodePG, func(e *encoding.Encoder, v []UpmapItem) {
		encoding.Slice(e, v, func(e *encoding.Encoder, it UpmapItem) {
			e.I32(it.From)
			e.I32(it.To)
		})
	})
}

func decodeUpmapItems(d *encoding.Decoder) map[PG][]UpmapItem {
	return encoding.DecodeMap(d, pgWireLen+4, decodePG, func(d *encoding.Decoder) []UpmapItem {
		return encoding.DecodeSlice(d, 8, func(d *encoding.Decoder) UpmapItem {
			return UpmapItem{From: d.I32(), To: d.I32()}
		})
	})
}

func encodePGSet(e *encoding.Encoder, s map[PG]struct{}) { encodeSet(e, s, ComparePG, encodePG) }
func decodePGSet(d *encoding.Decoder) map[PG]struct{}    { return decodeSet(d, pgWireLen, decodePG) }

func encodeI32U32Map(e *encoding.Encoder, m map[int32]uint32) {
	encoding.Map(e, m, encoding.EncI32, encoding.EncU32)
}
func decodeI32U32Map(d *encoding.Decoder) map[int32]uint32 {
	return encoding.DecodeMap(d, 8, encoding.DecI32, encoding.DecU32)
}

// Encode returns the map encoded as OSDMap::encode does for peers with the
// given features (normally encoding.FeaturesPacific), and records the crc
// it computed in m.CRC. Peers without SERVER_LUMINOUS get the luminous-era
// layout at best: kelp does not produce the pre-luminous classic forms.
// The CRUSH map is written as carried, so it is exact for Pacific peers.
func (m *OSDMap) Encode(features uint64) []byte {
	e := encoding.NewEncoder(nil)
	m.AppendEncode(e, features)
	return e.Bytes()
}

// AppendEncode is Encode appending to e.
func (m *OSDMap) AppendEncode(e *encoding.Encoder, features uint64) {
	start := e.Len()
	w := e.Start(wrapperVersion, wrapperCompat)
	m.encodeClient(e, features)
	m.encodeOSDOnly(e, features)
	crcOff := e.Len()
	e.U32(0)
	e.End(w)
	buf := e.Bytes()
	crc := crcAround(buf, start, crcOff, len(buf))
	binary.LittleEndian.PutUint32(buf[crcOff:], crc)
	m.CRC = crc
}

func (m *OSDMap) encodeClient(e *encoding.Encoder, features uint64) {
	v := uint8(clientVersion)
	switch {
	case !encoding.HasFeature(features, encoding.FeatureServerLuminous):
		v = 3
	case !encoding.HasFeature(features, encoding.FeatureServerMimic):
		v = 6
	case !encoding.HasFeature(features, encoding.FeatureServerNautilus):
		v = 7
	}
	s := e.Start(v, 1)
	e.UUID(m.FSID)
	e.U32(m.Epoch)
	e.UTime(m.Created)
	e.UTime(m.Modified)
	encodePools(e, m.Pools, features)
	encodePoolNames(e, m.PoolNames)
	e.I32(m.PoolMax)
	if v < 4 {
		f := m.Flags
		switch {
		case m.RequireOSDRelease >= encoding.ReleaseLuminous:
			f |= FlagRequireLumin | FlagRecoveryDel
		case m.RequireOSDRelease == 11: // kraken
			f |= FlagRequireKraken
		case m.RequireOSDRelease == 10: // jewel
			f |= FlagRequireJewel
		}
		e.U32(f)
	} else {
		e.U32(m.Flags)
	}
	e.I32(m.MaxOSD)
	if v >= 5 {
		encoding.Slice(e, m.OSDState, encoding.EncU32)
	} else {
		encoding.Slice(e, m.OSDState, func(e *encoding.Encoder, s uint32) { e.U8(uint8(s)) })
	}
	encoding.Slice(e, m.OSDWeight, encoding.EncU32)
	if v >= 8 {
		encodeAddrVecs(e, m.ClientAddrs, features)
	} else {
		encodeAddrVecsAsAddr(e, m.ClientAddrs, features)
	}
	encodePGTemp(e, m.PGTemp)
	encodePGInt(e, m.PrimaryTemp)
	encoding.Slice(e, m.PrimaryAffinity, encoding.EncU32)
	e.Blob(m.Crush)
	encStrMapMap(e, m.ErasureCodeProfiles)
	if v >= 4 {
		encodePGTemp(e, m.PGUpmap)
		encodeUpmapItems(e, m.PGUpmapItems)
	}
	if v >= 6 {
		e.I32(m.CrushVersion)
	}
	if v >= 7 {
		encPoolIntervals(e, m.NewRemovedSnaps)
		encPoolIntervals(e, m.NewPurgedSnaps)
	}
	if v >= 9 {
		e.UTime(m.LastUpChange)
		e.UTime(m.LastInChange)
	}
	e.End(s)
}

func (m *OSDMap) encodeOSDOnly(e *encoding.Encoder, features uint64) {
	v := uint8(osdVersion)
	switch {
	case !encoding.HasFeature(features, encoding.FeatureServerLuminous):
		v = 1
	case !encoding.HasFeature(features, encoding.FeatureServerMimic):
		v = 5
	case !encoding.HasFeature(features, encoding.FeatureServerNautilus):
		v = 6
	}
	if m.StretchModeEnabled {
		v = max(v, 10)
	}
	if len(m.RangeBlocklist) > 0 {
		v = max(v, 11)
	}
	s := e.Start(v, 1)
	addrs := func(a []encoding.EntityAddrVec) {
		if v < 7 {
			encodeAddrVecsAsAddr(e, a, features)
		} else {
			encodeAddrVecs(e, a, features)
		}
	}
	addrs(m.HBBackAddrs)
	encoding.Slice(e, m.OSDInfo, encodeOSDInfo)
	encodeBlocklist(e, m.Blocklist, features)
	addrs(m.ClusterAddrs)
	e.U32(m.ClusterSnapshotEpoch)
	e.Str(m.ClusterSnapshot)
	encoding.Slice(e, m.OSDUUID, func(e *encoding.Encoder, u encoding.UUID) { e.UUID(u) })
	encoding.Slice(e, m.OSDXInfo, func(e *encoding.Encoder, x OSDXInfo) { encodeOSDXInfo(e, x, features) })
	addrs(m.HBFrontAddrs)
	if v >= 2 {
		e.F32(m.NearfullRatio)
		e.F32(m.FullRatio)
		e.F32(m.BackfillfullRatio)
	}
	if v >= 5 {
		e.U8(uint8(m.RequireMinCompatClient))
		e.U8(uint8(m.RequireOSDRelease))
	}
	if v >= 6 {
		encPoolIntervals(e, m.RemovedSnapsQueue)
	}
	if v >= 8 {
		encodeI32U32Map(e, m.CrushNodeFlags)
	}
	if v >= 9 {
		encodeI32U32Map(e, m.DeviceClassFlags)
	}
	if v >= 10 {
		e.Bool(m.StretchModeEnabled)
		e.U32(m.StretchBucketCount)
		e.U32(m.DegradedStretchMode)
		e.U32(m.RecoveringStretchMode)
		e.I32(m.StretchModeBucket)
	}
	if v >= 11 {
		encodeBlocklist(e, m.RangeBlocklist, features)
	}
	e.End(s)
}

// Decode parses a full OSDMap in the encoding Ceph has used since
// luminous (wrapper struct_v >= 7) and verifies its crc. Pre-firefly
// "classic" encodings are refused. The result owns its memory.
func Decode(b []byte) (*OSDMap, error) {
	d := encoding.NewDecoder(b)
	m := New()
	m.decode(d, b)
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("osdmap: %w", err)
	}
	return m, nil
}

// decode reads the map from d, which reads buf from its start; the crc
// covers bytes the Decoder has already consumed.
func (m *OSDMap) decode(d *encoding.Decoder, buf []byte) {
	start := d.Offset()
	w := d.StartLegacy(wrapperVersion, 7, 7, 0)
	if d.Err() != nil {
		return
	}
	if w.V < 7 {
		d.Fail(encoding.Malformedf("OSDMap classic encoding (struct_v %d) is not supported", w.V))
		return
	}
	m.decodeClient(d)
	m.decodeOSDOnly(d)
	if d.Err() != nil {
		return
	}
	if w.V >= 8 {
		frontEnd := d.Offset()
		m.CRC = d.U32()
		d.End(w)
		if d.Err() != nil {
			return
		}
		actual := crcAround(buf, start, frontEnd, d.Offset())
		if actual != m.CRC {
			d.Fail(encoding.Malformedf("OSDMap bad crc, actual %#x != expected %#x", actual, m.CRC))
		}
		return
	}
	d.End(w)
}

func (m *OSDMap) decodeClient(d *encoding.Decoder) {
	s := d.StartNamed("OSDMap client data", 9)
	m.FSID = d.UUID()
	m.Epoch = d.U32()
	m.Created = d.UTime()
	m.Modified = d.UTime()
	m.Pools = decodePools(d)
	m.PoolNames = decodePoolNames(d)
	m.PoolMax = d.I32()
	m.Flags = d.U32()
	m.MaxOSD = d.I32()
	if s.V >= 5 {
		m.OSDState = encoding.DecodeSlice(d, 4, encoding.DecU32)
	} else {
		m.OSDState = encoding.DecodeSlice(d, 1, func(d *encoding.Decoder) uint32 { return uint32(d.U8()) })
	}
	m.OSDWeight = encoding.DecodeSlice(d, 4, encoding.DecU32)
	m.ClientAddrs = decodeAddrVecs(d)
	m.PGTemp = decodePGTemp(d)
	m.PrimaryTemp = decodePGInt(d)
	if s.V >= 2 {
		m.PrimaryAffinity = encoding.DecodeSlice(d, 4, encoding.DecU32)
	}
	m.Crush = d.BlobCopy()
	if s.V >= 3 {
		m.ErasureCodeProfiles = decStrMapMap(d)
	}
	if s.V >= 4 {
		m.PGUpmap = decodePGTemp(d)
		m.PGUpmapItems = decodeUpmapItems(d)
	}
	if s.V >= 6 {
		m.CrushVersion = d.I32()
	}
	if s.V >= 7 {
		m.NewRemovedSnaps = decPoolIntervals(d)
		m.NewPurgedSnaps = decPoolIntervals(d)
	}
	if s.V >= 9 {
		m.LastUpChange = d.UTime()
		m.LastInChange = d.UTime()
	}
	d.End(s)
}

func (m *OSDMap) decodeOSDOnly(d *encoding.Decoder) {
	s := d.StartNamed("OSDMap osd-only data", 11)
	m.HBBackAddrs = decodeAddrVecs(d)
	m.OSDInfo = encoding.DecodeSlice(d, osdInfoLen, decodeOSDInfo)
	m.Blocklist = decodeBlocklist(d)
	m.ClusterAddrs = decodeAddrVecs(d)
	m.ClusterSnapshotEpoch = d.U32()
	m.ClusterSnapshot = d.Str()
	m.OSDUUID = encoding.DecodeSlice(d, 16, func(d *encoding.Decoder) encoding.UUID { return d.UUID() })
	m.OSDXInfo = encoding.DecodeSlice(d, minXInfoLen, decodeOSDXInfo)
	m.HBFrontAddrs = decodeAddrVecs(d)
	if s.V >= 2 {
		m.NearfullRatio = d.F32()
		m.FullRatio = d.F32()
	}
	if s.V >= 3 {
		m.BackfillfullRatio = d.F32()
	}
	if s.V == 4 {
		d.Str() // string form of require_min_compat_client, luminous dev only
	}
	if s.V >= 5 {
		m.RequireMinCompatClient = encoding.Release(d.U8())
		m.RequireOSDRelease = encoding.Release(d.U8())
	}
	if s.V >= 6 {
		m.RemovedSnapsQueue = decPoolIntervals(d)
	}
	if s.V >= 8 {
		m.CrushNodeFlags = decodeI32U32Map(d)
	}
	if s.V >= 9 {
		m.DeviceClassFlags = decodeI32U32Map(d)
	}
	if s.V >= 10 {
		m.StretchModeEnabled = d.Bool()
		m.StretchBucketCount = d.U32()
		m.DegradedStretchMode = d.U32()
		m.RecoveringStretchMode = d.U32()
		m.StretchModeBucket = d.I32()
	}
	if s.V >= 11 {
		m.RangeBlocklist = decodeBlocklist(d)
	}
	d.End(s)
	if d.Err() == nil {
		m.checkSizes(d)
	}
}

// checkSizes rejects maps whose per-OSD vectors disagree with max_osd,
// which every map Ceph writes satisfies and the mapping code relies on.
func (m *OSDMap) checkSizes(d *encoding.Decoder) {
	n := int(m.MaxOSD)
	if m.MaxOSD < 0 {
		d.Fail(encoding.Malformedf("OSDMap max_osd %d", m.MaxOSD))
		return
	}
	for name, l := range map[string]int{
		"osd_state": len(m.OSDState), "osd_weight": len(m.OSDWeight),
		"client_addrs": len(m.ClientAddrs), "hb_back_addrs": len(m.HBBackAddrs),
		"osd_info": len(m.OSDInfo), "cluster_addrs": len(m.ClusterAddrs),
		"osd_uuid": len(m.OSDUUID), "osd_xinfo": len(m.OSDXInfo),
		"hb_front_addrs": len(m.HBFrontAddrs),
	} {
		if l != n {
			d.Fail(encoding.Malformedf("OSDMap %s has %d entries, max_osd is %d", name, l, n))
			return
		}
	}
	if len(m.PrimaryAffinity) == 0 {
		m.PrimaryAffinity = nil
	} else if len(m.PrimaryAffinity) != n {
		d.Fail(encoding.Malformedf("OSDMap osd_primary_affinity has %d entries, max_osd is %d", len(m.PrimaryAffinity), n))
	}
}

// crcAround is the crc32c Ceph seals an OSDMap or Incremental with: over
// buf[start:end] less the 4-byte crc field at hole (the crc field is
// skipped, -1 seed, as OSDMap::encode computes it).
func crcAround(buf []byte, start, hole, end int) uint32 {
	crc := encoding.CRC32C(0xffffffff, buf[start:hole])
	return encoding.CRC32C(crc, buf[hole+4:end])
}
