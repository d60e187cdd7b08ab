package encoding

import "hash/crc32"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CRC32C computes Ceph's ceph_crc32c(seed, b, len(b)) (src/include/crc32c.h).
// Unlike the usual CRC-32C, Ceph neither inverts the seed on the way in nor
// the result on the way out; callers pass the seed their format uses
// (msgr2 preambles use 0, segments and the OSDMap crc use -1). Go's
// Castagnoli table uses the SSE4.2/ARMv8 instructions where present.
func CRC32C(seed uint32, b []byte) uint32 {
	return ^crc32.Update(^seed, castagnoli, b)
}

var zeros [4096]byte

// CRC32CZeros computes ceph_crc32c(seed, NULL, n): the crc of n zero bytes.
func CRC32CZeros(seed uint32, n int) uint32 {
	for n > 0 {
		k := min(n, len(zeros))
		seed = CRC32C(seed, zeros[:k])
		n -= k
	}
	return seed
}
