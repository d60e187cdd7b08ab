package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/logentry"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Cluster log priorities (clog_type, src/common/LogEntry.h).
const (
	ClogDebug = logentry.Debug
	ClogInfo  = logentry.Info
	ClogSec   = logentry.Sec
	ClogWarn  = logentry.Warn
	ClogError = logentry.Error
)

// Log is MLog (PaxosServiceMessage): cluster log entries for the monitor.
type Log struct {
	msgr2.MsgBase
	Paxos   PaxosHeader
	FSID    encoding.UUID
	Entries []logentry.Entry
}

func (*Log) Type() uint16              { return TypeLog }
func (*Log) Version() (uint16, uint16) { return 1, 0 }
func (m *Log) EncodePayload(features uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	m.Paxos.encode(&e)
	e.UUID(m.FSID)
	e.Count(len(m.Entries))
	for _, x := range m.Entries {
		logentry.EncodeEntry(&e, x, features)
	}
	return e.Bytes(), nil, nil
}
func (m *Log) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Paxos.decode(d)
	m.FSID = d.UUID()
	m.Entries = encoding.DecodeSlice(d, 6, logentry.DecodeEntry)
	return finish(d)
}
