package crush

import (
	"math"
	"math/big"
	"testing"
)

// Object hashes as a real Pacific mon printed them for `ceph osd map p NAME`
// (pool p has pg_num 8, so the pg is StableMod(hash, 8, 7)).
func TestStrHashRjenkins(t *testing.T) {
	for _, c := range []struct {
		name string
		hash uint32
		pg   uint32
	}{
		{"foo", 0x7fc1f406, 6},
		{"bar", 0xefe6384b, 3},
		{"", 0xbd49d10d, 5},
		{"a", 0x29eec818, 0},
		{"abcdefghijkl", 0x0b1b3ea5, 5},
		{"abcdefghijklmnopqrstuvwxyz0123", 0x3e561acf, 7},
		{"rbd_data.1234.0000000000000001", 0x12d04153, 3},
	} {
		h := StrHash(StrHashTypeRjenkins, []byte(c.name))
		if h != c.hash {
			t.Errorf("%q: hash %#x, want %#x", c.name, h, c.hash)
		}
		if pg := StableMod(h, 8, 7); pg != c.pg {
			t.Errorf("%q: pg %d, want %d", c.name, pg, c.pg)
		}
	}
}

func TestStrHashLinux(t *testing.T) {
	// Computed by hand from the dcache recurrence h = (h + c<<4 + c>>4) * 11.
	h := uint32(0)
	for _, c := range []byte("ab") {
		h = (h + uint32(c)<<4 + uint32(c)>>4) * 11
	}
	if got := StrHash(StrHashTypeLinux, []byte("ab")); got != h {
		t.Fatalf("got %#x want %#x", got, h)
	}
	if StrHash(99, []byte("x")) != 0 {
		t.Fatal("unknown hash type must hash to 0")
	}
}

func TestStableMod(t *testing.T) {
	// pg_num 12 (mask 15): seeds 12..15 fold onto 4..7.
	for x, want := range map[uint32]uint32{3: 3, 11: 11, 12: 4, 15: 7, 16: 0, 29: 13 & 7} {
		if got := StableMod(x, 12, 15); got != want {
			t.Errorf("StableMod(%d,12,15) = %d, want %d", x, got, want)
		}
	}
}

// TestLnTablesFormula checks the transcribed __RH_LH_tbl against the
// formula in its comment (2^48/(1+k/128) rounded up, 2^48*log2(1+k/128)
// rounded down), and crushLn's ends.
func TestLnTablesFormula(t *testing.T) {
	two48 := new(big.Float).SetPrec(200).SetInt64(1 << 48)
	for k := range 128 {
		q := new(big.Float).SetPrec(200).Quo(two48, big.NewFloat(1+float64(k)/128).SetPrec(200))
		// 1+k/128 is exact in a float64; ceil the quotient.
		qi, acc := q.Int(nil)
		if acc == big.Below {
			qi.Add(qi, big.NewInt(1))
		}
		if rhLHTable[2*k] != qi.Uint64() {
			t.Errorf("RH[%d] = %#x, formula %#x", k, rhLHTable[2*k], qi.Uint64())
		}
		lh := math.Log2(1+float64(k)/128) * (1 << 48)
		if d := float64(rhLHTable[2*k+1]) - math.Floor(lh); math.Abs(d) > 2 {
			t.Errorf("LH[%d] = %#x, formula %v", k, rhLHTable[2*k+1], lh)
		}
	}
	if crushLn(0) != 0 {
		t.Errorf("crushLn(0) = %#x", crushLn(0))
	}
	if got := crushLn(0xffff); got != 0xfffff0000000 {
		t.Errorf("crushLn(0xffff) = %#x", got)
	}
}

// hash32_3Ref is Hash32_3 written with hashMix, as hash.c is.
func hash32_3Ref(a, b, c uint32) uint32 {
	h := hashSeed ^ a ^ b ^ c
	x, y := uint32(231232), uint32(1232)
	a, b, h = hashMix(a, b, h)
	c, x, h = hashMix(c, x, h)
	y, a, h = hashMix(y, a, h)
	b, x, h = hashMix(b, x, h)
	_, _, h = hashMix(y, c, h)
	return h
}

func TestHash32_3Unrolled(t *testing.T) {
	for i := uint32(0); i < 20000; i++ {
		a, b, c := i*2654435761, i^0xdeadbeef, i*7+uint32(-int32(i))
		if Hash32_3(a, b, c) != hash32_3Ref(a, b, c) {
			t.Fatalf("mismatch at %d", i)
		}
	}
}
