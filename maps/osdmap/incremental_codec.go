package osdmap

import (
	"encoding/binary"
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
)

// Encoding versions of OSDMap::Incremental::encode in Ceph 16.2.
const (
	incClientVersion = 8 // client-usable data
	incOSDVersion    = 9 // osd-only data; 10 when stretch mode changes, 11 with range blocklist changes
)

func encI32AddrVecMap(e *encoding.Encoder, m map[int32]encoding.EntityAddrVec, features uint64) {
	encoding.Map(e, m, encoding.EncI32, encAddrVec(features))
}

// encI32AddrMapAsAddr writes map<int32, entity_addrvec_t> with each
// vector's legacy address alone (encode_addrvec_map_as_addr).
func encI32AddrMapAsAddr(e *encoding.Encoder, m map[int32]encoding.EntityAddrVec, features uint64) {
	encoding.Map(e, m, encoding.EncI32, func(e *encoding.Encoder, v encoding.EntityAddrVec) {
		e.EntityAddr(v.Legacy(), features)
	})
}

func decI32AddrVecMap(d *encoding.Decoder) map[int32]encoding.EntityAddrVec {
	return encoding.DecodeMap(d, 4+minAddrVecLen, encoding.DecI32, decAddrVec)
}

func encI32U32(e *encoding.Encoder, m map[int32]uint32) {
	encoding.Map(e, m, encoding.EncI32, encoding.EncU32)
}

func decI32U32(d *encoding.Decoder) map[int32]uint32 {
	return encoding.DecodeMap(d, 8, encoding.DecI32, encoding.DecU32)
}

func encAddrList(e *encoding.Encoder, v []encoding.EntityAddr, features uint64) {
	encoding.Slice(e, v, encAddr(features))
}

func decAddrList(d *encoding.Decoder) []encoding.EntityAddr {
	return encoding.DecodeSlice(d, 5, decAddr)
}

// Encode returns the incremental encoded as Incremental::encode does with
// the given features (Ceph's callers pass OSDMap::get_encoding_features(),
// see EncodingFeatures; the value is recorded in the encoding). It fills
// in IncCRC; FullCRC is written as set.
func (inc *Incremental) Encode(features uint64) []byte {
	e := encoding.NewEncoder(nil)
	inc.AppendEncode(e, features)
	return e.Bytes()
}

// AppendEncode is Encode appending to e.
func (inc *Incremental) AppendEncode(e *encoding.Encoder, features uint64) {
	features &^= uint64(encoding.FeatureReserved)
	start := e.Len()
	w := e.Start(wrapperVersion, wrapperCompat)
	inc.encodeClient(e, features)
	inc.encodeOSDOnly(e, features)
	crcOff := e.Len()
	e.U32(0)
	e.U32(inc.FullCRC)
	e.End(w)
	buf := e.Bytes()
	crc := crcAround(buf, start, crcOff, len(buf))
	binary.LittleEndian.PutUint32(buf[crcOff:], crc)
	inc.IncCRC = crc
	inc.HaveCRC = true
}

func (inc *Incremental) encodeClient(e *encoding.Encoder, features uint64) {
	v := uint8(incClientVersion)
	switch {
	case !encoding.HasFeature(features, encoding.FeatureServerLuminous):
		v = 3
	case !encoding.HasFeature(features, encoding.FeatureServerMimic):
		v = 5
	case !encoding.HasFeature(features, encoding.FeatureServerNautilus):
		v = 6
	}
	s := e.Start(v, 1)
	e.UUID(inc.FSID)
	e.U32(inc.Epoch)
	e.UTime(inc.Modified)
	e.I64(inc.NewPoolMax)
	e.I32(inc.NewFlags)
	e.Blob(inc.FullMap)
	e.Blob(inc.Crush)
	e.I32(inc.NewMaxOSD)
	encodePools(e, inc.NewPools, features)
	encodePoolNames(e, inc.NewPoolNames)
	encodeSet(e, inc.OldPools, cmpI64, encoding.EncI64)
	if v >= 7 {
		encI32AddrVecMap(e, inc.NewUpClient, features)
	} else {
		encI32AddrMapAsAddr(e, inc.NewUpClient, features)
	}
	if v >= 5 {
		encI32U32(e, inc.NewState)
	} else {
		// Older peers get the low byte of each change, and no entry for
		// changes that only touch higher bits.
		old := map[int32]uint8{}
		for o, st := range inc.NewState {
			if st != 0 && uint8(st) == 0 {
				continue
			}
			old[o] = uint8(st)
		}
		encoding.Map(e, old, encoding.EncI32, encoding.EncU8)
	}
	encI32U32(e, inc.NewWeight)
	encodePGTemp(e, inc.NewPGTemp)
	encodePGInt(e, inc.NewPrimaryTemp)
	encI32U32(e, inc.NewPrimaryAff)
	encStrMapMap(e, inc.NewECProfiles)
	encoding.Slice(e, inc.OldECProfiles, encoding.EncStr)
	if v >= 4 {
		encodePGTemp(e, inc.NewPGUpmap)
		encodePGSet(e, inc.OldPGUpmap)
		encodeUpmapItems(e, inc.NewPGUpmapItems)
		encodePGSet(e, inc.OldPGUpmapItems)
	}
	if v >= 6 {
		encPoolIntervals(e, inc.NewRemovedSnaps)
		encPoolIntervals(e, inc.NewPurgedSnaps)
	}
	if v >= 8 {
		e.UTime(inc.NewLastUpChange)
		e.UTime(inc.NewLastInChange)
	}
	e.End(s)
}

func (inc *Incremental) encodeOSDOnly(e *encoding.Encoder, features uint64) {
	v := uint8(incOSDVersion)
	switch {
	case !encoding.HasFeature(features, encoding.FeatureServerLuminous):
		v = 2
	case !encoding.HasFeature(features, encoding.FeatureServerNautilus):
		v = 6
	}
	if inc.ChangeStretchMode {
		v = max(v, 10)
	}
	if len(inc.NewRangeBlocklist) > 0 || len(inc.OldRangeBlocklist) > 0 {
		v = max(v, 11)
	}
	s := e.Start(v, 1)
	addrs := func(m map[int32]encoding.EntityAddrVec) {
		if v < 7 {
			encI32AddrMapAsAddr(e, m, features)
		} else {
			encI32AddrVecMap(e, m, features)
		}
	}
	addrs(inc.NewHBBackUp)
	encI32U32(e, inc.NewUpThru)
	encoding.Map(e, inc.NewLastCleanInterval, encoding.EncI32, func(e *encoding.Encoder, iv EpochInterval) {
		e.U32(iv.First)
		e.U32(iv.Last)
	})
	encI32U32(e, inc.NewLost)
	encodeBlocklist(e, inc.NewBlocklist, features)
	encAddrList(e, inc.OldBlocklist, features)
	addrs(inc.NewUpCluster)
	e.Str(inc.ClusterSnapshot)
	encoding.Map(e, inc.NewUUID, encoding.EncI32, func(e *encoding.Encoder, u encoding.UUID) { e.UUID(u) })
	encoding.Map(e, inc.NewXInfo, encoding.EncI32, func(e *encoding.Encoder, x OSDXInfo) { encodeOSDXInfo(e, x, features) })
	addrs(inc.NewHBFrontUp)
	e.U64(features)
	if v >= 3 {
		e.F32(inc.NewNearfullRatio)
		e.F32(inc.NewFullRatio)
		e.F32(inc.NewBackfillfullRatio)
	}
	if v >= 6 {
		e.U8(uint8(inc.NewRequireMinCompat))
		e.U8(uint8(inc.NewRequireOSDRelease))
	}
	if v >= 8 {
		encI32U32(e, inc.NewCrushNodeFlags)
	}
	if v >= 9 {
		encI32U32(e, inc.NewDeviceClassFlags)
	}
	if v >= 10 {
		e.Bool(inc.ChangeStretchMode)
		e.U32(inc.NewStretchBucketCount)
		e.U32(inc.NewDegradedStretchMode)
		e.U32(inc.NewRecoveringStretch)
		e.I32(inc.NewStretchModeBucket)
		e.Bool(inc.StretchModeEnabled)
	}
	if v >= 11 {
		encodeBlocklist(e, inc.NewRangeBlocklist, features)
		encAddrList(e, inc.OldRangeBlocklist, features)
	}
	e.End(s)
}

// DecodeIncremental parses an incremental in the encoding Ceph has used
// since luminous (wrapper struct_v >= 7) and verifies its inc_crc.
func DecodeIncremental(b []byte) (*Incremental, error) {
	d := encoding.NewDecoder(b)
	inc := NewIncremental(0)
	inc.decode(d, b)
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("osdmap incremental: %w", err)
	}
	return inc, nil
}

func (inc *Incremental) decode(d *encoding.Decoder, buf []byte) {
	start := d.Offset()
	w := d.StartLegacy(wrapperVersion, 7, 7, 0)
	if d.Err() != nil {
		return
	}
	if w.V < 7 {
		d.Fail(encoding.Malformedf("OSDMap::Incremental classic encoding (struct_v %d) is not supported", w.V))
		return
	}
	inc.decodeClient(d)
	inc.decodeOSDOnly(d)
	if d.Err() != nil {
		return
	}
	if w.V < 8 {
		d.End(w)
		return
	}
	frontEnd := d.Offset()
	inc.IncCRC = d.U32()
	inc.FullCRC = d.U32()
	inc.HaveCRC = true
	d.End(w)
	if d.Err() != nil {
		return
	}
	actual := crcAround(buf, start, frontEnd, d.Offset())
	if actual != inc.IncCRC {
		d.Fail(encoding.Malformedf("OSDMap::Incremental bad crc, actual %#x != expected %#x", actual, inc.IncCRC))
	}
}

func (inc *Incremental) decodeClient(d *encoding.Decoder) {
	s := d.StartNamed("OSDMap::Incremental client data", 8)
	inc.FSID = d.UUID()
	inc.Epoch = d.U32()
	inc.Modified = d.UTime()
	inc.NewPoolMax = d.I64()
	inc.NewFlags = d.I32()
	inc.FullMap = d.BlobCopy()
	inc.Crush = d.BlobCopy()
	inc.NewMaxOSD = d.I32()
	inc.NewPools = decodePools(d)
	inc.NewPoolNames = decodePoolNames(d)
	inc.OldPools = decodeSet(d, 8, encoding.DecI64)
	inc.NewUpClient = decI32AddrVecMap(d)
	if s.V >= 5 {
		inc.NewState = decI32U32(d)
	} else {
		inc.NewState = encoding.DecodeMap(d, 5, encoding.DecI32, func(d *encoding.Decoder) uint32 { return uint32(d.U8()) })
	}
	inc.NewWeight = decI32U32(d)
	inc.NewPGTemp = decodePGTemp(d)
	inc.NewPrimaryTemp = decodePGInt(d)
	if s.V >= 2 {
		inc.NewPrimaryAff = decI32U32(d)
	}
	if s.V >= 3 {
		inc.NewECProfiles = decStrMapMap(d)
		inc.OldECProfiles = encoding.DecodeSlice(d, 4, encoding.DecStr)
	}
	if s.V >= 4 {
		inc.NewPGUpmap = decodePGTemp(d)
		inc.OldPGUpmap = decodePGSet(d)
		inc.NewPGUpmapItems = decodeUpmapItems(d)
		inc.OldPGUpmapItems = decodePGSet(d)
	}
	if s.V >= 6 {
		inc.NewRemovedSnaps = decPoolIntervals(d)
		inc.NewPurgedSnaps = decPoolIntervals(d)
	}
	if s.V >= 8 {
		inc.NewLastUpChange = d.UTime()
		inc.NewLastInChange = d.UTime()
	}
	d.End(s)
}

func (inc *Incremental) decodeOSDOnly(d *encoding.Decoder) {
	s := d.StartNamed("OSDMap::Incremental osd-only data", 11)
	inc.NewHBBackUp = decI32AddrVecMap(d)
	inc.NewUpThru = decI32U32(d)
	inc.NewLastCleanInterval = encoding.DecodeMap(d, 12, encoding.DecI32, func(d *encoding.Decoder) EpochInterval {
		return EpochInterval{First: d.U32(), Last: d.U32()}
	})
	inc.NewLost = decI32U32(d)
	inc.NewBlocklist = decodeBlocklist(d)
	inc.OldBlocklist = decAddrList(d)
	inc.NewUpCluster = decI32AddrVecMap(d)
	inc.ClusterSnapshot = d.Str()
	inc.NewUUID = encoding.DecodeMap(d, 20, encoding.DecI32, func(d *encoding.Decoder) encoding.UUID { return d.UUID() })
	inc.NewXInfo = encoding.DecodeMap(d, 4+minXInfoLen, encoding.DecI32, decodeOSDXInfo)
	inc.NewHBFrontUp = decI32AddrVecMap(d)
	if s.V >= 2 {
		inc.EncodeFeatures = d.U64()
	} else {
		inc.EncodeFeatures = uint64(encoding.FeaturePGID64 | encoding.FeatureOSDMapEnc)
	}
	if s.V >= 3 {
		inc.NewNearfullRatio = d.F32()
		inc.NewFullRatio = d.F32()
	}
	if s.V >= 4 {
		inc.NewBackfillfullRatio = d.F32()
	}
	if s.V == 5 {
		d.Str() // string form of require_min_compat_client, luminous dev only
	}
	if s.V >= 6 {
		inc.NewRequireMinCompat = encoding.Release(d.U8())
		inc.NewRequireOSDRelease = encoding.Release(d.U8())
	}
	if s.V >= 8 {
		inc.NewCrushNodeFlags = decI32U32(d)
	}
	if s.V >= 9 {
		inc.NewDeviceClassFlags = decI32U32(d)
	}
	if s.V >= 10 {
		inc.ChangeStretchMode = d.Bool()
		inc.NewStretchBucketCount = d.U32()
		inc.NewDegradedStretchMode = d.U32()
		inc.NewRecoveringStretch = d.U32()
		inc.NewStretchModeBucket = d.I32()
		inc.StretchModeEnabled = d.Bool()
	}
	if s.V >= 11 {
		inc.NewRangeBlocklist = decodeBlocklist(d)
		inc.OldRangeBlocklist = decAddrList(d)
	}
	d.End(s)
}

func cmpI64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
