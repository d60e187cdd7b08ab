package msg

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// ElectionOp is an MMonElection op (src/messages/MMonElection.h).
type ElectionOp int32

const (
	ElectionOpPropose ElectionOp = 1 // I want to lead (or: you should)
	ElectionOpAck     ElectionOp = 2 // I defer to you
	ElectionOpNak     ElectionOp = 3 // you lack required features
	ElectionOpVictory ElectionOp = 4 // I lead this quorum
)

func (o ElectionOp) String() string {
	switch o {
	case ElectionOpPropose:
		return "propose"
	case ElectionOpAck:
		return "ack"
	case ElectionOpNak:
		return "nak"
	case ElectionOpVictory:
		return "victory"
	}
	return fmt.Sprintf("op(%d)", int32(o))
}

// ElectionStrategy is MonMap::election_strategy.
type ElectionStrategy uint8

const (
	StrategyClassic      ElectionStrategy = 1
	StrategyDisallow     ElectionStrategy = 2
	StrategyConnectivity ElectionStrategy = 3
)

func (s ElectionStrategy) String() string {
	switch s {
	case StrategyClassic:
		return "classic"
	case StrategyDisallow:
		return "disallow"
	case StrategyConnectivity:
		return "connectivity"
	}
	return fmt.Sprintf("strategy(%d)", uint8(s))
}

// MonElection is MMonElection (HEAD_VERSION 9, COMPAT_VERSION 5): the
// messages of Elector (src/mon/Elector.cc). Epochs are odd while an
// election runs and even once it is won.
//
// SharingBL carries the leader's monitor command descriptions with a
// victory (Monitor::win_election); ScoringBL carries the sender's
// ConnectionTracker report under the connectivity strategy. Both are
// opaque here.
type MonElection struct {
	msgr2.MsgBase
	FSID           encoding.UUID
	Op             ElectionOp
	Epoch          uint32
	MonMap         []byte
	Quorum         []int32
	QuorumFeatures uint64
	SharingBL      []byte
	MonFeatures    uint64            // v6: mon_feature_t
	Metadata       map[string]string // v7: the sender's mon metadata (with acks)
	MonRelease     uint8             // v8
	ScoringBL      []byte            // v9
	Strategy       ElectionStrategy  // v9
}

func (*MonElection) Type() uint16              { return TypeMonElection }
func (*MonElection) Version() (uint16, uint16) { return 9, 5 }

func (m *MonElection) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.UUID(m.FSID)
	e.I32(int32(m.Op))
	e.U32(m.Epoch)
	e.Blob(m.MonMap)
	encodeRanks(&e, m.Quorum)
	e.U64(m.QuorumFeatures)
	e.U64(0) // defunct
	e.U64(0) // defunct
	e.Blob(m.SharingBL)
	encodeMonFeature(&e, m.MonFeatures)
	encodeStrMap(&e, m.Metadata)
	e.U8(m.MonRelease)
	e.Blob(m.ScoringBL)
	e.U8(uint8(m.Strategy))
	return e.Bytes(), nil, nil
}

func (m *MonElection) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.FSID = d.UUID()
	m.Op = ElectionOp(d.I32())
	m.Epoch = d.U32()
	m.MonMap = d.Blob()
	m.Quorum = decodeRanks(d)
	m.QuorumFeatures = d.U64()
	d.Skip(16) // two defunct version_t
	m.SharingBL = d.Blob()
	m.MonFeatures, m.Metadata, m.MonRelease, m.ScoringBL = 0, nil, 0, nil
	m.Strategy = StrategyClassic
	if m.Hdr.Version >= 6 {
		m.MonFeatures = decodeMonFeature(d)
	}
	if m.Hdr.Version >= 7 {
		m.Metadata = decodeStrMap(d)
	}
	if m.Hdr.Version >= 8 {
		m.MonRelease = d.U8()
	}
	if m.Hdr.Version >= 9 {
		m.ScoringBL = d.Blob()
		m.Strategy = ElectionStrategy(d.U8())
	}
	return finish(d)
}

// String prints m as MMonElection::print does.
func (m *MonElection) String() string {
	return fmt.Sprintf("election(%s %s rel %d e%d)", m.FSID, m.Op, m.MonRelease, m.Epoch)
}

// encodeMonFeature encodes mon_feature_t (src/mon/mon_types.h): a
// versioned struct (1, 1) holding the feature bits.
func encodeMonFeature(e *encoding.Encoder, f uint64) {
	s := e.Start(1, 1)
	e.U64(f)
	e.End(s)
}

func decodeMonFeature(d *encoding.Decoder) uint64 {
	s := d.Start(1)
	f := d.U64()
	d.End(s)
	return f
}
