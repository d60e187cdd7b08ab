package mon

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/logentry"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// logMaxSummary is mon_log_max_summary: how many recent entries of each
// channel the summary keeps.
const logMaxSummary = 50

// logMon is LogMonitor: the cluster log. Each version holds the entries
// it added (an incremental); the summary of each channel's recent tail is
// the full state, stored at every version.
type logMon struct {
	m       *Monitor
	v       versions
	version uint64
	summary *logentry.Summary
	pending []logentry.Entry
	// acks to send once the pending entries commit: MLog senders.
	pendingAcks []func()
	// seq numbers this monitor's own entries, as its LogClient does.
	seq uint64
}

func newLogMon(m *Monitor) *logMon {
	return &logMon{m: m, v: versions{prefix: "logm", st: m.store}, summary: &logentry.Summary{}}
}

func (s *logMon) name() string { return "logm" }

// createInitial logs the cluster's creation, as LogMonitor does ("mkfs FSID").
func (s *logMon) createInitial() error {
	b, err := s.m.store.Get(mkfsPrefix, mkfsMonmapKey)
	if err != nil {
		return err
	}
	mm, err := monmap.Decode(b)
	if err != nil {
		return err
	}
	s.clog(logentry.ChannelCluster, msg.ClogInfo, "mkfs "+mm.FSID.String())
	if mi, ok := mm.Mons[s.m.name]; ok {
		s.pending[len(s.pending)-1].Addrs = mi.PublicAddrs
	}
	return nil
}

// clog queues a log entry from this monitor.
func (s *logMon) clog(channel string, prio logentry.Priority, text string) {
	var addrs encoding.EntityAddrVec
	rank := max(s.m.rank(), 0)
	if mm := s.m.monmap.current; mm != nil {
		addrs = mm.AddrsOfRank(rank)
	}
	s.seq++
	s.pending = append(s.pending, logentry.Entry{
		Seq:  s.seq,
		Name: encoding.EntityName{Type: encoding.EntityMon, ID: s.m.name},
		Rank: encoding.EntityNameT{Type: encoding.EntityMon, Num: int64(rank)}, Addrs: addrs,
		Stamp: encoding.UTimeOf(time.Now()), Priority: prio, Msg: text, Channel: channel,
	})
	s.m.proposeAndThen(nil)
}

func (s *logMon) refresh() error {
	last, b, err := s.v.newerFull(s.version)
	if err != nil || last == 0 {
		return err
	}
	sum, err := logentry.DecodeSummary(b)
	if err != nil {
		return err
	}
	prev := s.version
	s.summary, s.version = sum, last
	if prev != 0 {
		for what := range logLevels {
			s.m.notifySubscribers(what)
		}
	}
	return nil
}

func (s *logMon) encodePending(tx *store.Transaction) (bool, error) {
	if len(s.pending) == 0 {
		return false, nil
	}
	ver := s.version + 1
	sum := &logentry.Summary{Version: ver, Seq: s.summary.Seq, TailByChannel: map[string][]logentry.SeqEntry{}}
	for ch, l := range s.summary.TailByChannel {
		sum.TailByChannel[ch] = slices.Clone(l)
	}
	for _, e := range s.pending {
		sum.Add(e)
	}
	sum.Prune(logMaxSummary)
	s.v.put(tx, ver, logentry.EncodeIncremental(s.pending, encoding.FeaturesPacific))
	s.v.putFull(tx, ver, sum.Encode(encoding.FeaturesPacific))
	if err := s.v.putLastCommitted(tx, ver); err != nil {
		return false, err
	}
	s.pending = nil
	acks := s.pendingAcks
	s.pendingAcks = nil
	s.m.next = append(s.m.next, acks...)
	return true, nil
}

// handleLog takes a daemon's or client's MLog and acknowledges the
// entries once they commit (LogMonitor::prepare_log).
func (s *logMon) handleLog(sess *Session, mg *msg.Log) {
	last := map[string]uint64{}
	for _, le := range mg.Entries {
		s.pending = append(s.pending, le)
		last[le.Channel] = max(last[le.Channel], le.Seq)
	}
	fsid := s.m.monmap.current.FSID
	for ch, seq := range last {
		s.pendingAcks = append(s.pendingAcks, func() { sess.send(&msg.LogAck{FSID: fsid, Last: seq, Channel: ch}) })
	}
	s.m.proposeAndThen(nil)
}

// logLevels maps the log subscriptions to the least priority they carry.
var logLevels = map[string]logentry.Priority{
	"log-debug": msg.ClogDebug, "log-info": msg.ClogInfo, "log-sec": msg.ClogSec,
	"log-warn": msg.ClogWarn, "log-error": msg.ClogError,
}

// checkSub serves `ceph -w`'s log subscriptions: the entries of versions
// from next on, at or above the subscription's level.
func (s *logMon) checkSub(sess *Session, what string) bool {
	level, ok := logLevels[what]
	if !ok {
		return false
	}
	sub := sess.subs.get(what)
	if sub.next == 0 || sub.next > s.version {
		// A new watcher starts with what comes next.
		sess.subs.get(what).next = s.version + 1
		return true
	}
	var out []logentry.Entry
	for v := sub.next; v <= s.version; v++ {
		b, err := s.v.get(v)
		if err != nil {
			break
		}
		entries, err := logentry.DecodeIncremental(b)
		if err != nil {
			break
		}
		for _, e := range entries {
			if e.Priority >= level {
				out = append(out, e)
			}
		}
	}
	if len(out) > 0 {
		sess.send(&msg.Log{Paxos: msg.NewPaxosHeader(s.version), FSID: s.m.monmap.current.FSID, Entries: out})
	}
	s.m.advanceSub(sess, what, s.version+1)
	return true
}

// logEntryJSON is one entry of `log last -f json`.
type logEntryJSON struct {
	Name     string               `json:"name"`
	Rank     string               `json:"rank"`
	Addrs    encoding.AddrVecJSON `json:"addrs"`
	Stamp    string               `json:"stamp"`
	Seq      uint64               `json:"seq"`
	Channel  string               `json:"channel"`
	Priority string               `json:"priority"`
	Message  string               `json:"message"`
}

func (s *logMon) command(req *request) bool {
	switch req.prefix {
	case "log":
		text := strings.Join(req.strs("logtext"), " ")
		e := logentry.Entry{Name: req.session.entityOrMon(s.m.name),
			Rank:  encoding.EntityNameT{Type: req.session.entityOrMon(s.m.name).Type, Num: -1},
			Addrs: req.session.addrsOrNone(), Stamp: encoding.UTimeOf(time.Now()),
			Priority: msg.ClogInfo, Msg: text, Channel: logentry.ChannelCluster}
		s.pending = append(s.pending, e)
		s.m.proposeReply(req, 0, "", nil)
	case "log last":
		n, ok := req.int("num")
		if !ok {
			n = 20
		}
		level := msg.ClogInfo
		switch req.strOr("level", "info") {
		case "debug":
			level = msg.ClogDebug
		case "sec":
			level = msg.ClogSec
		case "warn":
			level = msg.ClogWarn
		case "error":
			level = msg.ClogError
		}
		channel := req.strOr("channel", logentry.ChannelCluster)
		var all []logentry.SeqEntry
		for ch, l := range s.summary.TailByChannel {
			if channel == "*" || ch == channel {
				all = append(all, l...)
			}
		}
		slices.SortFunc(all, func(a, b logentry.SeqEntry) int { return int(a.Seq - b.Seq) })
		var picked []logentry.Entry
		for i := len(all) - 1; i >= 0 && int64(len(picked)) < n; i-- {
			if all[i].Entry.Priority >= level {
				picked = append(picked, all[i].Entry)
			}
		}
		slices.Reverse(picked)
		if f := req.formatOf(fmtPlain); isJSON(f) {
			out := []logEntryJSON{}
			for _, e := range picked {
				out = append(out, logEntryJSON{Name: e.Name.String(), Rank: e.Rank.String(), Addrs: e.Addrs.JSON(),
					Stamp: e.Stamp.String(), Seq: e.Seq, Channel: e.Channel, Priority: e.Priority.String(), Message: e.Msg})
			}
			req.replyJSON(0, "", out, f)
			return true
		}
		var b strings.Builder
		for _, e := range picked {
			fmt.Fprintf(&b, "%s %s (%s) %d : %s %s %s\n", e.Stamp, e.Name, e.Rank, e.Seq, e.Channel, e.Priority, e.Msg)
		}
		req.respond(0, "", []byte(b.String()))
	default:
		return false
	}
	return true
}
