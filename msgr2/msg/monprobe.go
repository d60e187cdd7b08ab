package msg

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// ProbeOp is an MMonProbe op (src/messages/MMonProbe.h).
type ProbeOp int32

const (
	ProbeOpProbe           ProbeOp = 1 // who is out there, and what do you have?
	ProbeOpReply           ProbeOp = 2 // my quorum, monmap and paxos versions
	ProbeOpSlurp           ProbeOp = 3 // obsolete (pre-sync full store copy)
	ProbeOpSlurpLatest     ProbeOp = 4 // obsolete
	ProbeOpData            ProbeOp = 5 // obsolete
	ProbeOpMissingFeatures ProbeOp = 6 // you lack required_features
)

func (o ProbeOp) String() string {
	switch o {
	case ProbeOpProbe:
		return "probe"
	case ProbeOpReply:
		return "reply"
	case ProbeOpSlurp:
		return "slurp"
	case ProbeOpSlurpLatest:
		return "slurp_latest"
	case ProbeOpData:
		return "data"
	case ProbeOpMissingFeatures:
		return "missing_features"
	}
	return fmt.Sprintf("op(%d)", int32(o))
}

// MonProbe is MMonProbe (HEAD_VERSION 8, COMPAT_VERSION 5 in Pacific):
// how a booting or electing monitor finds its peers, learns their quorum
// and Paxos versions and decides between joining an election and
// syncing (Monitor::handle_probe).
//
// MonMap is the sender's encoded MonMap, opaque here; Ceph re-encodes it
// for peers without MONENC or MSG_ADDR2, which no Nautilus or later
// monitor lacks, so kelp sends it as it is.
type MonProbe struct {
	msgr2.MsgBase
	FSID              encoding.UUID
	Op                ProbeOp
	Name              string
	Quorum            []int32 // sorted ranks
	MonMap            []byte
	HasEverJoined     bool
	PaxosFirstVersion uint64
	PaxosLastVersion  uint64
	RequiredFeatures  uint64 // v6
	MonRelease        uint8  // v7: ceph_release_t of the sender
	Leader            int32  // v8: the quorum's leader rank, or -1
}

func (*MonProbe) Type() uint16              { return TypeMonProbe }
func (*MonProbe) Version() (uint16, uint16) { return 8, 5 }

func (m *MonProbe) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.UUID(m.FSID)
	e.I32(int32(m.Op))
	e.Str(m.Name)
	encodeRanks(&e, m.Quorum)
	e.Blob(m.MonMap)
	e.Bool(m.HasEverJoined)
	e.U64(m.PaxosFirstVersion)
	e.U64(m.PaxosLastVersion)
	e.U64(m.RequiredFeatures)
	e.U8(m.MonRelease)
	e.I32(m.Leader)
	return e.Bytes(), nil, nil
}

func (m *MonProbe) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.FSID = d.UUID()
	m.Op = ProbeOp(d.I32())
	m.Name = d.Str()
	m.Quorum = decodeRanks(d)
	m.MonMap = d.Blob()
	m.HasEverJoined = d.Bool()
	m.PaxosFirstVersion = d.U64()
	m.PaxosLastVersion = d.U64()
	m.RequiredFeatures, m.MonRelease, m.Leader = 0, 0, -1
	if m.Hdr.Version >= 6 {
		m.RequiredFeatures = d.U64()
	}
	if m.Hdr.Version >= 7 {
		m.MonRelease = d.U8()
	}
	if m.Hdr.Version >= 8 {
		m.Leader = d.I32()
	}
	return finish(d)
}

// String prints m as MMonProbe::print does.
func (m *MonProbe) String() string {
	s := fmt.Sprintf("mon_probe(%s %s name %s", m.Op, m.FSID, m.Name)
	if len(m.Quorum) > 0 {
		s += fmt.Sprintf(" quorum %v", m.Quorum)
	}
	if m.Op == ProbeOpReply {
		s += fmt.Sprintf(" paxos( fc %d lc %d )", m.PaxosFirstVersion, m.PaxosLastVersion)
	}
	if !m.HasEverJoined {
		s += " new"
	}
	if m.RequiredFeatures != 0 {
		s += fmt.Sprintf(" required_features %d", m.RequiredFeatures)
	}
	if m.MonRelease != 0 {
		s += fmt.Sprintf(" mon_release %d", m.MonRelease)
	}
	return s + ")"
}
