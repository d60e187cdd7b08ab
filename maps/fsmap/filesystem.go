package fsmap

import (
	"slices"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

// Filesystem is one CephFS file system (src/mds/FSMap.h): its cluster id,
// MDSMap and mirroring peers, struct_v 2 as Pacific encodes it.
type Filesystem struct {
	FSCID  int32
	MDSMap *MDSMap
	Mirror MirrorInfo
}

// MirrorInfo is the file system's cephfs-mirror state: whether mirroring
// is enabled and its peers, sorted by uuid as std::set<Peer> keeps them.
type MirrorInfo struct {
	Mirrored bool
	Peers    []MirrorPeer
}

// MirrorPeer is Peer: a uuid and the remote ClusterInfo.
type MirrorPeer struct {
	UUID                            string
	ClientName, ClusterName, FSName string
}

func (f *Filesystem) appendEncode(e *encoding.Encoder, features uint64) {
	mk := e.Start(2, 1)
	e.I32(f.FSCID)
	lm := e.BeginLen() // the MDSMap travels as a bufferlist
	f.MDSMap.AppendEncode(e, features)
	e.EndLen(lm)
	mi := e.Start(1, 1)
	e.Bool(f.Mirror.Mirrored)
	e.Count(len(f.Mirror.Peers))
	for _, p := range f.Mirror.Peers {
		pk := e.Start(1, 1)
		e.Str(p.UUID)
		ck := e.Start(1, 1)
		e.Str(p.ClientName)
		e.Str(p.ClusterName)
		e.Str(p.FSName)
		e.End(ck)
		e.End(pk)
	}
	e.End(mi)
	e.End(mk)
}

func decodeFilesystem(d *encoding.Decoder) *Filesystem {
	f := &Filesystem{}
	s := d.StartNamed("Filesystem", 2)
	f.FSCID = d.I32()
	if mb := d.Blob(); d.Err() == nil {
		md := encoding.NewDecoder(mb)
		f.MDSMap = decodeMDSMap(md)
		if err := md.Done(); err != nil {
			d.Fail(err)
		}
	}
	if s.V >= 2 {
		mi := d.Start(1)
		f.Mirror.Mirrored = d.Bool()
		f.Mirror.Peers = encoding.DecodeSlice(d, 6+4+6+12, decodeMirrorPeer)
		d.End(mi)
	}
	d.End(s)
	if d.Err() != nil {
		return nil
	}
	if !slices.IsSortedFunc(f.Mirror.Peers, func(a, b MirrorPeer) int { return strings.Compare(a.UUID, b.UUID) }) {
		d.Fail(encoding.Malformedf("file system %d mirror peers are not sorted", f.FSCID))
		return nil
	}
	return f
}

func decodeMirrorPeer(d *encoding.Decoder) MirrorPeer {
	var p MirrorPeer
	s := d.Start(1)
	p.UUID = d.Str()
	c := d.Start(1)
	p.ClientName = d.Str()
	p.ClusterName = d.Str()
	p.FSName = d.Str()
	d.End(c)
	d.End(s)
	return p
}
