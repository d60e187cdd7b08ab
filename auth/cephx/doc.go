// Package cephx implements Ceph's cephx authentication protocol, wire
// compatible with Ceph 16.2 (Pacific): the encrypted envelopes and protocol
// structs of src/auth/cephx/CephxProtocol.h, the key server with its
// rotating service secrets (CephxKeyServer), the monitor side of the
// exchange (CephxServiceHandler, Monitor::handle_auth_request) and the
// client side (CephxClientHandler, MonClient), including service tickets,
// authorizers for service connections and the CEPHX_V2 challenges.
//
// The messenger plugs cephx in through the small interfaces of package
// msgr2 (AuthClient, AuthServer); this package does not import msgr2, so
// its Client and Server mirror those method sets, and the few result types
// have msgr2's field layout so that a conversion adapts them.
//
// Time and randomness are injected (Clock, io.Reader) so that whole
// exchanges run deterministically in tests.
package cephx
