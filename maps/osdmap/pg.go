package osdmap

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

// PG is Ceph's pg_t: a pool and a placement seed. On the wire it is a
// version byte (1), the u64 pool, the u32 seed and an i32 that once held a
// preferred OSD and is always -1 (src/osd/osd_types.h pg_t::encode).
type PG struct {
	Pool uint64
	Seed uint32
}

// pgWireLen is the size of an encoded pg_t.
const pgWireLen = 1 + 8 + 4 + 4

// String prints a PG as Ceph does: pool in decimal, seed in hex ("1.1f").
func (p PG) String() string {
	return strconv.FormatUint(p.Pool, 10) + "." + strconv.FormatUint(uint64(p.Seed), 16)
}

// ParsePG parses the "POOL.SEED" form String prints.
func ParsePG(s string) (PG, error) {
	pool, seed, ok := strings.Cut(s, ".")
	if !ok {
		return PG{}, fmt.Errorf("osdmap: bad pgid %q", s)
	}
	p, err := strconv.ParseUint(pool, 10, 64)
	if err != nil {
		return PG{}, fmt.Errorf("osdmap: bad pgid %q", s)
	}
	ps, err := strconv.ParseUint(seed, 16, 32)
	if err != nil {
		return PG{}, fmt.Errorf("osdmap: bad pgid %q", s)
	}
	return PG{Pool: p, Seed: uint32(ps)}, nil
}

// ComparePG orders PGs as pg_t's operator< does: by pool, then seed.
func ComparePG(a, b PG) int {
	if c := cmp.Compare(a.Pool, b.Pool); c != 0 {
		return c
	}
	return cmp.Compare(a.Seed, b.Seed)
}

func encodePG(e *encoding.Encoder, p PG) {
	e.U8(1)
	e.U64(p.Pool)
	e.U32(p.Seed)
	e.I32(-1)
}

func decodePG(d *encoding.Decoder) PG {
	d.U8() // struct version; Ceph ignores it too
	p := PG{Pool: d.U64(), Seed: d.U32()}
	d.Skip(4) // the retired "preferred" field
	return p
}
