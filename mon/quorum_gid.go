package mon

import "errors"

// Global ids with several monitors. Ceph's peons ask the leader for
// ranges (MMonGlobalID); kelp instead splits every reservation the
// leader commits by rank: the monitor of rank r of n hands out only ids
// congruent to r modulo n, so monitors never collide without talking.
// After an election each monitor resumes strictly above the bound that
// was in force before the new leader's reservation (a reservation is
// always the previous bound plus mon_globalid_prealloc), so ids handed
// out by a monitor before it restarted are never reused.

var errNoGlobalID = errors.New("mon: not in quorum or global ids exhausted")

// allocGlobalID is the cephx server's AllocGlobalID with several
// monitors. It runs on connection goroutines; it refuses (EBUSY, the
// client retries or hunts another monitor) outside a quorum.
func (q *quorumState) allocGlobalID() (uint64, error) {
	if !q.inQuorum.Load() {
		return 0, errNoGlobalID
	}
	a := q.m.auth
	a.gidMu.Lock()
	defer a.gidMu.Unlock()
	// The monmap and rank change under gidMu (quorumState.adopt).
	n := uint64(len(q.mm.Ranks))
	r := uint64(q.rank)
	if q.gidReset {
		return 0, errNoGlobalID
	}
	id := a.lastGID + 1
	if rem := id % n; rem != r {
		id += (r + n - rem) % n
	}
	if id > a.maxGID {
		q.askReserve()
		return 0, errNoGlobalID
	}
	a.lastGID = id
	if a.maxGID-id < globalIDPrealloc/2 {
		q.askReserve()
	}
	return id, nil
}

// askReserve has the leader reserve more ids (from any goroutine; only
// a leader acts on it).
func (q *quorumState) askReserve() {
	if a := q.m.auth; a.extending {
		return
	}
	q.m.auth.extending = true
	go func() {
		q.m.events <- func() {
			if q.state == stateLeader {
				q.needReserve = true
			}
		}
	}()
}

// resetGlobalIDs stops handing out ids until the reservation of the new
// term commits (under the monitor's lock, at each election outcome).
func (q *quorumState) resetGlobalIDs() {
	q.m.auth.gidMu.Lock()
	q.gidReset = true
	q.m.auth.gidMu.Unlock()
}

func (q *quorumState) gidBound() uint64 {
	q.m.auth.gidMu.Lock()
	defer q.m.auth.gidMu.Unlock()
	return q.m.auth.maxGID
}

// afterGIDRefresh resumes allocation once a new reservation committed.
func (q *quorumState) afterGIDRefresh(before uint64) {
	a := q.m.auth
	a.gidMu.Lock()
	defer a.gidMu.Unlock()
	if a.maxGID <= before {
		return
	}
	if q.gidReset && a.maxGID >= globalIDPrealloc {
		a.lastGID = max(a.lastGID, a.maxGID-globalIDPrealloc)
		q.gidReset = false
	}
}

// reserveGlobalIDs queues the leader's reservation; called when
// writeable, so the committed bound it extends is current.
func (q *quorumState) reserveGlobalIDs() {
	a := q.m.auth
	a.gidMu.Lock()
	bound := a.maxGID
	a.gidMu.Unlock()
	a.pendingMaxGID = max(a.pendingMaxGID, bound+globalIDPrealloc)
	q.m.proposeAndThen(nil)
}
