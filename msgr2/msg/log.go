package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Cluster log priorities (clog_type, src/common/LogEntry.h).
const (
	ClogDebug = 0
	ClogInfo  = 1
	ClogSec   = 2
	ClogWarn  = 3
	ClogError = 4
)

// LogEntry is one cluster log line (src/common/LogEntry.cc), encoded as
// struct v5 (compat 5) for Nautilus and later peers.
type LogEntry struct {
	Name    encoding.EntityName
	Rank    encoding.EntityNameT
	Addrs   encoding.EntityAddrVec
	Stamp   encoding.UTime
	Seq     uint64
	Prio    uint16
	Msg     string
	Channel string
}

func (l *LogEntry) encode(e *encoding.Encoder, features uint64) {
	m := e.Start(5, 5)
	e.EntityName(l.Name)
	e.EntityNameT(l.Rank)
	e.EntityAddrVec(l.Addrs, features)
	e.UTime(l.Stamp)
	e.U64(l.Seq)
	e.U16(l.Prio)
	e.Str(l.Msg)
	e.Str(l.Channel)
	e.End(m)
}

func decodeLogEntry(d *encoding.Decoder) LogEntry {
	var l LogEntry
	s := d.StartLegacy(5, 2, 2, 0)
	if s.V < 5 {
		// entity_inst_t who: name and one address.
		l.Rank = d.EntityNameT()
		l.Addrs = encoding.EntityAddrVec{d.EntityAddr()}
		l.Stamp = d.UTime()
		l.Seq = d.U64()
		l.Prio = d.U16()
		l.Msg = d.Str()
		l.Channel = "cluster"
		if s.V >= 3 {
			l.Channel = d.Str()
		}
		if s.V >= 4 {
			l.Name = d.EntityName()
		}
	} else {
		l.Name = d.EntityName()
		l.Rank = d.EntityNameT()
		l.Addrs = d.EntityAddrVec()
		l.Stamp = d.UTime()
		l.Seq = d.U64()
		l.Prio = d.U16()
		l.Msg = d.Str()
		l.Channel = d.Str()
	}
	d.End(s)
	return l
}

// Log is MLog (PaxosServiceMessage): cluster log entries for the monitor.
type Log struct {
	msgr2.MsgBase
	Paxos   PaxosHeader
	FSID    encoding.UUID
	Entries []LogEntry
}

func (*Log) Type() uint16              { return TypeLog }
func (*Log) Version() (uint16, uint16) { return 1, 0 }
func (m *Log) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	e.Count(len(m.Entries))
	for i := range m.Entries {
		m.Entries[i].encode(&e, features)
	}
	return e.Bytes(), nil, nil
}
func (m *Log) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	m.Entries = encoding.DecodeSlice(d, 6, decodeLogEntry)
	return finish(d)
}
