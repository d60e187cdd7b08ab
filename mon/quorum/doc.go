// Package quorum holds what a monitor needs, besides its services, to run
// with peers: a Driver that runs mon/paxos for the monitor loop, the
// probing state machine that decides between electing and syncing
// (Monitor::bootstrap, handle_probe), the store sync provider and
// requester (Monitor::handle_sync_*), and the msgr2 face of MMonPaxos.
// Like mon/paxos and mon/elector, every core here is driven by calls
// from one goroutine with an injected clock and does no I/O of its own
// beyond the store it is given; messages to send come back to the caller.
//
// # Integration contract
//
// Registry: RegisterMessages(r) adds MMonPaxos and msg.RegisterMonPeer's
// messages (probe, election, ping, sync, join, forward, route, time
// check). The monitor maps a peer connection to a monmap rank (by the
// peer's address) and drops mon-to-mon messages from non-ranks, except
// MMonProbe and MMonJoin, which come from monitors not yet in the map.
//
// Routing on the monitor goroutine:
//
//   - MMonProbe probe: answer with Reply(cfg, state, probe, features)
//     on the same connection, in any state. MMonProbe reply:
//     Prober.HandleReply while probing.
//
//   - MMonPing: elector.Elector.StepPing.
//
//   - MMonElection: elector.Elector.Step (see mon/elector).
//
//   - MMonPaxos (PaxosMessage): Driver.Step.
//
//   - MMonSync get_cookie_*/get_chunk: SyncProvider.Handle, send the
//     reply on the same connection. cookie/chunk/last_chunk/no_cookie:
//     SyncRequester.Handle while synchronizing.
//
//   - Timers: Elector.NextDeadline, Driver.NextDeadline,
//     Prober.NextDeadline, SyncRequester.NextDeadline and
//     SyncProvider.Tick (expiry of idle cookies).
//
//   - MForward (peon to leader) and MRoute (leader to peon) carry client
//     requests and replies as msg.EncodedMessage; Decode gives the inner
//     message, msg.EncodeMessage builds one.
//
// Connections: a monitor dialing a peer presents an authorizer
// (Monitor::get_auth_request): with auth none that is
// msgr2.AuthNoneClient{ToMon: false}. The client-style monitor request
// (ToMon) authenticates, but a real monitor then never marks the peer
// session authenticated and drops every message from it.
//
// State machine of the monitor (Monitor::bootstrap and friends):
//
//	probing --HandleReply: Elect--> electing (Elector.Start)
//	probing --HandleReply: Sync--> synchronizing (StartSync)
//	synchronizing --Done/Failed--> probing (re-read Paxos: paxos.New)
//	electing --Victory/Lost--> leader/peon (Driver.LeaderInit/PeonInit)
//	any --Driver Bootstrap callback, Elector Bootstrap--> probing
//
// Entering probing: Driver.Restart, Elector.LeaveQuorum, Prober.Start.
// Entering electing: Elector.Start (its Ready says Electing: Driver.Restart).
//
// What to persist: the election epoch (prefix "monitor", key
// "election_epoch", whenever elector.Ready.PersistEpoch); Paxos persists
// itself; a sync in progress is marked under prefix "mon_sync" by the
// requester (SyncInProgress tells a restarted monitor to sync again,
// fully, before joining anything).
//
// Consensus: Driver.Propose has the shape of the monitor's consensus
// interface (propose(tx) error); Callbacks.Commit reports each
// proposal's version or ErrAborted, Callbacks.Refresh asks the services
// to reload after any commit (leader and peons), Callbacks.Bootstrap
// asks for probing and a new election.
package quorum
