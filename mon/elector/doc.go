// Package elector is Ceph's monitor election (src/mon/ElectionLogic.cc,
// Elector.cc) as a core without I/O: it takes election messages from
// peers, ticks of an injected clock and "start an election" calls, and
// returns the messages to send and the outcome (Ready). It never touches
// a socket, a clock or the disk.
//
// The protocol is Ceph's. Election epochs are odd while an election runs
// and even once it is won. A monitor starting an election bumps to the
// next odd epoch and proposes itself to every peer; a peer that would
// rather see the proposer lead than itself (classic: the proposer has a
// lower rank) defers and acks; the proposer wins when every monitor in
// the monmap acked, or when mon_election_timeout passes with a majority
// of acks, and announces victory (bumping to the next even epoch) to the
// monitors that acked: they are the quorum. A deferring monitor whose
// leader stays silent for the timeout starts over. The disallow strategy
// adds monitors that may never lead (mon_election_default_strategy 2,
// "ceph mon add disallowed_leader"). The connectivity strategy (3) ranks
// candidates by connection scores: monitors ping each other (MMonPing),
// keep a ConnectionTracker of how reliable each link has been, share it
// in every ping and election message, and prefer the candidate its live
// peers score highest, then the lower rank.
//
// # Integration contract
//
// The monitor (package mon) owns one Elector, driven from its single
// goroutine:
//
//   - New(cfg, persistedEpoch) at start with the epoch read from the
//     store (ceph-mon keeps it under prefix "monitor", key
//     "election_epoch"); New applies ElectionLogic::init's rules.
//   - Start(now) when the monitor decides to elect (after probing,
//     Monitor::start_election), Step(now, fromRank, Msg) for every
//     MMonElection from a monitor of the monmap (convert with
//     FromMessage; the monitor fills ToMessage's result with fsid, monmap,
//     metadata and command descriptions), Tick(now) when NextDeadline
//     passes.
//   - For every Ready, in this order: if PersistEpoch, write Epoch to the
//     store before sending anything; if Electing, leave the quorum
//     (Monitor::join_election: paxos.Restart, services election_starting);
//     send Messages; on Victory call paxos.LeaderInit(epoch, quorum) and
//     finish the election (Monitor::win_election); on Lost call
//     paxos.PeonInit(epoch, leader, quorum) (Monitor::lose_election); on
//     Bootstrap go back to probing (Monitor::bootstrap); on Nakked a
//     leader told us we lack required features: Ceph shuts the monitor
//     down.
//   - When Paxos asks for a new election (paxos.Ready.Bootstrap), the
//     monitor probes again and then calls Start.
//   - Pinging (Config.Pinging, once the quorum's monitor features have
//     elector pinging; Pacific's do): StepPing for every MMonPing from a
//     rank; send Ready.Pings; persist Ready.Scores under "monitor",
//     "connectivity_scores" and pass them back as Config.Scores on
//     restart. Tick also runs the ping timers.
//   - Messages: the monitor fills what ToMessage leaves out: fsid, the
//     monmap (a real monitor decodes it and aborts on an empty one),
//     mon_release, metadata (acks) and, on a victory, the leader's
//     command descriptions in sharing_bl (a real peon asserts it is not
//     empty).
package elector
