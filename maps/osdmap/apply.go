package osdmap

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// Apply returns the map that results from applying inc to m, leaving m
// untouched; it follows OSDMap::apply_incremental. When inc came from a
// real monitor, Apply(m, inc).Encode(features) has crc inc.FullCRC.
func Apply(m *OSDMap, inc *Incremental) (*OSDMap, error) {
	if inc.Epoch != m.Epoch+1 {
		return nil, fmt.Errorf("osdmap: incremental for epoch %d does not follow epoch %d", inc.Epoch, m.Epoch)
	}
	if len(inc.FullMap) > 0 {
		n, err := Decode(inc.FullMap)
		if err != nil {
			return nil, err
		}
		return n, nil
	}
	n := m.Clone()
	if inc.Epoch == 1 {
		n.FSID = inc.FSID
	} else if inc.FSID != m.FSID {
		return nil, fmt.Errorf("osdmap: incremental fsid %s != map fsid %s", inc.FSID, m.FSID)
	}
	if err := n.apply(inc); err != nil {
		return nil, err
	}
	return n, nil
}

func (m *OSDMap) validOSD(o int32) bool { return o >= 0 && o < m.MaxOSD }

func (m *OSDMap) apply(inc *Incremental) error {
	m.Epoch++
	m.Modified = inc.Modified

	if inc.NewFlags >= 0 {
		m.Flags = uint32(inc.NewFlags)
		switch {
		case m.Flags&FlagRequireKraken != 0:
			m.RequireOSDRelease = max(m.RequireOSDRelease, 11)
		case m.Flags&FlagRequireJewel != 0:
			m.RequireOSDRelease = max(m.RequireOSDRelease, 10)
		}
	}
	if inc.NewMaxOSD >= 0 {
		m.SetMaxOSD(inc.NewMaxOSD)
	}
	if inc.NewPoolMax != -1 {
		m.PoolMax = int32(inc.NewPoolMax)
	}
	for id, p := range inc.NewPools {
		np := p.Clone()
		np.LastChange = m.Epoch
		m.Pools[id] = np
	}

	m.NewRemovedSnaps = cloneIntervalMap(inc.NewRemovedSnaps)
	m.NewPurgedSnaps = cloneIntervalMap(inc.NewPurgedSnaps)
	for id, s := range m.NewRemovedSnaps {
		m.RemovedSnapsQueue[id] = m.RemovedSnapsQueue[id].Union(s)
	}
	for id, s := range m.NewPurgedSnaps {
		q, ok := m.RemovedSnapsQueue[id]
		if !ok {
			return fmt.Errorf("osdmap: purged snaps for pool %d with nothing queued", id)
		}
		if q = q.Subtract(s); len(q) == 0 {
			delete(m.RemovedSnapsQueue, id)
		} else {
			m.RemovedSnapsQueue[id] = q
		}
	}
	if !inc.NewLastUpChange.IsZero() {
		m.LastUpChange = inc.NewLastUpChange
	}
	if !inc.NewLastInChange.IsZero() {
		m.LastInChange = inc.NewLastInChange
	}
	for id, name := range inc.NewPoolNames {
		m.PoolNames[id] = name
	}
	for id := range inc.OldPools {
		delete(m.Pools, id)
		delete(m.PoolNames, id)
	}

	for o, w := range inc.NewWeight {
		if !m.validOSD(o) {
			return fmt.Errorf("osdmap: new_weight for osd.%d beyond max_osd %d", o, m.MaxOSD)
		}
		m.OSDWeight[o] = w
		if w != 0 {
			m.OSDState[o] |= StateExists
			m.OSDState[o] &^= StateAutoOut | StateNew
			m.OSDXInfo[o].OldWeight = 0
		}
	}
	for o, a := range inc.NewPrimaryAff {
		if !m.validOSD(o) {
			return fmt.Errorf("osdmap: new_primary_affinity for osd.%d beyond max_osd %d", o, m.MaxOSD)
		}
		m.setPrimaryAffinity(o, a)
	}
	for _, name := range inc.OldECProfiles {
		delete(m.ErasureCodeProfiles, name)
	}
	for name, prof := range inc.NewECProfiles {
		m.ErasureCodeProfiles[name] = maps.Clone(prof)
	}

	for _, o := range slices.Sorted(maps.Keys(inc.NewState)) {
		if !m.validOSD(o) {
			return fmt.Errorf("osdmap: new_state for osd.%d beyond max_osd %d", o, m.MaxOSD)
		}
		s := inc.NewState[o]
		if s == 0 {
			s = StateUp
		}
		if m.OSDState[o]&StateUp != 0 && s&StateUp != 0 {
			m.OSDInfo[o].DownAt = m.Epoch
			m.OSDXInfo[o].DownStamp = m.Modified
		}
		if m.OSDState[o]&StateExists != 0 && s&StateExists != 0 {
			// The OSD is destroyed: forget everything about it.
			m.OSDUUID[o] = encoding.UUID{}
			m.OSDInfo[o] = OSDInfo{}
			m.OSDXInfo[o] = OSDXInfo{}
			m.setPrimaryAffinity(o, DefaultPrimaryAffinity)
			m.ClientAddrs[o] = nil
			m.ClusterAddrs[o] = nil
			m.HBFrontAddrs[o] = nil
			m.HBBackAddrs[o] = nil
			m.OSDState[o] = 0
		} else {
			m.OSDState[o] ^= s
		}
	}

	for o, addrs := range inc.NewUpClient {
		if !m.validOSD(o) {
			return fmt.Errorf("osdmap: new_up_client for osd.%d beyond max_osd %d", o, m.MaxOSD)
		}
		m.OSDState[o] |= StateExists | StateUp
		m.OSDState[o] &^= StateStop
		m.ClientAddrs[o] = slices.Clone(addrs)
		m.HBBackAddrs[o] = slices.Clone(inc.NewHBBackUp[o])
		m.HBFrontAddrs[o] = slices.Clone(inc.NewHBFrontUp[o])
		m.OSDInfo[o].UpFrom = m.Epoch
	}
	for o, addrs := range inc.NewUpCluster {
		if !m.validOSD(o) {
			return fmt.Errorf("osdmap: new_up_cluster for osd.%d beyond max_osd %d", o, m.MaxOSD)
		}
		m.ClusterAddrs[o] = slices.Clone(addrs)
	}
	if err := m.applyInfo(inc); err != nil {
		return err
	}

	for pg, osds := range inc.NewPGTemp {
		if len(osds) == 0 {
			delete(m.PGTemp, pg)
		} else {
			m.PGTemp[pg] = slices.Clone(osds)
		}
	}
	for pg, o := range inc.NewPrimaryTemp {
		if o == -1 {
			delete(m.PrimaryTemp, pg)
		} else {
			m.PrimaryTemp[pg] = o
		}
	}
	for pg, osds := range inc.NewPGUpmap {
		m.PGUpmap[pg] = slices.Clone(osds)
	}
	for pg := range inc.OldPGUpmap {
		delete(m.PGUpmap, pg)
	}
	for pg, items := range inc.NewPGUpmapItems {
		m.PGUpmapItems[pg] = slices.Clone(items)
	}
	for pg := range inc.OldPGUpmapItems {
		delete(m.PGUpmapItems, pg)
	}

	maps.Copy(m.Blocklist, inc.NewBlocklist)
	for _, a := range inc.OldBlocklist {
		delete(m.Blocklist, a)
	}
	maps.Copy(m.RangeBlocklist, inc.NewRangeBlocklist)
	for _, a := range inc.OldRangeBlocklist {
		delete(m.RangeBlocklist, a)
	}
	for id, f := range inc.NewCrushNodeFlags {
		if f != 0 {
			m.CrushNodeFlags[id] = f
		} else {
			delete(m.CrushNodeFlags, id)
		}
	}
	for id, f := range inc.NewDeviceClassFlags {
		if f != 0 {
			m.DeviceClassFlags[id] = f
		} else {
			delete(m.DeviceClassFlags, id)
		}
	}

	if inc.ClusterSnapshot != "" {
		m.ClusterSnapshot = inc.ClusterSnapshot
		m.ClusterSnapshotEpoch = inc.Epoch
	} else {
		m.ClusterSnapshot = ""
		m.ClusterSnapshotEpoch = 0
	}
	if inc.NewNearfullRatio >= 0 {
		m.NearfullRatio = inc.NewNearfullRatio
	}
	if inc.NewBackfillfullRatio >= 0 {
		m.BackfillfullRatio = inc.NewBackfillfullRatio
	}
	if inc.NewFullRatio >= 0 {
		m.FullRatio = inc.NewFullRatio
	}
	// An incremental that leaves the releases alone carries 0xff, which
	// Ceph's comparisons treat as below ceph_release_t::unknown.
	if int8(inc.NewRequireMinCompat) > 0 {
		m.RequireMinCompatClient = inc.NewRequireMinCompat
	}
	if int8(inc.NewRequireOSDRelease) >= 0 {
		m.RequireOSDRelease = inc.NewRequireOSDRelease
		if m.RequireOSDRelease >= encoding.ReleaseLuminous {
			m.Flags &^= legacyRequireFlags
			m.Flags |= FlagRecoveryDel
		}
		if m.RequireOSDRelease >= encoding.ReleaseNautilus {
			m.Flags |= FlagPGLogHardLimit
		}
	}

	// The CRUSH map changes last, after the up/down changes.
	if len(inc.Crush) > 0 {
		m.Crush = slices.Clone(inc.Crush)
		m.crush = &crushCache{}
		if m.RequireOSDRelease >= encoding.ReleaseLuminous {
			m.CrushVersion++
		}
		if len(m.DeviceClassFlags) > 0 {
			c, err := m.CrushMap()
			if err != nil {
				return err
			}
			for id := range m.DeviceClassFlags {
				if _, ok := c.ClassNames[id]; !ok {
					delete(m.DeviceClassFlags, id) // the class is gone
				}
			}
		}
	}
	if inc.ChangeStretchMode {
		m.StretchModeEnabled = inc.StretchModeEnabled
		m.StretchBucketCount = inc.NewStretchBucketCount
		m.DegradedStretchMode = inc.NewDegradedStretchMode
		m.RecoveringStretchMode = inc.NewRecoveringStretch
		m.StretchModeBucket = inc.NewStretchModeBucket
	}
	return nil
}

func (m *OSDMap) applyInfo(inc *Incremental) error {
	for _, src := range []map[int32]uint32{inc.NewUpThru, inc.NewLost} {
		for o := range src {
			if !m.validOSD(o) {
				return fmt.Errorf("osdmap: incremental names osd.%d beyond max_osd %d", o, m.MaxOSD)
			}
		}
	}
	for o, e := range inc.NewUpThru {
		m.OSDInfo[o].UpThru = e
	}
	for o, iv := range inc.NewLastCleanInterval {
		if !m.validOSD(o) {
			return fmt.Errorf("osdmap: new_last_clean_interval for osd.%d beyond max_osd %d", o, m.MaxOSD)
		}
		m.OSDInfo[o].LastCleanBegin = iv.First
		m.OSDInfo[o].LastCleanEnd = iv.Last
	}
	for o, e := range inc.NewLost {
		m.OSDInfo[o].LostAt = e
	}
	for o, x := range inc.NewXInfo {
		if !m.validOSD(o) {
			return fmt.Errorf("osdmap: new_xinfo for osd.%d beyond max_osd %d", o, m.MaxOSD)
		}
		m.OSDXInfo[o] = x
	}
	for o, u := range inc.NewUUID {
		if !m.validOSD(o) {
			return fmt.Errorf("osdmap: new_uuid for osd.%d beyond max_osd %d", o, m.MaxOSD)
		}
		m.OSDUUID[o] = u
	}
	return nil
}

// setPrimaryAffinity is OSDMap::set_primary_affinity: the vector comes
// into being, all default, on first use.
func (m *OSDMap) setPrimaryAffinity(o int32, a uint32) {
	if m.PrimaryAffinity == nil {
		m.PrimaryAffinity = make([]uint32, m.MaxOSD)
		for i := range m.PrimaryAffinity {
			m.PrimaryAffinity[i] = DefaultPrimaryAffinity
		}
	}
	m.PrimaryAffinity[o] = a
}

func cloneIntervalMap(m map[int64]IntervalSet) map[int64]IntervalSet {
	out := make(map[int64]IntervalSet, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}
