package mon

import (
	"github.com/kelp-ceph/kelp/mon/store"
)

// Paxos keeps its values under this prefix (src/mon/Paxos.cc): "N" is
// the encoded transaction of version N.
const paxosPrefix = "paxos"

// soloPaxos is Paxos for a quorum of one, the path Ceph's Paxos takes when
// the leader is the only member: each proposal becomes the next version
// at once. The value (the encoded transaction) and the transaction itself
// are written in one atomic, synced store transaction, so a crash leaves
// either both or neither. Commits happen on a goroutine of their own so
// that the monitor keeps serving while the disk syncs; the monitor sends
// at most one proposal at a time and gathers what arrives meanwhile into
// the next.
type soloPaxos struct {
	st     store.Store
	events chan<- func()
	// commit is called on the monitor's loop after each commit.
	commit func(version uint64, err error)
}

func (p *soloPaxos) propose(tx *store.Transaction) error {
	go func() {
		v, err := p.apply(tx)
		p.events <- func() { p.commit(v, err) }
	}()
	return nil
}

func (p *soloPaxos) apply(tx *store.Transaction) (uint64, error) {
	last, err := store.GetU64(p.st, paxosPrefix, keyLastCommitted)
	if err != nil {
		return 0, err
	}
	first, err := store.GetU64(p.st, paxosPrefix, keyFirstCommitted)
	if err != nil {
		return 0, err
	}
	v := last + 1
	t := store.NewTransaction()
	t.PutVersion(paxosPrefix, v, tx.Marshal())
	t.PutU64(paxosPrefix, keyLastCommitted, v)
	if first == 0 {
		t.PutU64(paxosPrefix, keyFirstCommitted, v)
	}
	t.Append(tx)
	return v, p.st.Apply(t)
}
