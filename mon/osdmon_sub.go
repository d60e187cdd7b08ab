package mon

import (
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// checkSub serves "osdmap" subscriptions (OSDMonitor::check_osdmap_sub):
// start 0 asks for the latest full map, start N for every epoch from N
// on as incrementals.
func (s *osdMon) checkSub(sess *Session, what string) bool {
	if what == "osd_pg_creates" {
		if s.osdmap != nil {
			s.checkPGCreatesSub(sess)
		}
		return true
	}
	if what != "osdmap" {
		return false
	}
	sub := sess.subs.get(what)
	if sent, ok := s.sentEpoch[sess]; ok && uint64(sent) > sub.next {
		// The peer asks again for maps it was sent: it wants them.
		delete(s.sentEpoch, sess)
	}
	epoch := s.epoch()
	if epoch == 0 || sub.next > uint64(epoch) {
		return true
	}
	if sub.next >= 1 {
		s.sendIncremental(sess, uint32(min(sub.next, uint64(epoch))), sub.onetime)
	} else {
		s.sendLatestFull(sess)
	}
	s.m.advanceSub(sess, what, uint64(epoch)+1)
	return true
}

// sessionFeatures are the features maps are encoded for: the peer's, or
// the monitor's own for internal sessions.
func sessionFeatures(sess *Session) uint64 { return sess.featuresOr(encoding.FeaturesPacific) }

// sameEncoding reports whether maps stored with the monitor's features
// can go to a peer as they are (OSDMonitor::get_version compares the
// significant features of the peer and of the quorum).
func sameEncoding(features uint64) bool {
	return features&osdmap.SignificantFeatures == encoding.FeaturesPacific&osdmap.SignificantFeatures
}

// fullFor returns full map e encoded for a peer.
func (s *osdMon) fullFor(e uint32, features uint64) ([]byte, error) {
	b, err := s.v.getFull(uint64(e))
	if err != nil || sameEncoding(features) {
		return b, err
	}
	nm, err := osdmap.Decode(b)
	if err != nil {
		return nil, err
	}
	return nm.Encode(nm.EncodingFeatures() & features), nil
}

// incFor returns incremental e encoded for a peer
// (OSDMonitor::reencode_incremental_map when the features differ).
func (s *osdMon) incFor(e uint32, features uint64) ([]byte, error) {
	b, err := s.v.get(uint64(e))
	if err != nil || sameEncoding(features) {
		return b, err
	}
	inc, err := osdmap.DecodeIncremental(b)
	if err != nil {
		return nil, err
	}
	f := inc.EncodeFeatures & features
	if len(inc.FullMap) > 0 {
		nm, err := osdmap.Decode(inc.FullMap)
		if err != nil {
			return nil, err
		}
		inc.FullMap = nm.Encode(f)
	}
	return inc.Encode(f), nil
}

func (s *osdMon) newOSDMapMsg() *msg.OSDMap {
	first, _ := s.v.firstCommitted()
	return &msg.OSDMap{FSID: s.osdmap.FSID, Incrementals: map[uint32][]byte{}, Maps: map[uint32][]byte{},
		Oldest: uint32(first), Newest: s.epoch()}
}

// sendLatestFull sends the current full map (build_latest_full).
func (s *osdMon) sendLatestFull(sess *Session) {
	b, err := s.fullFor(s.epoch(), sessionFeatures(sess))
	if err != nil {
		s.m.log.Error("reading osdmap", "epoch", s.epoch(), "err", err)
		return
	}
	mg := s.newOSDMapMsg()
	mg.Maps[s.epoch()] = b
	sess.send(mg)
}

// sendIncremental sends epochs first.. in messages of at most
// osd_map_message_max epochs; a peer behind the oldest stored epoch
// first gets that epoch's full map. A onetime subscription gets one
// message (OSDMonitor::send_incremental).
func (s *osdMon) sendIncremental(sess *Session, first uint32, onetime bool) {
	s.forgetClosedSessions()
	if sent, ok := s.sentEpoch[sess]; ok && first <= sent {
		first = sent + 1
	}
	features := sessionFeatures(sess)
	oldest, _ := s.v.firstCommitted()
	if uint64(first) < oldest {
		b, err := s.fullFor(uint32(oldest), features)
		if err != nil {
			s.m.log.Error("reading osdmap", "epoch", oldest, "err", err)
			return
		}
		mg := s.newOSDMapMsg()
		mg.Maps[uint32(oldest)] = b
		sess.send(mg)
		first = uint32(oldest) + 1
	}
	for first <= s.epoch() {
		last := min(first+osdMapMessageMax-1, s.epoch())
		mg := s.newOSDMapMsg()
		for e := first; e <= last; e++ {
			if b, err := s.incFor(e, features); err == nil {
				mg.Incrementals[e] = b
			} else if b, err := s.fullFor(e, features); err == nil {
				mg.Maps[e] = b
			} else {
				s.m.log.Error("reading osdmap", "epoch", e, "err", err)
				return
			}
		}
		sess.send(mg)
		s.sentEpoch[sess] = last
		first = last + 1
		if onetime {
			break
		}
	}
}

// forgetClosedSessions drops the sent epochs of sessions that are gone.
func (s *osdMon) forgetClosedSessions() {
	for sess := range s.sentEpoch {
		if s.m.sessions[sess.conn] != sess {
			delete(s.sentEpoch, sess)
		}
	}
}
