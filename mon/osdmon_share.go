package mon

import (
	"math/rand/v2"
	"strconv"

	"github.com/kelp-ceph/kelp/encoding"
)

// shareMapWithRandomOSD sends the newest incremental to one OSD that is
// up and connected here (OSDMonitor::share_map_with_random_osd). OSDs only
// ask for maps they know they miss and pass maps on to each other, so
// this is how an epoch reaches an OSD that has no reason to ask — one that
// hung, was marked down while stopped, and must learn it to re-boot.
func (s *osdMon) shareMapWithRandomOSD() {
	m := s.osdmap
	if m == nil || m.Epoch < 2 {
		return
	}
	var cands []*Session
	for _, sess := range s.m.sessions {
		if sess.Entity.Type != encoding.EntityOSD {
			continue
		}
		id, err := strconv.Atoi(sess.Entity.ID)
		if err != nil || !m.IsUp(int32(id)) {
			continue
		}
		cands = append(cands, sess)
	}
	if len(cands) == 0 {
		return
	}
	sess := cands[rand.IntN(len(cands))]
	b, err := s.incFor(m.Epoch, sessionFeatures(sess))
	if err != nil {
		s.m.log.Warn("sharing osdmap", "epoch", m.Epoch, "err", err)
		return
	}
	out := s.newOSDMapMsg()
	out.Incrementals[m.Epoch] = b
	// As Ceph notes, the OSD's subscription is not moved on: it may still
	// need older epochs, which it will ask for.
	sess.send(out)
}

// isLeader reports whether this monitor leads its quorum (a single
// monitor always does).
func (m *Monitor) isLeader() bool {
	if m.q != nil {
		return m.q.state == stateLeader
	}
	return true
}
