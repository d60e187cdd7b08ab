package msg

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Type numbers of the CephFS client map messages (src/include/ceph_fs.h).
const (
	TypeMDSMap    = 21  // CEPH_MSG_MDS_MAP
	TypeFSMapUser = 103 // CEPH_MSG_FS_MAP_USER
)

// MDSMap is MMDSMap (src/messages/MMDSMap.h, HEAD_VERSION 2, COMPAT_VERSION
// 1): one file system's MDSMap, as a monitor sends it to an MDS or to a
// client that subscribed to "mdsmap" or "mdsmap.<fscid>". MapBytes is the
// MDSMap's encoding (package maps/fsmap); FSName, added in version 2, is
// the name of the file system the map is of (empty for the placeholder
// map a standby MDS gets).
type MDSMap struct {
	msgr2.MsgBase
	FSID     encoding.UUID
	Epoch    uint32
	MapBytes []byte
	FSName   string
}

func (*MDSMap) Type() uint16              { return TypeMDSMap }
func (*MDSMap) Version() (uint16, uint16) { return 2, 1 }

func (m *MDSMap) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.UUID(m.FSID)
	e.U32(m.Epoch)
	e.Blob(m.MapBytes)
	e.Str(m.FSName)
	return e.Bytes(), nil, nil
}

// DecodePayload decodes an MMDSMap; MapBytes aliases front.
func (m *MDSMap) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.FSID = d.UUID()
	m.Epoch = d.U32()
	m.MapBytes = d.Blob()
	if m.Hdr.Version >= 2 {
		m.FSName = d.Str()
	}
	return finish(d)
}

// FSMapUser is MFSMapUser (src/messages/MFSMapUser.h, version 1): the
// epoch, then the FSMapUser's own encoding (maps/fsmap.FSMapUser), the
// names and ids of the file systems a client may mount.
type FSMapUser struct {
	msgr2.MsgBase
	Epoch    uint32
	MapBytes []byte
}

func (*FSMapUser) Type() uint16              { return TypeFSMapUser }
func (*FSMapUser) Version() (uint16, uint16) { return 1, 0 }

func (m *FSMapUser) EncodePayload(uint64) ([]byte, []byte, []byte) {
	return encodeEpochMap(m.Epoch, m.MapBytes), nil, nil
}

// DecodePayload decodes an MFSMapUser; MapBytes aliases front.
func (m *FSMapUser) DecodePayload(_ uint64, front, _, _ []byte) (err error) {
	m.Epoch, m.MapBytes, err = decodeEpochMap(front)
	return err
}
