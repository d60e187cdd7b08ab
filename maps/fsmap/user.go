package fsmap

import (
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// FSMapUser is what a monitor tells clients that subscribe to "fsmap.user"
// (src/mds/FSMapUser.{h,cc}): the epoch, the file system legacy clients
// mount, and each file system's id and name, nothing about daemons.
type FSMapUser struct {
	Epoch             uint32
	LegacyClientFSCID int32
	Filesystems       []FSInfo // ascending by id, as the std::map iterates
}

// FSInfo is FSMapUser::fs_info_t.
type FSInfo struct {
	FSCID int32
	Name  string
}

// minFSInfo is the smallest encoded fs_info_t: header, id, empty name.
const minFSInfo = 6 + 4 + 4

// User returns the client view of m, as MDSMonitor::check_sub builds it.
func (m *FSMap) User() *FSMapUser {
	u := &FSMapUser{Epoch: m.Epoch, LegacyClientFSCID: m.LegacyClientFSCID, Filesystems: []FSInfo{}}
	for _, id := range slices.Sorted(maps.Keys(m.Filesystems)) {
		u.Filesystems = append(u.Filesystems, FSInfo{FSCID: id, Name: m.Filesystems[id].MDSMap.FSName})
	}
	return u
}

// Encode returns u encoded as FSMapUser::encode does (struct_v 1, each
// file system a struct_v 1 fs_info_t).
func (u *FSMapUser) Encode() []byte {
	e := encoding.NewEncoder(nil)
	mk := e.Start(1, 1)
	e.U32(u.Epoch)
	e.I32(u.LegacyClientFSCID)
	e.Count(len(u.Filesystems))
	for _, f := range u.Filesystems {
		fk := e.Start(1, 1)
		e.I32(f.FSCID)
		e.Str(f.Name)
		e.End(fk)
	}
	e.End(mk)
	return e.Bytes()
}

// DecodeUser decodes an FSMapUser; the names are copies.
func DecodeUser(b []byte) (*FSMapUser, error) {
	d := encoding.NewDecoder(b)
	u := &FSMapUser{}
	s := d.StartNamed("FSMapUser", 1)
	u.Epoch = d.U32()
	u.LegacyClientFSCID = d.I32()
	u.Filesystems = encoding.DecodeSlice(d, minFSInfo, func(d *encoding.Decoder) FSInfo {
		fs := d.StartNamed("fs_info_t", 1)
		f := FSInfo{FSCID: d.I32(), Name: d.Str()}
		d.End(fs)
		return f
	})
	d.End(s)
	if err := d.Done(); err != nil {
		return nil, err
	}
	return u, nil
}
