package paxos

import (
	"maps"
	"slices"
	"strconv"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
)

// collect starts recovery with a new proposal number greater than oldPN
// (Paxos::collect): the leader looks for its own uncommitted value and
// asks every peon for theirs and for their committed range.
func (p *Paxos) collect(oldPN uint64) {
	p.state = StateRecovering
	p.uncommittedV, p.uncommittedPN, p.uncommittedValue = 0, 0, nil
	p.peerFirstCommitted = map[int]uint64{}
	p.peerLastCommitted = map[int]uint64{}

	if p.exists(p.lastCommitted + 1) {
		v := p.getU64(KeyPendingV)
		pn := p.getU64(KeyPendingPN)
		if v != 0 && pn != 0 && v == p.lastCommitted+1 {
			p.uncommittedPN = pn
		} else {
			// Stores written before pending_pn existed: Ceph uses
			// accepted_pn and "crosses its fingers".
			p.uncommittedPN = p.acceptedPN
		}
		p.uncommittedV = p.lastCommitted + 1
		p.uncommittedValue = p.getVersion(p.lastCommitted + 1)
	}

	p.acceptedPN = p.newProposalNumber(max(p.acceptedPN, oldPN))
	p.acceptedPNFrom = p.lastCommitted
	p.lastFrom = map[int]bool{p.rank: true}

	for _, r := range p.quorum {
		if r == p.rank {
			continue
		}
		p.send(r, &MMonPaxos{Op: OpCollect, LastCommitted: p.lastCommitted, FirstCommitted: p.firstCommitted, PN: p.acceptedPN})
	}
	p.collectTimeout = p.now.Add(p.cfg.scaled(p.cfg.AcceptTimeoutFactor))
}

// newProposalNumber returns a proposal number greater than gt, unique to
// this monitor (the rank is its last two decimal digits), and persists it
// (Paxos::get_new_proposal_number).
func (p *Paxos) newProposalNumber(gt uint64) uint64 {
	if p.lastPN < gt {
		p.lastPN = gt
	}
	p.lastPN = (p.lastPN/100+1)*100 + uint64(p.rank)
	t := store.NewTransaction()
	t.PutU64(Prefix, KeyLastPN, p.lastPN)
	p.apply(t)
	return p.lastPN
}

// shareState puts the committed versions a peer lacks into m
// (Paxos::share_state).
func (p *Paxos) shareState(m *MMonPaxos, peerLastCommitted uint64) {
	if m.Values == nil {
		m.Values = map[uint64][]byte{}
	}
	for v := peerLastCommitted + 1; v <= p.lastCommitted; v++ {
		if p.exists(v) {
			m.Values[v] = p.getVersion(v)
		}
	}
	m.LastCommitted = p.lastCommitted
}

// storeState stores and applies the committed versions a peer shared,
// those right after our last_committed and up to the sender's
// last_committed (Paxos::store_state). It stops at a gap. It reports
// whether anything changed; ok is false when a value does not decode.
func (p *Paxos) storeState(m *MMonPaxos) (changed, ok bool) {
	versions := slices.Sorted(maps.Keys(m.Values))
	if len(versions) > 0 && versions[0] > p.lastCommitted+1 {
		return false, true
	}
	t := store.NewTransaction()
	last := p.lastCommitted
	var body []*store.Transaction
	for _, v := range versions {
		if v <= last {
			continue
		}
		if v > m.LastCommitted || v != last+1 {
			break
		}
		tx, err := store.UnmarshalTransaction(m.Values[v])
		if err != nil || tx.Validate() != nil {
			return false, false
		}
		body = append(body, tx)
		last = v
	}
	if last == p.lastCommitted {
		return false, true
	}
	t.PutU64(Prefix, KeyLastCommitted, last)
	for i, tx := range body {
		v := p.lastCommitted + 1 + uint64(i)
		t.PutVersion(Prefix, v, m.Values[v])
		t.Append(tx)
	}
	p.apply(t)
	if p.err != nil {
		return false, true
	}
	p.lastCommitted = last
	if p.uncommittedV != 0 && p.uncommittedV <= p.lastCommitted {
		p.uncommittedV, p.uncommittedPN, p.uncommittedValue = 0, 0, nil
	}
	// The transactions may have trimmed.
	p.firstCommitted = p.getU64(KeyFirstCommitted)
	return true, true
}

// handleLast is the leader receiving a peon's reply to collect
// (Paxos::handle_last).
func (p *Paxos) handleLast(from int, m *MMonPaxos) {
	if p.role != RoleLeader || p.state != StateRecovering {
		return
	}
	p.peerFirstCommitted[from] = m.FirstCommitted
	p.peerLastCommitted[from] = m.LastCommitted

	if m.FirstCommitted > p.lastCommitted+1 {
		// The peon trimmed past everything we have: we need a sync.
		p.bootstrap()
		return
	}
	needRefresh, ok := p.storeState(m)
	if !ok {
		p.bootstrap()
		return
	}

	for _, r := range slices.Sorted(maps.Keys(p.peerLastCommitted)) {
		lc := p.peerLastCommitted[r]
		if lc+1 < p.firstCommitted && p.firstCommitted > 1 {
			// The peon is behind what we still keep: it needs a sync.
			p.bootstrap()
			return
		}
		if lc < p.lastCommitted {
			c := &MMonPaxos{Op: OpCommit}
			p.shareState(c, lc)
			p.send(r, c)
			// What we send brings the peon up to date.
			p.peerLastCommitted[r] = p.lastCommitted
		}
	}

	switch {
	case m.PN > p.acceptedPN:
		// They promised a higher pn: try again above it.
		p.collectTimeout = timeZero
		p.collect(m.PN)
	case m.PN == p.acceptedPN:
		p.lastFrom[from] = true
		if m.UncommittedPN != 0 {
			if m.UncommittedPN >= p.uncommittedPN && m.LastCommitted >= p.lastCommitted &&
				m.LastCommitted+1 >= p.uncommittedV {
				if v, ok := m.Values[m.LastCommitted+1]; ok {
					p.uncommittedV = m.LastCommitted + 1
					p.uncommittedPN = m.UncommittedPN
					p.uncommittedValue = v
				}
			}
		}
		if len(p.lastFrom) == len(p.quorum) {
			p.collectTimeout = timeZero
			p.peerFirstCommitted = map[int]uint64{}
			p.peerLastCommitted = map[int]uint64{}
			if p.uncommittedV == p.lastCommitted+1 && len(p.uncommittedValue) > 0 {
				p.state = StateUpdatingPrevious
				p.begin(p.uncommittedValue)
			} else {
				p.extendLease()
				needRefresh = false
				if p.doRefresh() {
					p.finishRound()
				}
			}
		}
	default:
		// A reply to an older collect.
	}
	if needRefresh {
		p.doRefresh()
	}
}

// begin proposes value v as version last_committed+1 (Paxos::begin): the
// leader accepts it itself, persists it with its pn, and asks the peons.
func (p *Paxos) begin(v []byte) {
	p.accepted = map[int]bool{p.rank: true}
	p.newValue = v
	if p.lastCommitted == 0 && p.state == StateUpdating {
		// The first version also sets first_committed. Ceph wraps a
		// recovered value again too, which commits different bytes for
		// version 1 than the leader that first proposed it may have;
		// a recovered value was wrapped when first proposed, so kelp
		// leaves it as it is.
		t := store.NewTransaction()
		t.PutU64(Prefix, KeyFirstCommitted, 1)
		if err := decodeAppend(t, v); err != nil {
			p.err = err
			return
		}
		p.newValue = t.Marshal()
	}
	t := store.NewTransaction()
	t.PutVersion(Prefix, p.lastCommitted+1, p.newValue)
	t.PutU64(Prefix, KeyPendingV, p.lastCommitted+1)
	t.PutU64(Prefix, KeyPendingPN, p.acceptedPN)
	p.apply(t)
	if p.err != nil {
		return
	}
	if len(p.quorum) == 1 {
		p.commitStart()
		return
	}
	for _, r := range p.quorum {
		if r == p.rank {
			continue
		}
		p.send(r, &MMonPaxos{Op: OpBegin, Values: map[uint64][]byte{p.lastCommitted + 1: p.newValue},
			LastCommitted: p.lastCommitted, PN: p.acceptedPN})
	}
	p.acceptTimeout = p.now.Add(p.cfg.scaled(p.cfg.AcceptTimeoutFactor))
}

// handleAccept is the leader receiving a peon's acceptance
// (Paxos::handle_accept). Only when every quorum member has accepted is
// the value committed.
func (p *Paxos) handleAccept(from int, m *MMonPaxos) {
	if p.role != RoleLeader || m.PN != p.acceptedPN {
		return
	}
	// Ceph also tolerates an accept naming last_committed-1; with
	// duplicated messages that could count a previous round's accept for
	// this one, so only this round's accepts count.
	if m.LastCommitted != p.lastCommitted {
		return
	}
	if p.state != StateUpdating && p.state != StateUpdatingPrevious {
		return
	}
	p.accepted[from] = true
	if len(p.accepted) == len(p.quorum) {
		p.commitStart()
	}
}

// commitStart applies the accepted value (Paxos::commit_start). Ceph
// queues the write and finishes in a callback; here the store write is
// synchronous, so commit_finish follows at once.
func (p *Paxos) commitStart() {
	t := store.NewTransaction()
	t.PutU64(Prefix, KeyLastCommitted, p.lastCommitted+1)
	if err := decodeAppend(t, p.newValue); err != nil {
		p.err = err
		return
	}
	p.apply(t)
	if p.err != nil {
		return
	}
	switch p.state {
	case StateUpdatingPrevious:
		p.state = StateWritingPrevious
	default:
		p.state = StateWriting
	}
	p.acceptTimeout = timeZero
	p.commitFinish()
}

// commitFinish tells the peons and finishes the round (Paxos::commit_finish).
func (p *Paxos) commitFinish() {
	p.leaseExpire = timeZero
	p.lastCommitted++
	p.lastCommitTime = p.now
	p.firstCommitted = p.getU64(KeyFirstCommitted)
	for _, r := range p.quorum {
		if r == p.rank {
			continue
		}
		p.send(r, &MMonPaxos{Op: OpCommit, Values: map[uint64][]byte{p.lastCommitted: p.newValue},
			PN: p.acceptedPN, LastCommitted: p.lastCommitted})
	}
	p.newValue = nil
	p.state = StateRefresh
	if p.doRefresh() {
		p.commitProposal()
		if len(p.quorum) > 1 {
			p.extendLease()
		}
		p.finishRound()
	}
}

// doRefresh tells the services to reload (Monitor::refresh_from_paxos).
func (p *Paxos) doRefresh() bool {
	p.out.Refresh = true
	return true
}

// commitProposal completes the waiters of the proposal just committed.
func (p *Paxos) commitProposal() {
	for _, f := range p.committingFinishers {
		if _, ok := f.(trimmed); ok {
			p.trimming = false
			continue
		}
		p.out.Finished = append(p.out.Finished, f)
	}
	p.committingFinishers = nil
}

// finishRound goes active, trims if needed and proposes what queued up
// meanwhile (Paxos::finish_round).
func (p *Paxos) finishRound() {
	p.state = StateActive
	if p.shouldTrim() {
		p.trim()
	}
	if p.state == StateActive && p.pending != nil {
		p.proposePending()
	}
}

// proposePending proposes the pending transaction (Paxos::propose_pending).
func (p *Paxos) proposePending() {
	p.cancelEvents()
	bl := p.pending.Marshal()
	p.pending = nil
	p.committingFinishers, p.pendingFinishers = p.pendingFinishers, p.committingFinishers
	p.state = StateUpdating
	p.begin(bl)
}

// shouldTrim: more than paxos_min + paxos_trim_min versions are kept and
// no trim is in flight.
func (p *Paxos) shouldTrim() bool {
	available := p.lastCommitted - p.firstCommitted
	return !p.trimming && available > p.cfg.Min+p.cfg.TrimMin
}

// trim adds the removal of old versions to the pending proposal
// (Paxos::trim): down to paxos_min versions, at most paxos_trim_max at a
// time.
func (p *Paxos) trim() {
	end := min(p.lastCommitted-p.cfg.Min, p.firstCommitted+p.cfg.TrimMax)
	if p.firstCommitted >= end {
		return
	}
	t, _ := p.PendingTransaction()
	for v := p.firstCommitted; v < end; v++ {
		t.EraseVersion(Prefix, v)
	}
	t.PutU64(Prefix, KeyFirstCommitted, end)
	if p.cfg.CompactOnTrim {
		t.CompactRange(Prefix, strconv.FormatUint(p.firstCommitted-1, 10), strconv.FormatUint(end, 10))
	}
	p.trimming = true
	p.QueuePendingFinisher(trimmed{})
}

// extendLease gives the peons a lease until now + mon_lease and arms the
// ack timeout and the renewal (Paxos::extend_lease).
func (p *Paxos) extendLease() {
	p.leaseExpire = p.now.Add(p.cfg.Lease)
	p.ackedLease = map[int]bool{p.rank: true}
	for _, r := range p.quorum {
		if r == p.rank {
			continue
		}
		p.send(r, &MMonPaxos{Op: OpLease, LastCommitted: p.lastCommitted, FirstCommitted: p.firstCommitted,
			LeaseTimestamp: encoding.UTimeOf(p.leaseExpire)})
	}
	if p.leaseAckTimeout.IsZero() {
		p.leaseAckTimeout = p.now.Add(p.cfg.scaled(p.cfg.LeaseAckTimeoutFactor))
	}
	p.leaseRenew = p.now.Add(p.cfg.scaled(p.cfg.LeaseRenewFactor))
}

// handleLeaseAck notes a peon's lease ack (Paxos::handle_lease_ack).
func (p *Paxos) handleLeaseAck(from int, m *MMonPaxos) {
	if p.role != RoleLeader || p.leaseAckTimeout.IsZero() || p.ackedLease[from] {
		return
	}
	p.ackedLease[from] = true
	if len(m.FeatureMap) > 0 {
		p.quorumFeatures[from] = m.FeatureMap
	}
	if len(p.ackedLease) == len(p.quorum) {
		p.leaseAckTimeout = timeZero
	}
}
