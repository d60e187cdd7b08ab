package mon

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/crush"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/mon/store"
)

// osdMon is OSDMonitor (src/mon/OSDMonitor.cc): the OSDMap. Version N
// of the "osdmap" prefix is the incremental that made epoch N, and
// "full_N" the whole map of epoch N, as Ceph stores them; epoch 1's
// incremental carries the whole first map.
type osdMon struct {
	m    *Monitor
	v    versions
	opts osdOptions
	conf *conf.Config // where opts came from
	// osdmap is the committed map.
	osdmap *osdmap.OSDMap
	// pending is the next epoch's incremental, nil when nothing is
	// pending; pendingMap caches the committed map with pending applied,
	// which commands check their changes against.
	pending    *osdmap.Incremental
	pendingMap *osdmap.OSDMap
	// proposed is the map the proposal in flight makes, until it is
	// committed: changes made meanwhile build on it, as the epoch after
	// it (Ceph's PaxosService waits for the proposal instead).
	proposed *osdmap.OSDMap
	// pendingMetadata holds the boot metadata of OSDs booting in the
	// pending epoch, encoded.
	pendingMetadata map[int32][]byte
	// creating are the PGs being created and created those of still
	// creating pools that OSDs reported created (osdmon_pgcreate.go).
	creating map[osdmap.PG]*creatingPG
	created  map[osdmap.PG]bool
	// failures are the pending failure reports, by reported OSD.
	failures map[int32]*failureInfo
	// lastReport is when each up OSD was last heard from.
	lastReport map[int32]time.Time
	// sentEpoch is the newest epoch each session has been sent
	// (MonSession::osd_epoch), so maps are not sent twice.
	sentEpoch map[*Session]uint32
	// now is the clock (tests replace it).
	now func() time.Time
}

func newOSDMon(m *Monitor) *osdMon {
	return &osdMon{m: m, v: versions{prefix: "osdmap", st: m.store}, opts: defaultOSDOptions(),
		sentEpoch: map[*Session]uint32{}, now: time.Now}
}

func (s *osdMon) name() string { return "osdmap" }

// initialMap is the epoch-1 map of a new cluster
// (OSDMonitor::create_initial over OSDMap::build_simple with no OSDs):
// the default CRUSH hierarchy and rule, no pools, the default erasure
// code profile, sortbitwise and the flags a Pacific cluster starts with,
// the configured full ratios and require_osd_release pacific.
func (s *osdMon) initialMap(fsid encoding.UUID, now time.Time) (*osdmap.OSDMap, error) {
	nm := osdmap.New()
	nm.FSID = fsid
	nm.Epoch = 1
	nm.Created = encoding.UTimeOf(now)
	nm.Modified = nm.Created
	nm.PoolMax = 0
	nm.CrushVersion = 1
	nm.Flags = osdmap.FlagSortBitwise | osdmap.FlagRecoveryDel | osdmap.FlagPurgedSnapdirs | osdmap.FlagPGLogHardLimit
	nm.FullRatio = ratio(s.opts.fullRatio)
	nm.BackfillfullRatio = ratio(s.opts.backfillfullRatio)
	nm.NearfullRatio = ratio(s.opts.nearfullRatio)
	nm.RequireOSDRelease = encoding.ReleasePacific
	nm.RequireMinCompatClient = s.opts.initialMinCompatClient
	nm.ErasureCodeProfiles["default"] = s.opts.defaultECProfile()
	cm, err := crush.BuildSimple(0, int32(s.opts.chooseleafType))
	if err != nil {
		return nil, fmt.Errorf("mon: initial crush map: %w", err)
	}
	nm.SetCrush(cm, nm.EncodingFeatures())
	return nm, nil
}

// ratio takes a ratio option as Ceph does: values above 1 are percents.
func ratio(v float64) float32 {
	if v > 1 {
		v /= 100
	}
	return float32(v)
}

func (s *osdMon) createInitial() error {
	mm := s.m.monmap.pending
	if mm == nil {
		mm = s.m.monmap.current
	}
	if mm == nil {
		return fmt.Errorf("mon: osdmap: no monmap to take the fsid from")
	}
	nm, err := s.initialMap(mm.FSID, s.now())
	if err != nil {
		return err
	}
	inc := osdmap.NewIncremental(1)
	inc.FSID = nm.FSID
	inc.Modified = nm.Modified
	inc.FullMap = nm.Encode(nm.EncodingFeatures())
	inc.FullCRC = nm.CRC
	inc.HaveCRC = true
	s.pending = inc
	s.pendingMap = nil
	return nil
}

func (s *osdMon) refresh() error {
	s.configure()
	last, err := s.v.lastCommitted()
	if err != nil || last == 0 {
		return err
	}
	if s.osdmap != nil && uint64(s.osdmap.Epoch) == last {
		return nil
	}
	b, err := s.v.getFull(last)
	if err != nil {
		return fmt.Errorf("mon: osdmap full_%d: %w", last, err)
	}
	nm, err := osdmap.Decode(b)
	if err != nil {
		return fmt.Errorf("mon: stored osdmap %d: %w", last, err)
	}
	s.osdmap = nm
	s.pendingMap = nil
	if s.proposed != nil && s.proposed.Epoch <= nm.Epoch {
		s.proposed = nil
	}
	s.updateCreating()
	if s.m.isLeader() {
		s.shareMapWithRandomOSD()
	}
	s.m.notifySubscribers("osdmap")
	s.m.notifySubscribers("osd_pg_creates")
	return nil
}

// pendingInc returns the incremental being prepared, starting one when
// none is.
func (s *osdMon) pendingInc() *osdmap.Incremental {
	if s.pending == nil {
		b := s.base()
		s.pending = osdmap.NewIncremental(b.Epoch + 1)
		s.pending.FSID = b.FSID
	}
	s.pendingMap = nil
	return s.pending
}

// pendingOSDMap returns the committed map with the pending changes
// applied (what the next epoch will be), for checks that must see
// earlier commands of the same proposal.
func (s *osdMon) pendingOSDMap() *osdmap.OSDMap {
	if s.pending == nil {
		return s.base()
	}
	if s.pendingMap == nil {
		nm, err := osdmap.Apply(s.base(), s.pending)
		if err != nil {
			s.m.log.Error("applying pending osdmap incremental", "err", err)
			return s.base()
		}
		s.pendingMap = nm
	}
	return s.pendingMap
}

// pendingCrush returns a private copy of the CRUSH map as the pending
// changes leave it, for a command to modify and store with setCrush.
func (s *osdMon) pendingCrush() (*crush.CrushMap, error) {
	b := s.base().Crush
	if s.pending != nil && len(s.pending.Crush) > 0 {
		b = s.pending.Crush
	}
	return crush.Decode(b)
}

// setPendingCrush stores a modified CRUSH map in the pending incremental
// (encoded with the map's features, as the quorum's features would be).
// The map goes through a decode first: decoding finalizes a CRUSH map
// (CrushWrapper::finalize recomputes max_devices from the buckets and the
// device names), and an OSD re-encodes the decoded map when it checks an
// incremental's full_crc, so only a finalized map's bytes are stable.
func (s *osdMon) setPendingCrush(cm *crush.CrushMap) {
	f := s.base().EncodingFeatures()
	b := cm.Encode(f)
	if fin, err := crush.Decode(b); err == nil {
		b = fin.Encode(f)
	}
	inc := s.pendingInc()
	inc.Crush = b
}

func (s *osdMon) encodePending(tx *store.Transaction) (bool, error) {
	if s.pending == nil {
		return false, nil
	}
	inc := s.pending
	var full *osdmap.OSDMap
	if len(inc.FullMap) > 0 {
		nm, err := osdmap.Decode(inc.FullMap)
		if err != nil {
			return false, err
		}
		full = nm
	} else {
		inc.Modified = encoding.UTimeOf(s.now())
		s.finishPending(inc)
		nm, err := osdmap.Apply(s.base(), inc)
		if err != nil {
			return false, fmt.Errorf("mon: applying osdmap incremental %d: %w", inc.Epoch, err)
		}
		full = nm
	}
	features := full.EncodingFeatures()
	fullBytes := full.Encode(features)
	inc.FullCRC = full.CRC
	inc.HaveCRC = true
	s.v.put(tx, uint64(inc.Epoch), inc.Encode(features))
	s.v.putFull(tx, uint64(inc.Epoch), fullBytes)
	if err := s.v.putLastCommitted(tx, uint64(inc.Epoch)); err != nil {
		return false, err
	}
	for o, md := range s.pendingMetadata {
		tx.Put(osdMetadataPrefix, strconv.Itoa(int(o)), md)
	}
	s.pending = nil
	s.pendingMap = nil
	s.pendingMetadata = nil
	s.proposed = full
	return true, nil
}

// base is the map the next incremental applies to: the one the proposal
// in flight makes, or the committed one.
func (s *osdMon) base() *osdmap.OSDMap {
	if s.proposed != nil {
		return s.proposed
	}
	return s.osdmap
}

// epoch returns the committed epoch.
func (s *osdMon) epoch() uint32 {
	if s.osdmap == nil {
		return 0
	}
	return s.osdmap.Epoch
}

// mapAt returns the full map of an epoch (0 for the current one).
func (s *osdMon) mapAt(epoch uint32) (*osdmap.OSDMap, []byte, error) {
	if epoch == 0 {
		epoch = s.epoch()
	}
	b, err := s.v.getFull(uint64(epoch))
	if err != nil {
		return nil, nil, err
	}
	if epoch == s.epoch() {
		return s.osdmap, b, nil
	}
	nm, err := osdmap.Decode(b)
	return nm, b, err
}

// Status pieces for `ceph -s` and `ceph status` (the lead's status
// command assembles them).

// osdSummary returns the committed epoch, the numbers of OSDs that
// exist, are up and are in, and the numbers of pools and PGs.
func (s *osdMon) osdSummary() (epoch uint32, num, up, in, pools, pgs int) {
	if s.osdmap == nil {
		return 0, 0, 0, 0, 0, 0
	}
	num, up, in = s.osdmap.Counts()
	return s.osdmap.Epoch, num, up, in, len(s.osdmap.Pools), s.osdmap.NumPGs()
}

// osdFlags returns the map's flags as `ceph -s` lists them.
func (s *osdMon) osdFlags() string {
	if s.osdmap == nil {
		return ""
	}
	return osdmap.FlagString(s.osdmap.Flags)
}
