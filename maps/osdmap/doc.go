// Package osdmap implements Ceph's OSDMap and OSDMap::Incremental as Ceph
// 16.2 (Pacific) encodes them, byte for byte, together with the pool type
// pg_pool_t and the derived state a monitor needs (which OSDs are up and in,
// object to PG, PG to up/acting sets).
//
// Byte exactness matters: an OSD applying an incremental re-encodes the
// resulting full map and compares its crc with the incremental's full_crc,
// asking for full maps when they differ (src/osd/OSD.cc handle_osd_map).
//
// The encodings follow src/osd/OSDMap.cc (OSDMap::encode/decode,
// OSDMap::Incremental::encode/decode) and src/osd/osd_types.cc (pg_pool_t
// and friends) of Ceph 16.2.15; the Linux kernel's net/ceph/osdmap.c was a
// second reading. As in the kernel, full maps and incrementals share one
// decoder per field type (pools, pg_temp, addresses).
package osdmap
