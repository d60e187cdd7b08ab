package monmap

import (
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// Encode encodes m as MonMap::encode does for a peer with the given
// features: the current (v9) layout for Nautilus and later peers, and the
// legacy layouts for older ones. Use encoding.FeaturesPacific for files
// and the mon store (MonMap::write uses CEPH_FEATURES_ALL).
func (m *MonMap) Encode(features uint64) []byte {
	var e encoding.Encoder
	m.encode(&e, features)
	return e.Bytes()
}

func (m *MonMap) encode(e *encoding.Encoder, features uint64) {
	switch {
	case !encoding.HasFeature(features, encoding.FeatureMonNames):
		// v1: a vector of entity_inst_t by rank.
		e.U16(1)
		e.UUID(m.FSID)
		e.U32(m.Epoch)
		e.Count(len(m.Ranks))
		for r := range m.Ranks {
			e.EntityNameT(encoding.EntityNameT{Type: encoding.EntityMon, Num: int64(r)})
			e.EntityAddr(m.AddrsOfRank(r).Legacy(), features)
		}
		e.UTime(m.LastChanged)
		e.UTime(m.Created)
		return
	case !encoding.HasFeature(features, encoding.FeatureMonEnc):
		e.U16(2)
		e.UUID(m.FSID)
		e.U32(m.Epoch)
		m.encodeLegacyAddrs(e, features)
		e.UTime(m.LastChanged)
		e.UTime(m.Created)
		return
	case !encoding.HasFeature(features, encoding.FeatureServerNautilus):
		s := e.Start(5, 3)
		e.UUID(m.FSID)
		e.U32(m.Epoch)
		m.encodeLegacyAddrs(e, features)
		e.UTime(m.LastChanged)
		e.UTime(m.Created)
		encodeMonFeatures(e, m.PersistentFeatures)
		encodeMonFeatures(e, m.OptionalFeatures)
		m.encodeMonInfo(e, features)
		e.End(s)
		return
	}
	s := e.Start(9, 6)
	e.UUID(m.FSID)
	e.U32(m.Epoch)
	e.UTime(m.LastChanged)
	e.UTime(m.Created)
	encodeMonFeatures(e, m.PersistentFeatures)
	encodeMonFeatures(e, m.OptionalFeatures)
	m.encodeMonInfo(e, features)
	encoding.Slice(e, m.Ranks, encoding.EncStr)
	e.U8(uint8(m.MinMonRelease))
	encoding.Slice(e, m.RemovedRanks, encoding.EncI32)
	e.U8(uint8(m.Strategy))
	encoding.Slice(e, m.DisallowedLeaders, encoding.EncStr)
	e.Bool(m.StretchMode)
	e.Str(m.TiebreakerMon)
	encoding.Slice(e, m.StretchMarkedDown, encoding.EncStr)
	e.End(s)
}

// encodeLegacyAddrs encodes map<string, entity_addr_t> of legacy addresses.
func (m *MonMap) encodeLegacyAddrs(e *encoding.Encoder, features uint64) {
	names := slices.Sorted(maps.Keys(m.Mons))
	e.Count(len(names))
	for _, n := range names {
		e.Str(n)
		e.EntityAddr(m.Mons[n].PublicAddrs.Legacy(), features)
	}
}

func (m *MonMap) encodeMonInfo(e *encoding.Encoder, features uint64) {
	names := slices.Sorted(maps.Keys(m.Mons))
	e.Count(len(names))
	for _, n := range names {
		e.Str(n)
		m.Mons[n].encode(e, features)
	}
}

// encode follows mon_info_t::encode: v5 with weight and crush location for
// Nautilus peers (compat 5 once a crush location is set, so that older
// decoders refuse what they would misread), v2 with a legacy address for
// older ones.
func (mi *MonInfo) encode(e *encoding.Encoder, features uint64) {
	v, compat := uint8(5), uint8(1)
	if len(mi.CrushLoc) > 0 {
		compat = 5
	}
	if !encoding.HasFeature(features, encoding.FeatureServerNautilus) {
		v = 2
	}
	s := e.Start(v, compat)
	e.Str(mi.Name)
	if v < 3 {
		e.EntityAddr(mi.PublicAddrs.Legacy(), features)
	} else {
		e.EntityAddrVec(mi.PublicAddrs, features)
	}
	e.U16(mi.Priority)
	if v >= 4 {
		e.U16(mi.Weight)
		encoding.Map(e, mi.CrushLoc, encoding.EncStr, encoding.EncStr)
	}
	e.End(s)
}
