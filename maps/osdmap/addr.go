package osdmap

import (
	"bytes"
	"encoding/binary"

	"github.com/kelp-ceph/kelp/encoding"
)

// addrKey lays an entity_addr_t out as it sits in memory on a
// little-endian host: u32 type, u32 nonce, then the sockaddr union
// (sa_family in host order, the rest in network order, zero padded to
// sizeof(sockaddr_in6)). Ceph orders entity_addr_t with memcmp over these
// bytes (src/msg/msg_types.h operator<), and the blocklists are encoded in
// that order, so kelp sorts the same way.
func addrKey(a encoding.EntityAddr) [36]byte {
	var k [36]byte
	binary.LittleEndian.PutUint32(k[0:], uint32(a.Type))
	binary.LittleEndian.PutUint32(k[4:], a.Nonce)
	switch {
	case !a.Addr.IsValid():
	case a.Addr.Addr().Is4():
		binary.LittleEndian.PutUint16(k[8:], 2)
		binary.BigEndian.PutUint16(k[10:], a.Addr.Port())
		ip := a.Addr.Addr().As4()
		copy(k[12:16], ip[:])
	default:
		binary.LittleEndian.PutUint16(k[8:], 10)
		binary.BigEndian.PutUint16(k[10:], a.Addr.Port())
		binary.BigEndian.PutUint32(k[12:], a.FlowInfo)
		ip := a.Addr.Addr().As16()
		copy(k[16:32], ip[:])
		binary.LittleEndian.PutUint32(k[32:], a.ScopeID)
	}
	return k
}

// CompareAddr orders addresses as entity_addr_t's operator< does.
func CompareAddr(a, b encoding.EntityAddr) int {
	ka, kb := addrKey(a), addrKey(b)
	return bytes.Compare(ka[:], kb[:])
}

func encAddrVec(features uint64) func(*encoding.Encoder, encoding.EntityAddrVec) {
	return func(e *encoding.Encoder, v encoding.EntityAddrVec) { e.EntityAddrVec(v, features) }
}

func decAddrVec(d *encoding.Decoder) encoding.EntityAddrVec { return d.EntityAddrVec() }

func encAddr(features uint64) func(*encoding.Encoder, encoding.EntityAddr) {
	return func(e *encoding.Encoder, a encoding.EntityAddr) { e.EntityAddr(a, features) }
}

func decAddr(d *encoding.Decoder) encoding.EntityAddr { return d.EntityAddr() }

// encodeAddrVecs writes a vector of entity_addrvec_t, one per OSD.
func encodeAddrVecs(e *encoding.Encoder, v []encoding.EntityAddrVec, features uint64) {
	encoding.Slice(e, v, encAddrVec(features))
}

// encodeAddrVecsAsAddr writes each OSD's legacy address alone, as
// encode_addrvec_pvec_as_addr does for pre-nautilus peers.
func encodeAddrVecsAsAddr(e *encoding.Encoder, v []encoding.EntityAddrVec, features uint64) {
	e.Count(len(v))
	for _, av := range v {
		e.EntityAddr(av.Legacy(), features)
	}
}

// minAddrVecLen is the least an entity_addrvec_t occupies (an empty
// vector: marker and count).
const minAddrVecLen = 5

func decodeAddrVecs(d *encoding.Decoder) []encoding.EntityAddrVec {
	return encoding.DecodeSlice(d, minAddrVecLen, decAddrVec)
}

// encodeBlocklist writes map<entity_addr_t, utime_t> in Ceph's order.
func encodeBlocklist(e *encoding.Encoder, m map[encoding.EntityAddr]encoding.UTime, features uint64) {
	encodeSortedMap(e, m, CompareAddr, encAddr(features), encUTime)
}

func decodeBlocklist(d *encoding.Decoder) map[encoding.EntityAddr]encoding.UTime {
	return encoding.DecodeMap(d, minAddrVecLen+8, decAddr, decUTime)
}
