package mon

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
)

// The request log makes a write command take effect once, however often
// it arrives. A command can reach the leader twice: a client whose
// monitor died or left the quorum sends it again on its next session
// (MonClient resends under the same tid, from the global id it reclaims),
// and a peon sends its forwarded requests again to the next leader
// (Monitor::resend_routed_requests). When the first copy was already
// proposed, the new leader recovers and commits it, and ceph-mon then
// applies the second copy too: a config-key set applied again after a
// newer set of the same key was acknowledged undoes that newer write.
//
// kelp-mon records, in the same Paxos transaction as a write's changes,
// the write's request id (entity, global id, tid) with the reply it
// earns. Every monitor applies that transaction, so whichever monitor
// leads next finds the id in its store and answers a second copy with
// the recorded reply without applying it again. Only commands whose
// reply is known when they are prepared are recorded (proposeReply);
// the rest behave as in Ceph.
//
// Entries live under reqLogPrefix: "id/<request id>" holds the reply,
// "seq/<16 hex digits>" the id and when it was recorded, in the order
// recorded, and "last" the newest sequence number. The oldest entries are erased as new ones come
// once there are more than reqLogMaxEntries or they are older than
// reqLogMaxAge: a client resends within one hunt for a new monitor, far
// inside that.
const (
	reqLogPrefix     = "kelp_reqlog"
	reqLogMaxEntries = 1 << 16
	reqLogMaxAge     = 10 * time.Minute
	// reqLogMaxReply bounds the output kept with an entry; a write with
	// more output is not recorded.
	reqLogMaxReply = 4 << 10
)

// loggedReply is what a recorded write answered.
type loggedReply struct {
	cmdHash uint64
	r       int
	rs      string
	out     []byte
}

// reqLog is the request log, a service of its own so that it is proposed,
// synced and discarded like every other.
type reqLog struct {
	m *Monitor
	// pending holds the replies to record in the next proposal, by id;
	// order keeps their arrival order.
	pending map[string]loggedReply
	order   []string
	// proposed holds the ids of the proposal in flight until it commits.
	proposed map[string]loggedReply
	// first and firstStamp are the oldest entry not yet erased (first 0:
	// not known). Trimming walks the store only when that entry is out of
	// bounds, and starts there, past the tombstones of what it erased.
	first      uint64
	firstStamp time.Time
	// maxEntries and maxAge bound what is kept (reqLogMaxEntries,
	// reqLogMaxAge; tests make them small).
	maxEntries uint64
	maxAge     time.Duration
	now        func() time.Time
}

func newReqLog(m *Monitor) *reqLog {
	return &reqLog{m: m, pending: map[string]loggedReply{}, maxEntries: reqLogMaxEntries, maxAge: reqLogMaxAge,
		now: time.Now}
}

func (l *reqLog) name() string { return reqLogPrefix }

func (l *reqLog) createInitial() error { return nil }

func (l *reqLog) command(*request) bool { return false }

func (l *reqLog) discardPending() {
	l.pending, l.order, l.proposed, l.first = map[string]loggedReply{}, nil, nil, 0
}

// refresh follows a commit: what was proposed is in the store now.
func (l *reqLog) refresh() error {
	l.proposed = nil
	return nil
}

// requestID names a client's command across sessions and monitors, or
// returns "" when it cannot be named (no global id or tid, or a monitor's
// own request).
func requestID(s *Session, tid uint64) string {
	if s == nil || s.GlobalID == 0 || tid == 0 || s.Entity.Type == encoding.EntityMon {
		return ""
	}
	return s.Entity.String() + "/" + strconv.FormatUint(s.GlobalID, 10) + "/" + strconv.FormatUint(tid, 10)
}

// mayRepeat reports whether a command from s may repeat one recorded
// before, so that the store is searched only then. A client sends a
// command again only on a new session, which reclaims its global id: a
// direct session whose id this monitor has just assigned cannot carry a
// repeat. A forwarded one may (a peon resends after an election).
func mayRepeat(s *Session) bool {
	if s == nil || s.proxied || s.authInfo == nil {
		return true
	}
	switch s.authInfo.GlobalIDStatus {
	case cephx.GlobalIDNewPending, cephx.GlobalIDNewOK, cephx.GlobalIDNewNotExposed:
		return false
	}
	return true
}

// commandHash tells a resent command from another one under a reused id.
func commandHash(cmd []string, inbl []byte) uint64 {
	h := fnv.New64a()
	for _, c := range cmd {
		h.Write([]byte(c))
		h.Write([]byte{0})
	}
	h.Write(inbl)
	return h.Sum64()
}

// answerRepeat answers req when it repeats a write already recorded: at
// once when the first copy committed, after the next commit when the
// first copy is still waiting for one. It reports whether it did.
func (l *reqLog) answerRepeat(req *request) bool {
	if req.id == "" {
		return false
	}
	rep, ok := l.pending[req.id]
	if !ok {
		rep, ok = l.proposed[req.id]
	}
	if ok {
		if rep.cmdHash != req.cmdHash {
			return false
		}
		l.m.log.Debug("repeated request waits for its first copy", "id", req.id)
		l.m.proposeAndThen(func() { req.respond(rep.r, rep.rs, rep.out) })
		return true
	}
	if !mayRepeat(req.session) {
		return false
	}
	b, err := l.m.store.Get(reqLogPrefix, "id/"+req.id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			l.m.log.Warn("request log", "id", req.id, "err", err)
		}
		return false
	}
	rep, err = decodeLoggedReply(b)
	if err != nil {
		l.m.log.Warn("request log entry", "id", req.id, "err", err)
		return false
	}
	if rep.cmdHash != req.cmdHash {
		return false
	}
	l.m.log.Debug("repeated request answered from the request log", "id", req.id, "r", rep.r)
	req.respond(rep.r, rep.rs, rep.out)
	return true
}

// record keeps req's reply for the next proposal.
func (l *reqLog) record(req *request, r int, rs string, out []byte) {
	if req.id == "" || len(out) > reqLogMaxReply {
		return
	}
	if _, ok := l.pending[req.id]; !ok {
		l.order = append(l.order, req.id)
	}
	l.pending[req.id] = loggedReply{cmdHash: req.cmdHash, r: r, rs: rs, out: out}
}

func (l *reqLog) encodePending(tx *store.Transaction) (bool, error) {
	if len(l.order) == 0 {
		return false, nil
	}
	// The newest committed sequence number: nothing else is in flight
	// while a proposal is being made.
	last, err := store.GetU64(l.m.store, reqLogPrefix, "last")
	if err != nil {
		return false, err
	}
	now := l.now()
	seq := last
	for _, id := range l.order {
		seq++
		tx.Put(reqLogPrefix, "id/"+id, encodeLoggedReply(l.pending[id]))
		var e encoding.Encoder
		e.Str(id)
		e.U64(uint64(now.UnixNano()))
		tx.Put(reqLogPrefix, seqKey(seq), e.Bytes())
	}
	tx.PutU64(reqLogPrefix, "last", seq)
	if err := l.trim(tx, seq, last+1, now, len(l.order)+32); err != nil {
		return false, err
	}
	l.proposed, l.pending, l.order = l.pending, map[string]loggedReply{}, nil
	return true, nil
}

// trim erases the oldest committed entries beyond the bounds, at most
// limit of them; firstNew is the sequence number of the first entry tx
// adds. It walks the store only when the oldest entry it knows of is out
// of bounds, or when it knows of none (a new leader).
func (l *reqLog) trim(tx *store.Transaction, last, firstNew uint64, now time.Time, limit int) error {
	inBounds := func(seq uint64, stamp time.Time) bool {
		return last-seq < l.maxEntries && now.Sub(stamp) < l.maxAge
	}
	if l.first != 0 && inBounds(l.first, l.firstStamp) {
		return nil
	}
	from := "seq/"
	if l.first != 0 {
		from = seqKey(l.first)
	}
	l.first = 0
	var bad error
	err := l.m.store.Iterate(reqLogPrefix, from, func(key string, value []byte) bool {
		seq, ok := parseSeqKey(key)
		if !ok {
			return false
		}
		d := encoding.NewDecoder(value)
		id := d.Str()
		stamp := time.Unix(0, int64(d.U64()))
		if err := d.Err(); err != nil {
			bad = fmt.Errorf("request log %s: %w", key, err)
			return false
		}
		if inBounds(seq, stamp) || limit == 0 {
			l.first, l.firstStamp = seq, stamp
			return false
		}
		tx.Erase(reqLogPrefix, key)
		tx.Erase(reqLogPrefix, "id/"+id)
		limit--
		return true
	})
	if bad != nil {
		return bad
	}
	if l.first == 0 {
		// Nothing older is left: the oldest entry is tx's first.
		l.first, l.firstStamp = firstNew, now
	}
	return err
}

func seqKey(seq uint64) string { return fmt.Sprintf("seq/%016x", seq) }

func parseSeqKey(key string) (uint64, bool) {
	hex, ok := strings.CutPrefix(key, "seq/")
	if !ok || len(hex) != 16 {
		return 0, false
	}
	v, err := strconv.ParseUint(hex, 16, 64)
	return v, err == nil
}

func encodeLoggedReply(rep loggedReply) []byte {
	var e encoding.Encoder
	mark := e.Start(1, 1)
	e.U64(rep.cmdHash)
	e.I32(int32(rep.r))
	e.Str(rep.rs)
	e.Blob(rep.out)
	e.End(mark)
	return e.Bytes()
}

func decodeLoggedReply(b []byte) (loggedReply, error) {
	d := encoding.NewDecoder(b)
	st := d.Start(1)
	rep := loggedReply{cmdHash: d.U64(), r: int(d.I32()), rs: d.Str(), out: d.Blob()}
	d.End(st)
	if err := d.Err(); err != nil {
		return loggedReply{}, err
	}
	return rep, nil
}

// proposeReply asks for the pending changes to be proposed and answers
// req with r, rs and out once they commit, recording the answer in the
// request log so that a repeat of req is answered, not applied again.
func (m *Monitor) proposeReply(req *request, r int, rs string, out []byte) {
	m.reqs.record(req, r, rs, out)
	m.proposeAndThen(func() { req.respond(r, rs, out) })
}
