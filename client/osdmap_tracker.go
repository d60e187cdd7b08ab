package client

import (
	"fmt"
	"github.com/kelp-ceph/kelp/msgr2/msg"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// osdmapTracker follows the OSDMap from MOSDMap messages the way Ceph's
// OSD::handle_osd_map does for its own map: a full map replaces the
// current one; an incremental is applied only to the epoch right before
// it, and the result must re-encode to the incremental's full_crc. A gap,
// a failed apply or a crc mismatch leaves the map as it was and asks the
// caller to fetch a full map. It does no I/O.
type osdmapTracker struct {
	cur *osdmap.OSDMap
}

// trackResult is what one message changed.
type trackResult struct {
	// Maps are the new epochs, oldest first.
	Maps []*osdmap.OSDMap
	// NeedFull says the tracker could not follow and wants a full map of
	// the newest epoch; Reason says why.
	NeedFull bool
	Reason   string
	// Full and Inc count the full maps taken and incrementals applied.
	Full, Inc int
}

func (t *osdmapTracker) handle(m *msg.OSDMap) trackResult {
	var r trackResult
	first, last := m.First(), m.Last()
	if first == 0 {
		return r
	}
	if t.cur != nil && last <= t.cur.Epoch {
		return r // nothing new
	}
	epochs := make([]uint32, 0, len(m.Maps)+len(m.Incrementals))
	for e := range m.Maps {
		epochs = append(epochs, e)
	}
	for e := range m.Incrementals {
		if _, dup := m.Maps[e]; !dup {
			epochs = append(epochs, e)
		}
	}
	slices.Sort(epochs)
	for _, e := range epochs {
		if t.cur != nil && e <= t.cur.Epoch {
			continue
		}
		if full, ok := m.Maps[e]; ok {
			n, err := osdmap.Decode(full)
			if err != nil {
				return t.fail(r, fmt.Sprintf("full map %d: %v", e, err))
			}
			if n.Epoch != e {
				return t.fail(r, fmt.Sprintf("full map keyed %d holds epoch %d", e, n.Epoch))
			}
			t.cur = n
			r.Maps = append(r.Maps, n)
			r.Full++
			continue
		}
		if t.cur == nil || e != t.cur.Epoch+1 {
			have := uint32(0)
			if t.cur != nil {
				have = t.cur.Epoch
			}
			return t.fail(r, fmt.Sprintf("gap: have epoch %d, got incremental %d", have, e))
		}
		inc, err := osdmap.DecodeIncremental(m.Incrementals[e])
		if err != nil {
			return t.fail(r, fmt.Sprintf("incremental %d: %v", e, err))
		}
		n, err := osdmap.Apply(t.cur, inc)
		if err != nil {
			return t.fail(r, fmt.Sprintf("apply incremental %d: %v", e, err))
		}
		if inc.HaveCRC && len(inc.FullMap) == 0 {
			// As OSD::handle_osd_map: re-encode with the features the
			// monitor encoded with and compare crcs.
			n.Encode(inc.EncodeFeatures | uint64(encoding.FeatureReserved))
			if n.CRC != inc.FullCRC {
				return t.fail(r, fmt.Sprintf("epoch %d: full_crc %#x, applied map encodes to %#x", e, inc.FullCRC, n.CRC))
			}
		}
		t.cur = n
		r.Maps = append(r.Maps, n)
		r.Inc++
	}
	return r
}

func (t *osdmapTracker) fail(r trackResult, reason string) trackResult {
	r.NeedFull, r.Reason = true, reason
	return r
}
