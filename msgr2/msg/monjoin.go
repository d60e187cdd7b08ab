package msg

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// MonJoin is MMonJoin (HEAD_VERSION 3, COMPAT_VERSION 2 in Pacific): a
// monitor that is not in the monmap (or is there with other addresses)
// asks the leader to add it (Monitor::handle_probe_reply,
// MonmapMonitor::prepare_join).
//
// Ceph encodes version 1 (one legacy address) for peers without
// SERVER_NAUTILUS; kelp only talks to Nautilus or later monitors and
// always encodes version 3, but decodes all three.
type MonJoin struct {
	msgr2.MsgBase
	Paxos    PaxosHeader
	FSID     encoding.UUID
	Name     string
	Addrs    encoding.EntityAddrVec
	CrushLoc map[string]string // v3: stretch mode location
	ForceLoc bool              // v3
}

func (*MonJoin) Type() uint16              { return TypeMonJoin }
func (*MonJoin) Version() (uint16, uint16) { return 3, 2 }

func (m *MonJoin) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	e.Str(m.Name)
	e.EntityAddrVec(m.Addrs, features)
	encodeStrMap(&e, m.CrushLoc)
	e.Bool(m.ForceLoc)
	return e.Bytes(), nil, nil
}

func (m *MonJoin) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	m.Name = d.Str()
	m.CrushLoc, m.ForceLoc = nil, false
	if m.Hdr.Version == 1 {
		m.Addrs = encoding.EntityAddrVec{d.EntityAddr()}
		return finish(d)
	}
	m.Addrs = d.EntityAddrVec()
	if m.Hdr.Version >= 3 {
		m.CrushLoc = decodeStrMap(d)
		m.ForceLoc = d.Bool()
	}
	return finish(d)
}

func (m *MonJoin) String() string {
	return fmt.Sprintf("mon_join(%s %s %v)", m.Name, m.Addrs, m.CrushLoc)
}
