// Package auth holds the key material and authorization records that Ceph's
// authentication methods share: CryptoKey (src/auth/Crypto.h) with Ceph's
// AES-128-CBC, keyrings in ceph-authtool's text format and in the binary
// form the monitor stores (src/auth/KeyRing.cc), and the records cephx puts
// in tickets: EntityAuth, AuthCapsInfo, AuthTicket and the rotating service
// secrets (src/auth/Auth.h).
//
// The protocol itself is in package auth/cephx and monitor capabilities in
// auth/moncap. This package depends only on encoding.
package auth
