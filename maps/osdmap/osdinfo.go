package osdmap

import (
	"github.com/kelp-ceph/kelp/encoding"
)

// OSDInfo is osd_info_t: an OSD's interval history.
type OSDInfo struct {
	LastCleanBegin uint32
	LastCleanEnd   uint32
	UpFrom         uint32
	UpThru         uint32
	DownAt         uint32
	LostAt         uint32
}

const osdInfoLen = 1 + 6*4

func encodeOSDInfo(e *encoding.Encoder, i OSDInfo) {
	e.U8(1) // struct_v
	e.U32(i.LastCleanBegin)
	e.U32(i.LastCleanEnd)
	e.U32(i.UpFrom)
	e.U32(i.UpThru)
	e.U32(i.DownAt)
	e.U32(i.LostAt)
}

func decodeOSDInfo(d *encoding.Decoder) OSDInfo {
	d.U8() // struct_v, ignored as Ceph does
	return OSDInfo{LastCleanBegin: d.U32(), LastCleanEnd: d.U32(), UpFrom: d.U32(),
		UpThru: d.U32(), DownAt: d.U32(), LostAt: d.U32()}
}

// OSDXInfo is osd_xinfo_t: extended per-OSD state.
type OSDXInfo struct {
	DownStamp encoding.UTime
	// LaggyProbability is kept as its wire form (probability *
	// 0xffffffff) so it round-trips exactly; see Laggy.
	LaggyProbability     uint32
	LaggyInterval        uint32
	Features             uint64
	OldWeight            uint32
	LastPurgedSnapsScrub encoding.UTime
	DeadEpoch            uint32
}

// Laggy returns the laggy probability as a fraction.
func (x OSDXInfo) Laggy() float32 { return float32(x.LaggyProbability) / float32(0xffffffff) }

const minXInfoLen = 6 + 8 + 4 + 4

func encodeOSDXInfo(e *encoding.Encoder, x OSDXInfo, features uint64) {
	v := uint8(4)
	if !encoding.HasFeature(features, encoding.FeatureServerOctopus) {
		v = 3
	}
	m := e.Start(v, 1)
	e.UTime(x.DownStamp)
	e.U32(x.LaggyProbability)
	e.U32(x.LaggyInterval)
	e.U64(x.Features)
	e.U32(x.OldWeight)
	if v >= 4 {
		e.UTime(x.LastPurgedSnapsScrub)
		e.U32(x.DeadEpoch)
	}
	e.End(m)
}

func decodeOSDXInfo(d *encoding.Decoder) OSDXInfo {
	var x OSDXInfo
	s := d.Start(4)
	x.DownStamp = d.UTime()
	x.LaggyProbability = d.U32()
	x.LaggyInterval = d.U32()
	if s.V >= 2 {
		x.Features = d.U64()
	}
	if s.V >= 3 {
		x.OldWeight = d.U32()
	}
	if s.V >= 4 {
		x.LastPurgedSnapsScrub = d.UTime()
		x.DeadEpoch = d.U32()
	}
	d.End(s)
	return x
}
