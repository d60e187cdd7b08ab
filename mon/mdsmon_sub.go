package mon

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/fsmap"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// The MDSMonitor's subscriptions (MDSMonitor::check_subs and check_sub,
// src/mon/MDSMonitor.cc): "fsmap" (MFSMap, the whole map), "fsmap.user"
// (MFSMapUser, the file systems' names and ids, which a client reads to
// find the file system it mounts) and "mdsmap" or "mdsmap.<fscid>"
// (MMDSMap, one file system's map: the legacy one for "mdsmap", the one
// with that id otherwise; an MDS gets the map of the file system it
// holds a role in).

// notifySubscribers re-checks, after a commit, the subscriptions
// check_subs visits: the whole and user maps, the legacy mdsmap and one
// mdsmap per file system.
func (s *mdsMon) notifySubscribers() {
	names := []string{"fsmap", "fsmap.user", "mdsmap"}
	for _, id := range s.current.FSCIDs() {
		names = append(names, fmt.Sprintf("mdsmap.%d", id))
	}
	for _, what := range names {
		s.m.notifySubscribers(what)
	}
}

// checkSub serves a session's subscription to what, if the MDSMonitor owns
// it, once the committed map is at least the epoch the session wants.
func (s *mdsMon) checkSub(sess *Session, what string) bool {
	if what != "fsmap" && what != "fsmap.user" && !strings.HasPrefix(what, "mdsmap") {
		return false
	}
	fm := s.current
	sub := sess.subs.get(what)
	if fm == nil || sub == nil || sub.next > uint64(fm.Epoch) {
		return true
	}
	switch what {
	case "fsmap":
		sess.send(&msg.FSMap{Epoch: fm.Epoch, MapBytes: fm.Encode(sessionFeatures(sess))})
		s.m.advanceSub(sess, what, uint64(fm.Epoch)+1)
	case "fsmap.user":
		sess.send(&msg.FSMapUser{Epoch: fm.Epoch, MapBytes: fm.User().Encode()})
		s.m.advanceSub(sess, what, uint64(fm.Epoch)+1)
	default:
		mm, ok := s.mdsMapFor(sess, what)
		if !ok || sub.next > uint64(mm.Epoch) {
			return true
		}
		sess.send(&msg.MDSMap{FSID: s.m.monmap.current.FSID, Epoch: mm.Epoch,
			MapBytes: mm.Encode(sessionFeatures(sess)), FSName: mm.FSName})
		s.m.advanceSub(sess, what, uint64(mm.Epoch)+1)
	}
	return true
}

// mdsMapFor picks the MDSMap an "mdsmap..." subscription is owed. A client
// names a file system by id ("mdsmap.2") or means the legacy one
// ("mdsmap"); nothing goes to a client whose file system does not exist.
// An MDS gets the map of the file system it holds a role in, or, as a
// standby or a daemon the map does not know, a map of no file system that
// carries only its own entry.
func (s *mdsMon) mdsMapFor(sess *Session, what string) (*fsmap.MDSMap, bool) {
	fm := s.current
	if sess.Entity.Type == encoding.EntityMDS {
		gid, info, fscid := mdsByAddrs(fm, sess.Addrs)
		if f, ok := fm.Filesystems[fscid]; ok && info != nil {
			return f.MDSMap, true
		}
		null := fsmap.NewMDSMap()
		null.Compat = fm.Compat.Clone()
		null.Epoch = fm.Epoch
		if in, ok := fm.StandbyDaemons[gid]; ok && info != nil {
			null.Info[gid] = in
			null.Epoch = fm.StandbyEpochs[gid]
		}
		return null, true
	}
	fscid := fm.LegacyClientFSCID
	if id, ok := strings.CutPrefix(what, "mdsmap."); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n < -1<<31 || n >= 1<<31 {
			return nil, false // not a file system id
		}
		fscid = int32(n)
	}
	f, ok := fm.Filesystems[fscid]
	if !ok {
		return nil, false
	}
	return f.MDSMap, true
}

// mdsByAddrs finds the daemon an MDS session is, by its addresses, and
// the file system it holds a role in (FSClusterIDNone for a standby).
func mdsByAddrs(fm *fsmap.FSMap, addrs encoding.EntityAddrVec) (gid uint64, info *fsmap.MDSInfo, fscid int32) {
	fscid = fsmap.FSClusterIDNone
	match := func(g uint64, in *fsmap.MDSInfo) {
		if slices.Equal(in.Addrs, addrs) {
			gid, info = g, in
			if r, ok := fm.MDSRoles[g]; ok {
				fscid = r
			}
		}
	}
	for g, in := range fm.StandbyDaemons {
		match(g, in)
	}
	for _, f := range fm.Filesystems {
		for g, in := range f.MDSMap.Info {
			match(g, in)
		}
	}
	return gid, info, fscid
}
