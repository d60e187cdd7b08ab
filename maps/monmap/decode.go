package monmap

import (
	"strconv"

	"github.com/kelp-ceph/kelp/encoding"
)

// Decode decodes any MonMap encoding Ceph has written (v1 to v9) and
// rejects trailing bytes.
func Decode(b []byte) (*MonMap, error) {
	d := encoding.NewDecoder(b)
	m := decode(d)
	if err := d.Done(); err != nil {
		return nil, err
	}
	return m, nil
}

// minInfoLen bounds the allocation for a mon_info map entry: a name, a
// struct header and an empty address vector.
const minInfoLen = 4 + 6 + 4

func decode(d *encoding.Decoder) *MonMap {
	m := &MonMap{Mons: map[string]*MonInfo{}, Strategy: StrategyClassic}
	// DECODE_START_LEGACY_COMPAT_LEN_16(7, 3, 3): the v1 and v2 layouts
	// begin with a u16 version.
	s := d.StartLegacy(9, 3, 3, 1)
	m.FSID = d.UUID()
	m.Epoch = d.U32()
	legacy := map[string]encoding.EntityAddr{}
	switch {
	case s.V == 1:
		n := d.Count(9 + 1)
		for i := range n {
			d.EntityNameT()
			legacy[strconv.Itoa(i)] = d.EntityAddr()
		}
	case s.V < 6:
		legacy = encoding.DecodeMap(d, 5, encoding.DecStr, (*encoding.Decoder).EntityAddr)
	}
	m.LastChanged = d.UTime()
	m.Created = d.UTime()
	if s.V >= 4 {
		m.PersistentFeatures = decodeMonFeatures(d)
		m.OptionalFeatures = decodeMonFeatures(d)
	}
	if s.V < 5 {
		for name, a := range legacy {
			m.Mons[name] = &MonInfo{Name: name, PublicAddrs: encoding.EntityAddrVec{a}}
		}
	} else {
		n := d.Count(minInfoLen)
		for range n {
			name := d.Str()
			mi := decodeMonInfo(d)
			if d.Err() != nil {
				return nil
			}
			m.Mons[name] = mi
		}
	}
	if s.V < 6 {
		m.CalcLegacyRanks()
	} else {
		m.Ranks = encoding.DecodeSlice(d, 4, encoding.DecStr)
	}
	if s.V >= 7 {
		m.MinMonRelease = encoding.Release(d.U8())
	}
	if s.V >= 8 {
		m.RemovedRanks = encoding.DecodeSlice(d, 4, encoding.DecI32)
		m.Strategy = ElectionStrategy(d.U8())
		m.DisallowedLeaders = encoding.DecodeSlice(d, 4, encoding.DecStr)
	}
	if s.V >= 9 {
		m.StretchMode = d.Bool()
		m.TiebreakerMon = d.Str()
		m.StretchMarkedDown = encoding.DecodeSlice(d, 4, encoding.DecStr)
	}
	d.End(s)
	if d.Err() != nil {
		return nil
	}
	for _, name := range m.Ranks {
		if _, ok := m.Mons[name]; !ok {
			d.Fail(encoding.Malformedf("monmap: rank names unknown mon.%s", name))
			return nil
		}
	}
	return m
}

func decodeMonInfo(d *encoding.Decoder) *MonInfo {
	mi := &MonInfo{}
	s := d.StartNamed("mon_info_t", 5)
	mi.Name = d.Str()
	mi.PublicAddrs = d.EntityAddrVec()
	if s.V >= 2 {
		mi.Priority = d.U16()
	}
	if s.V >= 4 {
		mi.Weight = d.U16()
	}
	if s.V >= 5 {
		mi.CrushLoc = encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
		if len(mi.CrushLoc) == 0 {
			mi.CrushLoc = nil
		}
	}
	d.End(s)
	return mi
}
