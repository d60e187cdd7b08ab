package paxos

import (
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
)

var timeZero time.Time

// handleCollect is a peon answering the leader's collect
// (Paxos::handle_collect): it promises the pn if it is the highest seen,
// shares committed versions the leader lacks and its uncommitted value.
func (p *Paxos) handleCollect(from int, m *MMonPaxos) {
	if p.role != RolePeon {
		return
	}
	p.state = StateRecovering
	p.resetLeaseTimeout()
	if m.FirstCommitted > p.lastCommitted+1 {
		// The leader trimmed past everything we have: we need a sync.
		p.bootstrap()
		return
	}
	last := &MMonPaxos{Op: OpLast, LastCommitted: p.lastCommitted, FirstCommitted: p.firstCommitted}
	previousPN := p.acceptedPN
	if m.PN > p.acceptedPN {
		p.acceptedPN = m.PN
		p.acceptedPNFrom = m.PNFrom
		t := store.NewTransaction()
		t.PutU64(Prefix, KeyAcceptedPN, p.acceptedPN)
		p.apply(t)
		if p.err != nil {
			return
		}
	}
	last.PN = p.acceptedPN
	last.PNFrom = p.acceptedPNFrom
	if m.LastCommitted < p.lastCommitted {
		p.shareState(last, m.LastCommitted)
	}
	if m.LastCommitted <= p.lastCommitted && p.exists(p.lastCommitted+1) {
		if last.Values == nil {
			last.Values = map[uint64][]byte{}
		}
		last.Values[p.lastCommitted+1] = p.getVersion(p.lastCommitted + 1)
		v := p.getU64(KeyPendingV)
		pn := p.getU64(KeyPendingPN)
		if v != 0 && pn != 0 && v == p.lastCommitted+1 {
			last.UncommittedPN = pn
		} else {
			last.UncommittedPN = previousPN
		}
	}
	if p.err != nil {
		return
	}
	p.send(from, last)
}

// handleBegin is a peon accepting the leader's value (Paxos::handle_begin):
// it persists the value with its pn before answering.
func (p *Paxos) handleBegin(from int, m *MMonPaxos) {
	if p.role != RolePeon || m.PN < p.acceptedPN {
		return
	}
	// Ceph asserts these; a stale or duplicated begin is dropped here.
	if m.PN != p.acceptedPN || m.LastCommitted != p.lastCommitted {
		return
	}
	v := p.lastCommitted + 1
	value, ok := m.Values[v]
	if !ok {
		return
	}
	if tx, err := store.UnmarshalTransaction(value); err != nil || tx.Validate() != nil {
		p.bootstrap()
		return
	}
	p.state = StateUpdating
	p.leaseExpire = timeZero
	t := store.NewTransaction()
	t.PutVersion(Prefix, v, value)
	t.PutU64(Prefix, KeyPendingV, v)
	t.PutU64(Prefix, KeyPendingPN, p.acceptedPN)
	p.apply(t)
	if p.err != nil {
		return
	}
	p.send(from, &MMonPaxos{Op: OpAccept, PN: p.acceptedPN, LastCommitted: p.lastCommitted})
}

// handleCommit is a peon learning committed values (Paxos::handle_commit).
func (p *Paxos) handleCommit(m *MMonPaxos) {
	if p.role != RolePeon {
		return
	}
	changed, ok := p.storeState(m)
	if !ok {
		p.bootstrap()
		return
	}
	if changed {
		p.doRefresh()
	}
}

// handleLease is a peon receiving a lease (Paxos::handle_lease).
func (p *Paxos) handleLease(from int, m *MMonPaxos) {
	if p.role != RolePeon || p.lastCommitted != m.LastCommitted {
		return
	}
	if expire := m.LeaseTimestamp.Time(); p.leaseExpire.Before(expire) {
		p.leaseExpire = expire
	}
	p.state = StateActive
	p.send(from, &MMonPaxos{Op: OpLeaseAck, LastCommitted: p.lastCommitted, FirstCommitted: p.firstCommitted,
		LeaseTimestamp: encoding.UTimeOf(p.now), FeatureMap: p.cfg.FeatureMap})
	p.resetLeaseTimeout()
}

// resetLeaseTimeout (re)arms the peon's wait for the next lease.
func (p *Paxos) resetLeaseTimeout() {
	p.leaseTimeout = p.now.Add(p.cfg.scaled(p.cfg.LeaseAckTimeoutFactor))
}
