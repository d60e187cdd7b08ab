// Package paxos is Ceph's monitor Paxos (src/mon/Paxos.cc, Paxos.h) as a
// consensus core without I/O: it takes MMonPaxos messages, ticks of an
// injected clock and proposals, and returns the messages to send and what
// happened (Ready). Persistence goes through a small Storage interface
// that mon/store implements; the core applies its transactions
// synchronously, as Ceph's apply_transaction does, so a message that
// promises something (LAST, ACCEPT) is only returned once the promise is
// on disk.
//
// The protocol is Ceph's, variant and all: one value in flight at a time;
// a leader recovers with collect/last, re-proposes the uncommitted value
// with the highest pn it learns, proposes with begin/accept and commits
// only when every quorum member accepted; peons read under a lease the
// leader renews; old versions are trimmed by proposals of their own. The
// store layout is ceph-mon's: prefix "paxos" with first_committed,
// last_committed, last_pn, accepted_pn, pending_v, pending_pn and one key
// per version holding the encoded MonitorDBStore transaction.
//
// Elections are not part of Paxos: the monitor elects a leader and calls
// LeaderInit or PeonInit with the quorum; when Paxos needs a new election
// (a timeout, a peer too far behind) Ready.Bootstrap says so.
//
// Where Ceph trusts its messenger (exactly-once, in-order delivery within
// a session) and asserts, this core drops the message instead, and it
// counts distinct peers rather than replies, so that duplicated or
// reordered messages cannot make it commit or recover wrongly.
package paxos
