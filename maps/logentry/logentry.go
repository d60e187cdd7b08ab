// Package logentry implements the cluster log records the monitor keeps
// and sends, as Ceph 16.2 (Pacific) encodes them: LogEntry (struct_v 5),
// LogSummary (struct_v 3) and the LogMonitor's incremental, a version byte
// followed by entries (src/common/LogEntry.{h,cc}, src/mon/LogMonitor.cc).
package logentry

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
)

// Priority is clog_type.
type Priority int16

const (
	Debug   Priority = 0
	Info    Priority = 1
	Sec     Priority = 2
	Warn    Priority = 3
	Error   Priority = 4
	Unknown Priority = -1
)

// String prints the priority as LogEntry's operator<< does.
func (p Priority) String() string {
	switch p {
	case Debug:
		return "[DBG]"
	case Info:
		return "[INF]"
	case Sec:
		return "[SEC]"
	case Warn:
		return "[WRN]"
	case Error:
		return "[ERR]"
	}
	return "[???]"
}

// Channel names Ceph uses.
const (
	ChannelCluster = "cluster"
	ChannelAudit   = "audit"
)

// Entry is LogEntry: one cluster log message.
type Entry struct {
	Name     encoding.EntityName  // "mon.a", "client.admin"
	Rank     encoding.EntityNameT // mon.0, client.4123
	Addrs    encoding.EntityAddrVec
	Stamp    encoding.UTime
	Seq      uint64
	Priority Priority
	Msg      string
	Channel  string
}

// EncodeEntry appends e as LogEntry::encode does (nautilus and later).
func EncodeEntry(enc *encoding.Encoder, e Entry, features uint64) {
	m := enc.Start(5, 5)
	enc.EntityName(e.Name)
	enc.EntityNameT(e.Rank)
	enc.EntityAddrVec(e.Addrs, features)
	enc.UTime(e.Stamp)
	enc.U64(e.Seq)
	enc.U16(uint16(e.Priority))
	enc.Str(e.Msg)
	enc.Str(e.Channel)
	enc.End(m)
}

// DecodeEntry reads a LogEntry. Nautilus and later write struct_v 5;
// older daemons' entries (struct_v 2..4) carried an entity_inst_t and no
// entity name, and are read as LogEntry::decode reads them.
func DecodeEntry(d *encoding.Decoder) Entry {
	var e Entry
	s := d.StartLegacy(5, 2, 2, 0)
	if s.V < 5 {
		e.Rank = d.EntityNameT()
		e.Addrs = encoding.EntityAddrVec{d.EntityAddr()}
		e.Stamp = d.UTime()
		e.Seq = d.U64()
		e.Priority = Priority(int16(d.U16()))
		e.Msg = d.Str()
		e.Channel = ChannelCluster
		if s.V >= 3 {
			e.Channel = d.Str()
		}
		if s.V >= 4 {
			e.Name = d.EntityName()
		}
	} else {
		e.Name = d.EntityName()
		e.Rank = d.EntityNameT()
		e.Addrs = d.EntityAddrVec()
		e.Stamp = d.UTime()
		e.Seq = d.U64()
		e.Priority = Priority(int16(d.U16()))
		e.Msg = d.Str()
		e.Channel = d.Str()
	}
	d.End(s)
	return e
}

// minEntryLen is the least a LogEntry occupies.
const minEntryLen = 6 + 8 + 9 + 5 + 8 + 8 + 2 + 8

// EncodeIncremental returns what LogMonitor::encode_pending stores as one
// paxos version: a version byte (1) and the entries, with no count.
func EncodeIncremental(entries []Entry, features uint64) []byte {
	e := encoding.NewEncoder(nil)
	e.U8(1)
	for _, x := range entries {
		EncodeEntry(e, x, features)
	}
	return e.Bytes()
}

// DecodeIncremental parses a LogMonitor incremental.
func DecodeIncremental(b []byte) ([]Entry, error) {
	d := encoding.NewDecoder(b)
	if v := d.U8(); d.Err() == nil && v != 1 {
		return nil, fmt.Errorf("logentry: incremental version %d", v)
	}
	var out []Entry
	for d.Err() == nil && d.Remaining() > 0 {
		out = append(out, DecodeEntry(d))
	}
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("logentry: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("logentry: %w: incremental without entries", encoding.ErrShort)
	}
	return out, nil
}

// SeqEntry is one (seq, entry) pair of a channel's tail.
type SeqEntry struct {
	Seq   uint64
	Entry Entry
}

// Summary is LogSummary: the recent tail of each channel, which the mon
// keeps as its full LogMonitor state.
type Summary struct {
	Version uint64
	Seq     uint64
	// TailByChannel holds each channel's most recent entries, oldest first.
	TailByChannel map[string][]SeqEntry
}

// Encode returns s as LogSummary::encode writes it in Pacific (struct_v 3).
func (s *Summary) Encode(features uint64) []byte {
	e := encoding.NewEncoder(nil)
	m := e.Start(3, 3)
	e.U64(s.Version)
	e.U64(s.Seq)
	encoding.Map(e, s.TailByChannel, encoding.EncStr, func(e *encoding.Encoder, l []SeqEntry) {
		e.Count(len(l))
		for _, x := range l {
			e.U64(x.Seq)
			EncodeEntry(e, x.Entry, features)
		}
	})
	e.End(m)
	return e.Bytes()
}

// DecodeSummary parses a LogSummary (struct_v 3; later versions' extra
// fields are skipped).
func DecodeSummary(b []byte) (*Summary, error) {
	d := encoding.NewDecoder(b)
	s := &Summary{}
	st := d.StartLegacy(4, 2, 2, 0)
	if d.Err() == nil && st.V < 3 {
		d.Fail(encoding.Malformedf("LogSummary struct_v %d predates per-channel tails", st.V))
	}
	s.Version = d.U64()
	s.Seq = d.U64()
	s.TailByChannel = encoding.DecodeMap(d, 8, encoding.DecStr, func(d *encoding.Decoder) []SeqEntry {
		return encoding.DecodeSlice(d, 8+minEntryLen, func(d *encoding.Decoder) SeqEntry {
			return SeqEntry{Seq: d.U64(), Entry: DecodeEntry(d)}
		})
	})
	d.End(st)
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("logentry: %w", err)
	}
	return s, nil
}

// Add appends e to its channel's tail under the next sequence number, as
// LogSummary::add does.
func (s *Summary) Add(e Entry) {
	if s.TailByChannel == nil {
		s.TailByChannel = map[string][]SeqEntry{}
	}
	s.Seq++
	s.TailByChannel[e.Channel] = append(s.TailByChannel[e.Channel], SeqEntry{Seq: s.Seq, Entry: e})
}

// Prune keeps at most max entries per channel, dropping the oldest
// (LogSummary::prune; the mon uses mon_log_max_summary, 50 by default).
func (s *Summary) Prune(max int) {
	for ch, l := range s.TailByChannel {
		if len(l) > max {
			s.TailByChannel[ch] = append([]SeqEntry(nil), l[len(l)-max:]...)
		}
	}
}
