// Package encoding implements Ceph's binary encoding: the little-endian
// primitives, containers with u32 counts and the versioned-struct framing of
// src/include/encoding.h and denc.h, the common wire types of
// src/msg/msg_types.h (entity names and addresses), utime_t, uuid_d, Ceph's
// feature-bit table and Ceph's crc32c.
//
// Encoding is append-style and explicit: an Encoder appends to a []byte and
// callers write each field in wire order, branching on struct versions and
// feature bits exactly where Ceph does. Decoding goes through a Decoder that
// is bounded to the struct being read and keeps the first error it meets
// (sticky): after a failure every read returns a zero value, so a caller
// decodes a whole struct and checks Err once.
//
// No reflection and no struct tags: Ceph's encodings branch on struct_v and
// peer features in ways tags cannot express.
package encoding
