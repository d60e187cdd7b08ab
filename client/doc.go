// Package client is kelp's Ceph client library: a monitor client without
// cgo, modelled on Ceph's MonClient (src/mon/MonClient.{h,cc}).
//
// Connect hunts among the monitors the configuration names (several at
// once, the first to authenticate wins), authenticates with cephx or auth
// none, and keeps one session: it renews cephx tickets, pings the
// monitor, and when the session fails it hunts again with backoff,
// re-sending its subscriptions and any command still waiting for an
// answer. Every call takes a context.Context that bounds it.
//
// MonCommand runs any monitor command; Status, Health, MonDump, OSDDump
// and PoolList decode the answers of common ones; GetVersion asks for a
// map's newest epoch; Subscribe delivers monmaps, osdmaps (incrementals
// applied and checked against the monitor's full-map crc, as an OSD
// does), mgrmaps and the central configuration as Go values.
package client
