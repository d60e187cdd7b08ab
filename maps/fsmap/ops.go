package fsmap

import (
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// The edits a monitor makes to an FSMap (FSMap.cc: create_filesystem,
// modify_filesystem, erase_filesystem), for the MDSMonitor's commands.

// Clone returns a deep copy of m, for a pending map to change.
func (m *FSMap) Clone() *FSMap {
	c, err := Decode(m.Encode(encoding.FeaturesPacific))
	if err != nil {
		panic("fsmap: a map kelp encoded does not decode: " + err.Error())
	}
	return c
}

// Normalize applies what Ceph's decoders add to a map they load, so that a
// map kelp serves and changes is the one a ceph-mon holds in memory:
// MDSMap::decode adds the inline-data incompat feature to each file
// system and to each of its daemons, giving daemons without a compat set
// the map's; mds_info_t::decode gives daemons encoded before struct_v 10
// the v16.2.4 set.
func (m *FSMap) Normalize() {
	for _, in := range m.StandbyDaemons {
		normalizeInfo(in, nil)
	}
	for _, f := range m.Filesystems {
		mm := f.MDSMap
		mm.Compat.Incompat[IncompatInline] = incompatInlineName
		for _, in := range mm.Info {
			normalizeInfo(in, &mm.Compat)
		}
	}
}

func normalizeInfo(in *MDSInfo, fsCompat *CompatSet) {
	if in.Compat == nil || (in.Compat.empty() && fsCompat == nil) {
		c := compatV16_2_4()
		in.Compat = &c
	}
	if in.Compat.empty() {
		c := fsCompat.Clone()
		in.Compat = &c
	}
	if fsCompat != nil {
		in.Compat.Incompat[IncompatInline] = incompatInlineName
	}
}

// compatV16_2_4 is MDSMap::get_compat_set_v16_2_4, what MDS daemons of
// v16.2.4 and before announced: the defaults and inline data.
func compatV16_2_4() CompatSet {
	c := DefaultMDSCompat()
	c.Incompat[IncompatInline] = incompatInlineName
	return c
}

func (c CompatSet) empty() bool {
	return len(c.Compat) == 0 && len(c.ROCompat) == 0 && len(c.Incompat) == 0
}

// FilesystemByName returns the file system called name, or nil.
func (m *FSMap) FilesystemByName(name string) *Filesystem {
	for _, id := range m.FSCIDs() {
		if f := m.Filesystems[id]; f.MDSMap.FSName == name {
			return f
		}
	}
	return nil
}

// FSCIDs returns the file systems' ids in order.
func (m *FSMap) FSCIDs() []int32 { return slices.Sorted(maps.Keys(m.Filesystems)) }

// CreateFilesystem adds a file system as FSMap::create_filesystem does:
// an MDSMap of the constructor's defaults stamped with the map's epoch
// and now, the default compat set, and the next fscid unless fscid is not
// FSClusterIDNone. The first file system becomes the legacy clients' one.
func (m *FSMap) CreateFilesystem(name string, metadataPool, dataPool int64, fscid int32, now encoding.UTime) *Filesystem {
	mm := NewMDSMap()
	mm.Epoch = m.Epoch
	mm.FSName = name
	mm.DataPools = []int64{dataPool}
	mm.MetadataPool = metadataPool
	mm.Compat = m.Compat.Clone()
	mm.Created, mm.Modified = now, now
	mm.Enabled = true
	f := &Filesystem{MDSMap: mm}
	if fscid == FSClusterIDNone {
		f.FSCID = int32(m.NextFilesystemID)
		m.NextFilesystemID++
	} else {
		f.FSCID = fscid
		m.NextFilesystemID = max(uint64(fscid), m.NextFilesystemID) + 1
	}
	if len(m.Filesystems) == 0 {
		m.LegacyClientFSCID = f.FSCID
	}
	m.Filesystems[f.FSCID] = f
	return f
}

// ModifyFilesystem applies fn to a file system's MDSMap and stamps it with
// the map's epoch and now (FSMap::modify_filesystem).
func (m *FSMap) ModifyFilesystem(fscid int32, now encoding.UTime, fn func(*MDSMap)) {
	mm := m.Filesystems[fscid].MDSMap
	fn(mm)
	mm.Epoch = m.Epoch
	mm.Modified = now
}

// EraseFilesystem drops a file system and the roles of its daemons
// (FSMap::erase_filesystem), and stops pointing legacy clients at it.
func (m *FSMap) EraseFilesystem(fscid int32) {
	f, ok := m.Filesystems[fscid]
	if !ok {
		return
	}
	for gid := range f.MDSMap.Info {
		delete(m.MDSRoles, gid)
	}
	delete(m.Filesystems, fscid)
	if m.LegacyClientFSCID == fscid {
		m.LegacyClientFSCID = FSClusterIDNone
	}
}

// AllowFeature sets a feature flag (snapshots, standby-replay) and records
// that it was allowed, ever and explicitly, as MDSMap::set_snaps_allowed
// and set_standby_replay_allowed do.
func (m *MDSMap) AllowFeature(flag uint32) {
	m.Flags |= flag
	m.EverAllowedFeatures |= uint8(flag)
	m.ExplicitlyAllowedFeatures |= uint8(flag)
}
