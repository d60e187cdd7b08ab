package osdmap

import (
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// Clone returns a deep copy of p.
func (p *PGPool) Clone() *PGPool {
	c := *p
	c.Snaps = maps.Clone(p.Snaps)
	c.RemovedSnap = slices.Clone(p.RemovedSnap)
	c.Tiers = maps.Clone(p.Tiers)
	c.Properties = maps.Clone(p.Properties)
	c.HitSetParams.Impl = slices.Clone(p.HitSetParams.Impl)
	c.Opts = slices.Clone(p.Opts)
	c.ApplicationMetadata = cloneStrMapMap(p.ApplicationMetadata)
	return &c
}

func cloneStrMapMap(m map[string]map[string]string) map[string]map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]map[string]string, len(m))
	for k, v := range m {
		out[k] = maps.Clone(v)
	}
	return out
}

func cloneAddrVecs(v []encoding.EntityAddrVec) []encoding.EntityAddrVec {
	out := make([]encoding.EntityAddrVec, len(v))
	for i, a := range v {
		out[i] = slices.Clone(a)
	}
	return out
}

func clonePGVec[V any](m map[PG][]V) map[PG][]V {
	out := make(map[PG][]V, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// Clone returns a deep copy of m.
func (m *OSDMap) Clone() *OSDMap {
	c := *m
	c.Pools = make(map[int64]*PGPool, len(m.Pools))
	for id, p := range m.Pools {
		c.Pools[id] = p.Clone()
	}
	c.PoolNames = maps.Clone(m.PoolNames)
	c.OSDState = slices.Clone(m.OSDState)
	c.OSDWeight = slices.Clone(m.OSDWeight)
	c.ClientAddrs = cloneAddrVecs(m.ClientAddrs)
	c.PGTemp = clonePGVec(m.PGTemp)
	c.PrimaryTemp = maps.Clone(m.PrimaryTemp)
	c.PrimaryAffinity = slices.Clone(m.PrimaryAffinity)
	c.ErasureCodeProfiles = cloneStrMapMap(m.ErasureCodeProfiles)
	c.PGUpmap = clonePGVec(m.PGUpmap)
	c.PGUpmapItems = clonePGVec(m.PGUpmapItems)
	c.NewRemovedSnaps = cloneIntervalMap(m.NewRemovedSnaps)
	c.NewPurgedSnaps = cloneIntervalMap(m.NewPurgedSnaps)
	c.HBBackAddrs = cloneAddrVecs(m.HBBackAddrs)
	c.OSDInfo = slices.Clone(m.OSDInfo)
	c.Blocklist = maps.Clone(m.Blocklist)
	c.ClusterAddrs = cloneAddrVecs(m.ClusterAddrs)
	c.OSDUUID = slices.Clone(m.OSDUUID)
	c.OSDXInfo = slices.Clone(m.OSDXInfo)
	c.HBFrontAddrs = cloneAddrVecs(m.HBFrontAddrs)
	c.RemovedSnapsQueue = cloneIntervalMap(m.RemovedSnapsQueue)
	c.CrushNodeFlags = maps.Clone(m.CrushNodeFlags)
	c.DeviceClassFlags = maps.Clone(m.DeviceClassFlags)
	c.RangeBlocklist = maps.Clone(m.RangeBlocklist)
	if c.ErasureCodeProfiles == nil {
		c.ErasureCodeProfiles = map[string]map[string]string{}
	}
	for _, mp := range []*map[encoding.EntityAddr]encoding.UTime{&c.Blocklist, &c.RangeBlocklist} {
		if *mp == nil {
			*mp = map[encoding.EntityAddr]encoding.UTime{}
		}
	}
	return &c
}
