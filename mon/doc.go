// Package mon is kelp's Ceph monitor: the services that keep the cluster
// maps (src/mon/*Monitor.cc), the sessions and subscriptions of connected
// clients and daemons, and the command dispatch, over a store (mon/store)
// whose every change is committed through Paxos (mon/paxos).
//
// Like ceph-mon, the monitor is single-threaded at its core: one goroutine
// owns all service state and handles requests, commits and ticks in turn,
// so the services need no locks. The messenger and the store run beside
// it and talk to it through channels.
package mon
