package mon

import (
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/fsmap"
	"github.com/kelp-ceph/kelp/mon/store"
)

// mdsMon is MDSMonitor (src/mon/MDSMonitor.cc): the FSMap, stored under
// the "mdsmap" prefix, each version the whole map of that epoch. It keeps
// the committed map as a ceph-mon holds it in memory (decoded, then
// normalized as Ceph's decoders do); commands change a pending copy
// stamped with the next epoch. kelp handles no MDS beacons, so file
// systems it creates have no daemons.
type mdsMon struct {
	m       *Monitor
	v       versions
	current *fsmap.FSMap
	pending *fsmap.FSMap
}

func newMDSMon(m *Monitor) *mdsMon {
	return &mdsMon{m: m, v: versions{prefix: "mdsmap", st: m.store}}
}

func (s *mdsMon) name() string { return "mdsmap" }

func (s *mdsMon) createInitial() error {
	s.pending = fsmap.Initial()
	return nil
}

func (s *mdsMon) refresh() error {
	var have uint64
	if s.current != nil {
		have = uint64(s.current.Epoch)
	}
	m, ver, err := latestMap(s.v, have, fsmap.Decode)
	if err != nil || ver == 0 {
		return err
	}
	m.Normalize()
	s.current = m
	s.notifySubscribers()
	return nil
}

func (s *mdsMon) encodePending(tx *store.Transaction) (bool, error) {
	if s.pending == nil {
		return false, nil
	}
	if err := s.v.putWhole(tx, uint64(s.pending.Epoch), s.pending.Encode(encoding.FeaturesPacific)); err != nil {
		return false, err
	}
	s.pending = nil
	return true, nil
}

// pendingMap returns the map the next epoch will be, made from the
// committed one on the first change of a proposal.
func (s *mdsMon) pendingMap() *fsmap.FSMap {
	if s.pending == nil {
		s.pending = s.current.Clone()
		s.pending.Epoch++
	}
	return s.pending
}

// view is the map commands check against: the pending one when this
// proposal already changed it, else the committed one.
func (s *mdsMon) view() *fsmap.FSMap {
	if s.pending != nil {
		return s.pending
	}
	return s.current
}

// now is the time Ceph stamps on MDSMaps it changes (ceph_clock_now).
func (s *mdsMon) now() encoding.UTime { return encoding.UTimeOf(time.Now()) }

// Status pieces for `ceph -s`.

// fsSummary returns the committed FSMap, nil before the first commit.
func (s *mdsMon) fsSummary() *fsmap.FSMap { return s.current }
