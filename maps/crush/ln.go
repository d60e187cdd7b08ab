package crush

import "math/bits"

// crushLn is crush_ln (src/crush/mapper.c): 2^44*log2(xin+1) in fixed
// point, from a 16-bit input, by table lookup. straw2 depends on its exact
// rounding, so it follows Ceph's arithmetic step by step.
func crushLn(xin uint32) uint64 {
	x := xin + 1
	iexpon := 15
	// Normalize so that bit 15 or 16 is set.
	if x&0x18000 == 0 {
		shift := bits.LeadingZeros32(x&0x1ffff) - 16
		x <<= uint(shift)
		iexpon = 15 - shift
	}
	index1 := int(x>>8) << 1
	rh := rhLHTable[index1-256]
	lh := rhLHTable[index1+1-256]
	xl64 := uint64(x) * rh
	xl64 >>= 48
	result := uint64(iexpon) << (12 + 32)
	ll := llTable[xl64&0xff]
	lh += ll
	lh >>= 48 - 12 - 32
	return result + lh
}
