// Package fsmap implements Ceph's FSMap (src/mds/FSMap.cc) as Ceph 16.2
// (Pacific) encodes it (struct_v 7): the CephFS file systems, each with its
// MDSMap (src/mds/MDSMap.cc), and the standby MDS daemons the monitor's
// MDSMonitor keeps. Encodings are byte-exact with Pacific's.
package fsmap

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// FSClusterIDNone is FS_CLUSTER_ID_NONE.
const FSClusterIDNone int32 = -1

// FSMap is the MDSMonitor's map.
type FSMap struct {
	Epoch               uint32
	NextFilesystemID    uint64
	LegacyClientFSCID   int32
	Compat              CompatSet
	EnableMultiple      bool
	Filesystems         map[int32]*Filesystem // by fscid
	MDSRoles            map[uint64]int32      // gid -> fscid, FSClusterIDNone for standbys
	StandbyDaemons      map[uint64]*MDSInfo
	StandbyEpochs       map[uint64]uint32
	EverEnabledMultiple bool
}

// minFilesystem is the smallest encoded Filesystem: header, fscid,
// bufferlist length, mirror_info header and its two fields.
const minFilesystem = 6 + 4 + 4 + 6 + 1 + 4

// Initial returns the FSMap a fresh Pacific monitor commits as epoch 1:
// no file systems, multiple file systems allowed.
func Initial() *FSMap {
	return &FSMap{
		Epoch:               1,
		NextFilesystemID:    1,
		LegacyClientFSCID:   FSClusterIDNone,
		Compat:              DefaultMDSCompat(),
		EnableMultiple:      true,
		EverEnabledMultiple: true,
		Filesystems:         map[int32]*Filesystem{},
		MDSRoles:            map[uint64]int32{},
		StandbyDaemons:      map[uint64]*MDSInfo{},
		StandbyEpochs:       map[uint64]uint32{},
	}
}

// Encode returns the FSMap encoded as FSMap::encode does (struct_v 7).
func (m *FSMap) Encode(features uint64) []byte {
	e := encoding.NewEncoder(nil)
	m.AppendEncode(e, features)
	return e.Bytes()
}

// AppendEncode is Encode appending to e. features choose the mds_info_t
// and address encodings, as Ceph's do.
func (m *FSMap) AppendEncode(e *encoding.Encoder, features uint64) {
	mk := e.Start(7, 6)
	e.U32(m.Epoch)
	e.U64(m.NextFilesystemID)
	e.I32(m.LegacyClientFSCID)
	encodeCompatSet(e, m.Compat)
	e.Bool(m.EnableMultiple)
	e.Count(len(m.Filesystems))
	for _, id := range slices.Sorted(maps.Keys(m.Filesystems)) {
		m.Filesystems[id].appendEncode(e, features)
	}
	encoding.Map(e, m.MDSRoles, encoding.EncU64, encoding.EncI32)
	encoding.Map(e, m.StandbyDaemons, encoding.EncU64, func(e *encoding.Encoder, in *MDSInfo) { in.AppendEncode(e, features) })
	encoding.Map(e, m.StandbyEpochs, encoding.EncU64, encoding.EncU32)
	e.Bool(m.EverEnabledMultiple)
	e.End(mk)
}

// Decode parses an FSMap of struct_v 7 (what Pacific and later write). It
// keeps what the bytes say; Normalize adds what Ceph's decoders add.
func Decode(b []byte) (*FSMap, error) {
	d := encoding.NewDecoder(b)
	m := &FSMap{}
	s := d.StartNamed("FSMap", 7)
	if d.Err() == nil && s.V < 7 {
		d.Fail(encoding.Malformedf("FSMap struct_v %d predates the fsmap (struct_v 7)", s.V))
	}
	m.Epoch = d.U32()
	m.NextFilesystemID = d.U64()
	m.LegacyClientFSCID = d.I32()
	m.Compat = decodeCompatSet(d)
	m.EnableMultiple = d.Bool()
	m.Filesystems = map[int32]*Filesystem{}
	for _, f := range encoding.DecodeSlice(d, minFilesystem, decodeFilesystem) {
		if _, dup := m.Filesystems[f.FSCID]; dup {
			d.Fail(encoding.Malformedf("FSMap has file system %d twice", f.FSCID))
			break
		}
		m.Filesystems[f.FSCID] = f
	}
	m.MDSRoles = encoding.DecodeMap(d, 12, encoding.DecU64, encoding.DecI32)
	m.StandbyDaemons = encoding.DecodeMap(d, minGIDInfo, encoding.DecU64, decodeMDSInfo)
	m.StandbyEpochs = encoding.DecodeMap(d, 12, encoding.DecU64, encoding.DecU32)
	m.EverEnabledMultiple = d.Bool()
	d.End(s)
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("fsmap: %w", err)
	}
	return m, nil
}
