package quorum

import (
	"errors"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/store"
)

// Transport sends a Paxos message to the monitor of rank to. It is
// called on the driver's goroutine and must not call back into the
// Driver (queue the message; the messenger sends it).
type Transport func(to int, m *paxos.MMonPaxos)

// ErrAborted is what a proposal's commit callback gets when the proposal
// was dropped: an election started before it committed. Ceph's services
// retry such proposals (EAGAIN) once they are writeable again.
var ErrAborted = errors.New("quorum: proposal aborted by an election")

// Callbacks are how the Driver reports; they run on the caller's
// goroutine, inside the Driver call that caused them, after the messages
// of that call were handed to the Transport.
type Callbacks struct {
	// Refresh: committed values were applied to the store; the services
	// reload from it (Monitor::refresh_from_paxos). Leader and peons.
	Refresh func()
	// Commit: a proposal given to Propose committed as version (err
	// nil), or was aborted (ErrAborted). Leader only.
	Commit func(version uint64, err error)
	// Bootstrap: Paxos wants a new election (a timeout, a peer too far
	// behind or ahead, a newer epoch): probe and elect again.
	Bootstrap func()
	// Fatal: the store failed; Ceph aborts the monitor.
	Fatal func(err error)
}

// proposal is the finisher token of one Propose call.
type proposal struct{}

// Driver runs a paxos.Paxos for the monitor loop: it feeds it messages,
// ticks and proposals with the injected clock, sends what it returns
// through the Transport and turns its Ready into callbacks. Its Propose
// has the shape of the monitor's consensus interface. Not safe for
// concurrent use: one goroutine (the monitor's) drives it.
type Driver struct {
	px   *paxos.Paxos
	send Transport
	cb   Callbacks
	now  func() time.Time
}

// NewDriver wraps px; now is the monitor's clock (time.Now in
// production, a fake in tests).
func NewDriver(px *paxos.Paxos, send Transport, cb Callbacks, now func() time.Time) *Driver {
	return &Driver{px: px, send: send, cb: cb, now: now}
}

// Paxos returns the driven instance (for IsReadable, versions, Read).
func (d *Driver) Paxos() *paxos.Paxos { return d.px }

// handle acts on one Ready: messages first, then refresh, then the
// proposals' outcomes, then a bootstrap request (the order Ceph's
// callers see).
func (d *Driver) handle(r paxos.Ready, err error) {
	for _, env := range r.Messages {
		d.send(env.To, env.Msg)
	}
	if r.Refresh && d.cb.Refresh != nil {
		d.cb.Refresh()
	}
	for _, f := range r.Finished {
		if _, ok := f.(*proposal); ok && d.cb.Commit != nil {
			d.cb.Commit(d.px.LastCommitted(), nil)
		}
	}
	for _, f := range r.Aborted {
		if _, ok := f.(*proposal); ok && d.cb.Commit != nil {
			d.cb.Commit(0, ErrAborted)
		}
	}
	if err != nil && d.cb.Fatal != nil {
		d.cb.Fatal(err)
	}
	if r.Bootstrap && d.cb.Bootstrap != nil {
		d.cb.Bootstrap()
	}
}

// Propose hands tx to Paxos: it is proposed at once when Paxos is
// active, else when the current round or recovery ends. Commit reports
// the outcome. Only the leader proposes (paxos.ErrNotLeader otherwise).
func (d *Driver) Propose(tx *store.Transaction) error {
	if err := d.px.Propose(tx, &proposal{}); err != nil {
		return err
	}
	r, _, err := d.px.TriggerPropose(d.now())
	d.handle(r, err)
	return nil
}

// Step hands Paxos a message from the monitor of rank from.
func (d *Driver) Step(from int, m *paxos.MMonPaxos) { d.handle(d.px.Step(d.now(), from, m)) }

// Tick fires Paxos's due timers; call it at NextDeadline.
func (d *Driver) Tick() { d.handle(d.px.Tick(d.now())) }

// NextDeadline is when Tick must be called next (zero: no timer armed).
func (d *Driver) NextDeadline() time.Time { return d.px.NextDeadline() }

// LeaderInit starts a term as leader after winning an election.
func (d *Driver) LeaderInit(epoch uint32, quorum []int) {
	d.handle(d.px.LeaderInit(d.now(), epoch, slices.Clone(quorum)))
}

// PeonInit starts a term as a peon after losing an election.
func (d *Driver) PeonInit(epoch uint32, leader int, quorum []int) {
	d.handle(d.px.PeonInit(d.now(), epoch, leader, slices.Clone(quorum)))
}

// Restart leaves the quorum when an election starts; pending proposals
// are aborted.
func (d *Driver) Restart() { d.handle(d.px.Restart(d.now())) }

// IsWriteable and IsReadable answer with the driver's clock.
func (d *Driver) IsWriteable() bool        { return d.px.IsWriteable(d.now()) }
func (d *Driver) IsReadable(v uint64) bool { return d.px.IsReadable(d.now(), v) }
