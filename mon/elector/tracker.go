package elector

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// ConnectionReport is one monitor's view of its links to its peers
// (src/mon/ConnectionTracker.h): whether each is up now and a score in
// [0, 1] of how reliable it has been.
type ConnectionReport struct {
	Rank         int32
	Current      map[int32]bool
	History      map[int32]float64
	Epoch        uint32 // the election epoch the report belongs to
	EpochVersion uint64 // its version within that epoch
}

func newReport(rank int32) ConnectionReport {
	return ConnectionReport{Rank: rank, Current: map[int32]bool{}, History: map[int32]float64{}}
}

func (r ConnectionReport) clone() ConnectionReport {
	c := r
	c.Current, c.History = maps.Clone(r.Current), maps.Clone(r.History)
	if c.Current == nil {
		c.Current = map[int32]bool{}
	}
	if c.History == nil {
		c.History = map[int32]float64{}
	}
	return c
}

func encBool(e *encoding.Encoder, v bool)   { e.Bool(v) }
func decBool(d *encoding.Decoder) bool      { return d.Bool() }
func encF64(e *encoding.Encoder, v float64) { e.F64(v) }
func decF64(d *encoding.Decoder) float64    { return d.F64() }

func (r *ConnectionReport) encode(e *encoding.Encoder) {
	s := e.Start(1, 1)
	e.I32(r.Rank)
	encoding.Map(e, r.Current, encoding.EncI32, encBool)
	encoding.Map(e, r.History, encoding.EncI32, encF64)
	e.U32(r.Epoch)
	e.U64(r.EpochVersion)
	e.End(s)
}

func decodeReport(d *encoding.Decoder) ConnectionReport {
	s := d.Start(1)
	var r ConnectionReport
	r.Rank = d.I32()
	r.Current = encoding.DecodeMap(d, 5, encoding.DecI32, decBool)
	r.History = encoding.DecodeMap(d, 12, encoding.DecI32, decF64)
	r.Epoch = d.U32()
	r.EpochVersion = d.U64()
	d.End(s)
	return r
}

// DefaultHalfLife is mon_con_tracker_score_halflife (12 hours), in
// seconds.
const DefaultHalfLife = 12 * 60 * 60

// DefaultPersistInterval is mon_con_tracker_persist_interval.
const DefaultPersistInterval = 10

// ConnectionTracker keeps this monitor's connection scores and the
// latest reports it has seen from its peers (ConnectionTracker.cc). The
// connectivity election strategy ranks candidates by the sum of the
// scores their live peers give them. It travels in MMonPing and
// MMonElection and is persisted under "monitor"/"connectivity_scores".
type ConnectionTracker struct {
	rank            int
	epoch           uint32
	version         uint64
	halfLife        float64
	persistInterval uint64
	reports         map[int32]ConnectionReport // peer_reports, ours included
	mine            ConnectionReport
}

// NewConnectionTracker returns an empty tracker for the monitor of rank.
func NewConnectionTracker(rank int, halfLife float64) *ConnectionTracker {
	return &ConnectionTracker{rank: rank, halfLife: halfLife, persistInterval: DefaultPersistInterval,
		reports: map[int32]ConnectionReport{}, mine: newReport(int32(rank))}
}

// Rank, Epoch and Version are the tracker's own coordinates.
func (t *ConnectionTracker) Rank() int         { return t.rank }
func (t *ConnectionTracker) Epoch() uint32     { return t.epoch }
func (t *ConnectionTracker) Version() uint64   { return t.version }
func (t *ConnectionTracker) HalfLife() float64 { return t.halfLife }

// Report returns the latest report of rank (ours for our rank).
func (t *ConnectionTracker) Report(rank int) (ConnectionReport, bool) {
	r, ok := t.reports[int32(rank)]
	return r.clone(), ok
}

// Clone returns a deep copy (the stable and leader trackers of an
// election are copies).
func (t *ConnectionTracker) Clone() *ConnectionTracker {
	c := *t
	c.reports = make(map[int32]ConnectionReport, len(t.reports))
	for k, v := range t.reports {
		c.reports[k] = v.clone()
	}
	c.mine = t.mine.clone()
	return &c
}

// ReceivePeerReport takes every report of o that is newer than ours
// (ConnectionTracker::receive_peer_report); our own report is ours.
func (t *ConnectionTracker) ReceivePeerReport(o *ConnectionTracker) {
	for _, k := range slices.Sorted(maps.Keys(o.reports)) {
		r := o.reports[k]
		if int(r.Rank) == t.rank {
			continue
		}
		old, ok := t.reports[r.Rank]
		if !ok {
			old = newReport(-1)
		}
		if r.Epoch > old.Epoch || (r.Epoch == old.Epoch && r.EpochVersion > old.EpochVersion) {
			t.reports[r.Rank] = r.clone()
		}
	}
}

// IncreaseEpoch moves the tracker to election epoch e, resetting the
// version; false when e is not newer.
func (t *ConnectionTracker) IncreaseEpoch(e uint32) bool {
	if e <= t.epoch {
		return false
	}
	t.version = 0
	t.mine.EpochVersion = 0
	t.epoch, t.mine.Epoch = e, e
	t.reports[int32(t.rank)] = t.mine.clone()
	return true
}

// increaseVersion bumps our report's version; it reports whether the
// tracker is due to be persisted (every persist interval).
func (t *ConnectionTracker) increaseVersion() bool {
	t.version++
	t.mine.EpochVersion = t.version
	t.reports[int32(t.rank)] = t.mine.clone()
	return t.persistInterval > 0 && t.version%t.persistInterval == 0
}

// ReportLive records that the link to peer was up for units seconds:
// score = score*(1 - units/2h) + units/2h, capped at 1. It returns
// whether the tracker should be persisted now.
func (t *ConnectionTracker) ReportLive(peer int, units float64) bool {
	p := int32(peer)
	score, ok := t.mine.History[p]
	if !ok {
		score = 1
	}
	score = score*(1-units/(2*t.halfLife)) + units/(2*t.halfLife)
	t.mine.History[p] = min(score, 1)
	t.mine.Current[p] = true
	return t.increaseVersion()
}

// ReportDead records that the link to peer was down for units seconds:
// score = score*(1 - units/2h) - units/2h, floored at 0.
func (t *ConnectionTracker) ReportDead(peer int, units float64) bool {
	p := int32(peer)
	score, ok := t.mine.History[p]
	if !ok {
		score = 1
	}
	score = score*(1-units/(2*t.halfLife)) - units/(2*t.halfLife)
	t.mine.History[p] = max(score, 0)
	t.mine.Current[p] = false
	return t.increaseVersion()
}

// TotalScore sums the scores the other monitors give peer, counting only
// those that see it up now (get_total_connection_score).
func (t *ConnectionTracker) TotalScore(peer int) (score float64, live int) {
	for _, k := range slices.Sorted(maps.Keys(t.reports)) {
		if int(k) == peer {
			continue
		}
		r := t.reports[k]
		s, ok := r.History[int32(peer)]
		if ok && r.Current[int32(peer)] {
			score += s
			live++
		}
	}
	return score, live
}

// Marshal encodes the tracker as ConnectionTracker::encode does.
func (t *ConnectionTracker) Marshal() []byte {
	var e encoding.Encoder
	s := e.Start(1, 1)
	e.I32(int32(t.rank))
	e.U32(t.epoch)
	e.U64(t.version)
	e.F64(t.halfLife)
	e.Count(len(t.reports))
	for _, k := range slices.Sorted(maps.Keys(t.reports)) {
		e.I32(k)
		r := t.reports[k]
		r.encode(&e)
	}
	e.End(s)
	return e.Bytes()
}

// UnmarshalConnectionTracker decodes an encoded tracker (a peer's, from
// MMonPing or MMonElection, or the persisted one).
func UnmarshalConnectionTracker(b []byte) (*ConnectionTracker, error) {
	d := encoding.NewDecoder(b)
	s := d.Start(1)
	t := &ConnectionTracker{persistInterval: DefaultPersistInterval}
	t.rank = int(d.I32())
	t.epoch = d.U32()
	t.version = d.U64()
	t.halfLife = d.F64()
	// A report is at least a struct header, rank, two counts, epoch and
	// version.
	t.reports = encoding.DecodeMap(d, 4+6+4+8+12, encoding.DecI32, decodeReport)
	d.End(s)
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("elector: decoding ConnectionTracker: %w", err)
	}
	if t.rank >= 0 {
		r, ok := t.reports[int32(t.rank)]
		if !ok {
			r = newReport(-1)
			t.reports[int32(t.rank)] = r
		}
		t.mine = r.clone()
	}
	return t, nil
}
