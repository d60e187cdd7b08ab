package crush

// The hash functions CRUSH and the OSDMap place data with: Bob Jenkins'
// 96-bit mix as src/crush/hash.c uses it for crush_hash32_*, and the two
// object-name hashes of src/common/ceph_hash.cc.

// hashSeed is crush_hash_seed.
const hashSeed uint32 = 1315423911

// hashMix is crush_hashmix: Jenkins' mix of three 32-bit words.
func hashMix(a, b, c uint32) (uint32, uint32, uint32) {
	a -= b
	a -= c
	a ^= c >> 13
	b -= c
	b -= a
	b ^= a << 8
	c -= a
	c -= b
	c ^= b >> 13
	a -= b
	a -= c
	a ^= c >> 12
	b -= c
	b -= a
	b ^= a << 16
	c -= a
	c -= b
	c ^= b >> 5
	a -= b
	a -= c
	a ^= c >> 3
	b -= c
	b -= a
	b ^= a << 10
	c -= a
	c -= b
	c ^= b >> 15
	return a, b, c
}

// Hash32_2 is crush_hash32_2 with CRUSH_HASH_RJENKINS1.
func Hash32_2(a, b uint32) uint32 {
	h := hashSeed ^ a ^ b
	x, y := uint32(231232), uint32(1232)
	a, b, h = hashMix(a, b, h)
	x, a, h = hashMix(x, a, h)
	_, _, h = hashMix(b, y, h)
	return h
}

// Hash32_3 is crush_hash32_3 with CRUSH_HASH_RJENKINS1. It is the mapper's
// hot path (every straw2 draw), so the five mixes are written out inline;
// TestHash32_3Unrolled checks it against hashMix.
func Hash32_3(a, b, c uint32) uint32 {
	h := hashSeed ^ a ^ b ^ c
	x, y := uint32(231232), uint32(1232)
	a = (a - b - h) ^ (h >> 13)
	b = (b - h - a) ^ (a << 8)
	h = (h - a - b) ^ (b >> 13)
	a = (a - b - h) ^ (h >> 12)
	b = (b - h - a) ^ (a << 16)
	h = (h - a - b) ^ (b >> 5)
	a = (a - b - h) ^ (h >> 3)
	b = (b - h - a) ^ (a << 10)
	h = (h - a - b) ^ (b >> 15)
	c = (c - x - h) ^ (h >> 13)
	x = (x - h - c) ^ (c << 8)
	h = (h - c - x) ^ (x >> 13)
	c = (c - x - h) ^ (h >> 12)
	x = (x - h - c) ^ (c << 16)
	h = (h - c - x) ^ (x >> 5)
	c = (c - x - h) ^ (h >> 3)
	x = (x - h - c) ^ (c << 10)
	h = (h - c - x) ^ (x >> 15)
	y = (y - a - h) ^ (h >> 13)
	a = (a - h - y) ^ (y << 8)
	h = (h - y - a) ^ (a >> 13)
	y = (y - a - h) ^ (h >> 12)
	a = (a - h - y) ^ (y << 16)
	h = (h - y - a) ^ (a >> 5)
	y = (y - a - h) ^ (h >> 3)
	a = (a - h - y) ^ (y << 10)
	h = (h - y - a) ^ (a >> 15)
	b = (b - x - h) ^ (h >> 13)
	x = (x - h - b) ^ (b << 8)
	h = (h - b - x) ^ (x >> 13)
	b = (b - x - h) ^ (h >> 12)
	x = (x - h - b) ^ (b << 16)
	h = (h - b - x) ^ (x >> 5)
	b = (b - x - h) ^ (h >> 3)
	x = (x - h - b) ^ (b << 10)
	h = (h - b - x) ^ (x >> 15)
	y = (y - c - h) ^ (h >> 13)
	c = (c - h - y) ^ (y << 8)
	h = (h - y - c) ^ (c >> 13)
	y = (y - c - h) ^ (h >> 12)
	c = (c - h - y) ^ (y << 16)
	h = (h - y - c) ^ (c >> 5)
	y = (y - c - h) ^ (h >> 3)
	c = (c - h - y) ^ (y << 10)
	h = (h - y - c) ^ (c >> 15)
	return h
}

// Hash32_4 is crush_hash32_4 with CRUSH_HASH_RJENKINS1.
func Hash32_4(a, b, c, d uint32) uint32 {
	h := hashSeed ^ a ^ b ^ c ^ d
	x, y := uint32(231232), uint32(1232)
	a, b, h = hashMix(a, b, h)
	c, d, h = hashMix(c, d, h)
	a, x, h = hashMix(a, x, h)
	y, b, h = hashMix(y, b, h)
	c, x, h = hashMix(c, x, h)
	_, _, h = hashMix(y, d, h)
	return h
}

// Hash32_5 is crush_hash32_5 with CRUSH_HASH_RJENKINS1 (unused by the
// mapper, kept for completeness of crush_hash32_*).
func Hash32_5(a, b, c, d, e uint32) uint32 {
	h := hashSeed ^ a ^ b ^ c ^ d ^ e
	x, y := uint32(231232), uint32(1232)
	a, b, h = hashMix(a, b, h)
	c, d, h = hashMix(c, d, h)
	e, x, h = hashMix(e, x, h)
	y, a, h = hashMix(y, a, h)
	b, x, h = hashMix(b, x, h)
	y, c, h = hashMix(y, c, h)
	d, x, h = hashMix(d, x, h)
	_, _, h = hashMix(y, e, h)
	return h
}

// bucketHash3 and bucketHash4 dispatch on a bucket's hash type as
// crush_hash32_3/4 do: an unknown type hashes to 0.
func bucketHash3(t HashType, a, b, c uint32) uint32 {
	if t != HashRjenkins1 {
		return 0
	}
	return Hash32_3(a, b, c)
}

func bucketHash4(t HashType, a, b, c, d uint32) uint32 {
	if t != HashRjenkins1 {
		return 0
	}
	return Hash32_4(a, b, c, d)
}

// Object-name hash types (CEPH_STR_HASH_*), as pg_pool_t.object_hash holds.
const (
	StrHashTypeLinux    = 1
	StrHashTypeRjenkins = 2
)

// StrHash hashes an object name with the pool's hash type
// (ceph_str_hash); an unknown type hashes to 0 as in Ceph.
func StrHash(t int, s []byte) uint32 {
	switch t {
	case StrHashTypeLinux:
		return StrHashLinuxDcache(s)
	case StrHashTypeRjenkins:
		return StrHashRjenkins(s)
	}
	return 0
}

// StrHashRjenkins is ceph_str_hash_rjenkins: Jenkins' lookup2 hash with
// the golden-ratio initial value, what pools use to place object names.
func StrHashRjenkins(k []byte) uint32 {
	a, b, c := uint32(0x9e3779b9), uint32(0x9e3779b9), uint32(0)
	le := func(p []byte) uint32 {
		return uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24
	}
	n := len(k)
	for len(k) >= 12 {
		a += le(k[0:])
		b += le(k[4:])
		c += le(k[8:])
		a, b, c = hashMix(a, b, c)
		k = k[12:]
	}
	c += uint32(n)
	// The tail: bytes 8..10 go to c above its low (length) byte, 4..7
	// to b, 0..3 to a.
	for i := len(k) - 1; i >= 0; i-- {
		switch {
		case i >= 8:
			c += uint32(k[i]) << (8 * (i - 7))
		case i >= 4:
			b += uint32(k[i]) << (8 * (i - 4))
		default:
			a += uint32(k[i]) << (8 * i)
		}
	}
	_, _, c = hashMix(a, b, c)
	return c
}

// StrHashLinuxDcache is ceph_str_hash_linux, the Linux dcache name hash.
func StrHashLinuxDcache(s []byte) uint32 {
	var h uint32
	for _, c := range s {
		h = (h + uint32(c)<<4 + uint32(c)>>4) * 11
	}
	return h
}

// StableMod is ceph_stable_mod: x mod b that moves as few values as
// possible when b grows, given bmask = (next power of two >= b) - 1.
func StableMod(x, b, bmask uint32) uint32 {
	if x&bmask < b {
		return x & bmask
	}
	return x & (bmask >> 1)
}
