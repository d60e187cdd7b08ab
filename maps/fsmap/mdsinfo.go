package fsmap

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
)

// MDSState is an MDS daemon's state (CEPH_MDS_STATE_* in src/include/ceph_fs.h).
type MDSState int32

const (
	StateDNE           MDSState = 0
	StateStopped       MDSState = -1
	StateBoot          MDSState = -4
	StateStandby       MDSState = -5
	StateCreating      MDSState = -6
	StateStarting      MDSState = -7
	StateStandbyReplay MDSState = -8
	StateReplayOnce    MDSState = -9
	StateNull          MDSState = -10
	StateReplay        MDSState = 8
	StateResolve       MDSState = 9
	StateReconnect     MDSState = 10
	StateRejoin        MDSState = 11
	StateClientReplay  MDSState = 12
	StateActive        MDSState = 13
	StateStopping      MDSState = 14
	StateDamaged       MDSState = 15
)

// String is ceph_mds_state_name.
func (s MDSState) String() string {
	switch s {
	case StateDNE:
		return "down:dne"
	case StateStopped:
		return "down:stopped"
	case StateDamaged:
		return "down:damaged"
	case StateBoot:
		return "up:boot"
	case StateStandby:
		return "up:standby"
	case StateStandbyReplay:
		return "up:standby-replay"
	case StateReplayOnce:
		return "up:oneshot-replay"
	case StateCreating:
		return "up:creating"
	case StateStarting:
		return "up:starting"
	case StateReplay:
		return "up:replay"
	case StateResolve:
		return "up:resolve"
	case StateReconnect:
		return "up:reconnect"
	case StateRejoin:
		return "up:rejoin"
	case StateClientReplay:
		return "up:clientreplay"
	case StateActive:
		return "up:active"
	case StateStopping:
		return "up:stopping"
	case StateNull:
		return "null"
	}
	return "???"
}

// MDSRankNone is MDS_RANK_NONE.
const MDSRankNone int32 = -1

// MDSInfo is MDSMap::mds_info_t, one MDS daemon, as Pacific encodes it
// (struct_v 10 for Nautilus peers, 7 before).
type MDSInfo struct {
	GID           uint64
	Name          string
	Rank          int32
	Inc           int32
	State         MDSState
	StateSeq      uint64
	Addrs         encoding.EntityAddrVec
	LaggySince    encoding.UTime
	ExportTargets []int32
	Features      uint64
	JoinFSCID     int32
	Flags         uint64 // mds_info_t::flags, FROZEN
	// Compat is nil when the encoding predates struct_v 10 (Ceph then
	// assumes the v16.2.4 set, see Normalize).
	Compat *CompatSet
}

// Laggy reports whether the daemon has missed its beacons.
func (in *MDSInfo) Laggy() bool { return !in.LaggySince.IsZero() }

// AppendEncode encodes in as mds_info_t::encode_versioned.
func (in *MDSInfo) AppendEncode(e *encoding.Encoder, features uint64) {
	v := uint8(10)
	if !encoding.HasFeature(features, encoding.FeatureServerNautilus) {
		v = 7
	}
	mk := e.Start(v, 4)
	e.U64(in.GID)
	e.Str(in.Name)
	e.I32(in.Rank)
	e.I32(in.Inc)
	e.I32(int32(in.State))
	e.U64(in.StateSeq)
	if v < 8 {
		e.EntityAddr(in.Addrs.Legacy(), 0)
	} else {
		e.EntityAddrVec(in.Addrs, features)
	}
	e.UTime(in.LaggySince)
	e.I32(MDSRankNone) // standby_for_rank, retired
	e.Str("")          // standby_for_name, retired
	encodeRanks(e, in.ExportTargets)
	e.U64(in.Features)
	e.I32(in.JoinFSCID)
	e.Bool(false) // standby_replay, retired
	if v >= 9 {
		e.U64(in.Flags)
	}
	if v >= 10 {
		c := CompatSet{}
		if in.Compat != nil {
			c = *in.Compat
		}
		encodeCompatSet(e, c)
	}
	e.End(mk)
}

func decodeMDSInfo(d *encoding.Decoder) *MDSInfo {
	in := &MDSInfo{JoinFSCID: FSClusterIDNone}
	s := d.StartNamed("mds_info_t", 10)
	if d.Err() == nil && s.V < 4 {
		d.Fail(encoding.Malformedf("mds_info_t struct_v %d predates versioned encoding", s.V))
	}
	in.GID = d.U64()
	in.Name = d.Str()
	in.Rank = d.I32()
	in.Inc = d.I32()
	in.State = MDSState(d.I32())
	in.StateSeq = d.U64()
	in.Addrs = d.EntityAddrVec()
	in.LaggySince = d.UTime()
	d.I32() // standby_for_rank
	d.Str() // standby_for_name
	in.ExportTargets = decodeRanks(d)
	if s.V >= 5 {
		in.Features = d.U64()
	}
	if s.V >= 6 {
		in.JoinFSCID = d.I32()
	}
	if s.V >= 7 {
		d.Bool() // standby_replay
	}
	if s.V >= 9 {
		in.Flags = d.U64()
	}
	if s.V >= 10 {
		c := decodeCompatSet(d)
		in.Compat = &c
	}
	d.End(s)
	if d.Err() != nil {
		return nil
	}
	if !isSet(in.ExportTargets) {
		d.Fail(encoding.Malformedf("mds_info_t export targets %v are not ascending", in.ExportTargets))
		return nil
	}
	return in
}

// HumanName is mds_info_t::human_name.
func (in *MDSInfo) HumanName() string { return "daemon mds." + in.Name }

// String is mds_info_t's operator<< (the lines `fs dump` prints).
func (in *MDSInfo) String() string {
	s := fmt.Sprintf("[mds.%s{%d:%d} state %s seq %d", in.Name, in.Rank, in.GID, in.State, in.StateSeq)
	if in.Laggy() {
		s += " laggy since " + in.LaggySince.String()
	}
	if len(in.ExportTargets) > 0 {
		s += " export targets " + rankSetString(in.ExportTargets)
	}
	if in.Flags&mdsInfoFrozen != 0 {
		s += " frozen"
	}
	if in.JoinFSCID != FSClusterIDNone {
		s += fmt.Sprintf(" join_fscid=%d", in.JoinFSCID)
	}
	s += " addr " + in.Addrs.String() + " compat "
	if in.Compat != nil {
		s += in.Compat.PrintLite()
	} else {
		s += CompatSet{}.PrintLite()
	}
	return s + "]"
}

// mdsInfoFrozen is mds_info_t::FROZEN.
const mdsInfoFrozen = 1

// rankSetString prints a set of ranks as Ceph's operator<< for std::set.
func rankSetString(s []int32) string {
	out := ""
	for i, r := range s {
		if i > 0 {
			out += ","
		}
		out += fmt.Sprint(r)
	}
	return out
}
