package quorum

import (
	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// PaxosMessage carries a paxos.MMonPaxos over msgr2 (MSG_MON_PAXOS,
// HEAD_VERSION 4, COMPAT_VERSION 3). mon/paxos owns the codec; this is
// its msgr2.Message face, here because mon/paxos must not depend on the
// messenger.
type PaxosMessage struct {
	msgr2.MsgBase
	*paxos.MMonPaxos
}

func (*PaxosMessage) Type() uint16 { return paxos.MsgMonPaxos }
func (*PaxosMessage) Version() (uint16, uint16) {
	return paxos.MMonPaxosHeadVersion, paxos.MMonPaxosCompatVersion
}

func (m *PaxosMessage) EncodePayload(uint64) ([]byte, []byte, []byte) {
	return m.MMonPaxos.MarshalPayload(), nil, nil
}

func (m *PaxosMessage) DecodePayload(_ uint64, front, _, _ []byte) error {
	p, err := paxos.DecodeMMonPaxos(front, m.Hdr.Version)
	if err != nil {
		return err
	}
	m.MMonPaxos = p
	return nil
}

// RegisterMessages adds every monitor-to-monitor message to r: the ones
// of msg.RegisterMonPeer and MMonPaxos. A monitor of a multi-monitor
// cluster registers these beside msg.Register.
func RegisterMessages(r *msgr2.Registry) {
	msg.RegisterMonPeer(r)
	r.Register(msgr2.MessageType{Type: paxos.MsgMonPaxos, Name: "paxos", New: func() msgr2.Message { return &PaxosMessage{} }})
}
