// Package fsmap implements Ceph's FSMap (src/mds/FSMap.cc) as Ceph 16.2
// (Pacific) encodes it (struct_v 7): the list of CephFS file systems and
// MDS daemons the monitor's MDSMonitor keeps.
//
// The file systems (Filesystem, each holding an MDSMap) and the standby
// daemons (MDSMap::mds_info_t) are versioned structs kelp carries as their
// encoded bytes, header included, so maps round-trip exactly; decoding
// their contents is not implemented yet.
package fsmap

import (
	"encoding/binary"
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
)

// RawStruct is one versioned struct kept as encoded: struct_v, compat,
// u32 length and body.
type RawStruct []byte

// Version reports the struct_v of the carried struct.
func (r RawStruct) Version() uint8 {
	if len(r) == 0 {
		return 0
	}
	return r[0]
}

func decodeRaw(d *encoding.Decoder) RawStruct {
	hdr := d.Raw(6)
	if d.Err() != nil {
		return nil
	}
	n := binary.LittleEndian.Uint32(hdr[2:])
	if uint64(n) > uint64(d.Remaining()) {
		d.Fail(encoding.ErrShort)
		return nil
	}
	body := d.Raw(int(n))
	return append(append(RawStruct(nil), hdr...), body...)
}

func encodeRaw(e *encoding.Encoder, r RawStruct) { e.Raw(r) }

// FSClusterIDNone is FS_CLUSTER_ID_NONE.
const FSClusterIDNone int32 = -1

// FSMap is the MDSMonitor's map.
type FSMap struct {
	Epoch               uint32
	NextFilesystemID    uint64
	LegacyClientFSCID   int32
	Compat              CompatSet
	EnableMultiple      bool
	Filesystems         []RawStruct // Filesystem, in fscid order
	MDSRoles            map[uint64]int32
	StandbyDaemons      map[uint64]RawStruct // gid -> mds_info_t
	StandbyEpochs       map[uint64]uint32
	EverEnabledMultiple bool
}

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
		MDSRoles:            map[uint64]int32{},
		StandbyDaemons:      map[uint64]RawStruct{},
		StandbyEpochs:       map[uint64]uint32{},
	}
}

// Encode returns the FSMap encoded as FSMap::encode does (struct_v 7).
func (m *FSMap) Encode(features uint64) []byte {
	e := encoding.NewEncoder(nil)
	m.AppendEncode(e, features)
	return e.Bytes()
}

// AppendEncode is Encode appending to e. The carried structs were encoded
// by whoever made them; features do not change them.
func (m *FSMap) AppendEncode(e *encoding.Encoder, features uint64) {
	mk := e.Start(7, 6)
	e.U32(m.Epoch)
	e.U64(m.NextFilesystemID)
	e.I32(m.LegacyClientFSCID)
	encodeCompatSet(e, m.Compat)
	e.Bool(m.EnableMultiple)
	encoding.Slice(e, m.Filesystems, encodeRaw)
	encoding.Map(e, m.MDSRoles, encoding.EncU64, encoding.EncI32)
	encoding.Map(e, m.StandbyDaemons, encoding.EncU64, encodeRaw)
	encoding.Map(e, m.StandbyEpochs, encoding.EncU64, encoding.EncU32)
	e.Bool(m.EverEnabledMultiple)
	e.End(mk)
}

// Decode parses an FSMap of struct_v 7 (what Pacific and later write).
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
	m.Filesystems = encoding.DecodeSlice(d, 6, decodeRaw)
	m.MDSRoles = encoding.DecodeMap(d, 12, encoding.DecU64, encoding.DecI32)
	m.StandbyDaemons = encoding.DecodeMap(d, 14, encoding.DecU64, decodeRaw)
	m.StandbyEpochs = encoding.DecodeMap(d, 12, encoding.DecU64, encoding.DecU32)
	m.EverEnabledMultiple = d.Bool()
	d.End(s)
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("fsmap: %w", err)
	}
	return m, nil
}
