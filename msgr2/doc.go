// Package msgr2 is Ceph's messenger v2 protocol (msgr2.0 and msgr2.1), both
// the connecting and the accepting side, wire-compatible with Ceph's
// ProtocolV2 (src/msg/async/ProtocolV2.cc, frames_v2.{h,cc},
// crypto_onwire.cc, compression_onwire.cc; doc/dev/msgr2.rst) and the
// Linux kernel client (net/ceph/messenger_v2.c).
//
// The layers, bottom up:
//
//   - Framer (framer.go) reads and writes frames: the preamble, segments and
//     epilogue of crc and secure mode in both revisions, with pure on-wire
//     length functions (preamble.go), per-direction AES-128-GCM state that
//     refuses to reuse a nonce (gcm.go) and optional compression
//     (compression.go).
//   - The handshakes (handshake_client.go, handshake_server.go) are linear
//     named steps: banners, HELLO, the AUTH_* exchange through a pluggable
//     AuthClient/AuthServer (auth.go; auth none in authnone.go, cephx in
//     package auth/cephx), AUTH_SIGNATURE and compression negotiation.
//   - Sessions (session_client.go, session_server.go, conn.go) open with
//     CLIENT_IDENT/SERVER_IDENT or resume with SESSION_RECONNECT, resolve
//     connection races, number messages, acknowledge them and, on a
//     lossless session, replay what the peer did not acknowledge after a
//     reconnect.
//   - Messenger (messenger.go) listens, dials and keeps the sessions; a
//     Dispatcher receives each connection's messages in order.
//
// Message types are registered in a Registry; package msgr2/msg holds the
// catalogue of Ceph messages.
package msgr2
