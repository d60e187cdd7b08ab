package encoding

import (
	"bytes"
	"errors"
	"math"
	"net/netip"
	"testing"
)

func TestPrimitivesRoundTrip(t *testing.T) {
	var e Encoder
	e.U8(0xab)
	e.U16(0x1234)
	e.U32(0xdeadbeef)
	e.U64(0x0102030405060708)
	e.I32(-2)
	e.I64(math.MinInt64)
	e.Bool(true)
	e.F32(1.5)
	e.F64(-2.25)
	e.Str("hello")
	e.Blob([]byte{1, 2, 3})
	want := []byte{0xab, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde, 8, 7, 6, 5, 4, 3, 2, 1,
		0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x80, 1,
		0, 0, 0xc0, 0x3f, 0, 0, 0, 0, 0, 0, 0x02, 0xc0,
		5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 3, 0, 0, 0, 1, 2, 3}
	if !bytes.Equal(e.Bytes(), want) {
		t.Fatalf("encoded\n%x\nwant\n%x", e.Bytes(), want)
	}
	d := NewDecoder(e.Bytes())
	if d.U8() != 0xab || d.U16() != 0x1234 || d.U32() != 0xdeadbeef || d.U64() != 0x0102030405060708 ||
		d.I32() != -2 || d.I64() != math.MinInt64 || !d.Bool() || d.F32() != 1.5 || d.F64() != -2.25 ||
		d.Str() != "hello" || !bytes.Equal(d.Blob(), []byte{1, 2, 3}) {
		t.Fatal("decoded values differ")
	}
	if err := d.Done(); err != nil {
		t.Fatal(err)
	}
}

func TestStickyError(t *testing.T) {
	d := NewDecoder([]byte{1, 2})
	if d.U32() != 0 || !errors.Is(d.Err(), ErrShort) {
		t.Fatalf("want ErrShort, got %v", d.Err())
	}
	if d.U8() != 0 {
		t.Fatal("read after error returned data")
	}
}

func TestCountRefusesHugeAllocation(t *testing.T) {
	// A 4-byte input claiming 4 Gi elements must fail before allocating.
	d := NewDecoder([]byte{0xff, 0xff, 0xff, 0xff})
	allocs := testing.AllocsPerRun(10, func() {
		d = NewDecoder([]byte{0xff, 0xff, 0xff, 0xff})
		_ = DecodeSlice(d, 1, (*Decoder).U8)
	})
	if !errors.Is(d.Err(), ErrShort) {
		t.Fatalf("want ErrShort, got %v", d.Err())
	}
	if allocs > 2 {
		t.Fatalf("%v allocations for a refused count", allocs)
	}
	d = NewDecoder([]byte{0xff, 0xff, 0xff, 0xff})
	if b := d.Blob(); b != nil || !errors.Is(d.Err(), ErrShort) {
		t.Fatal("blob with huge length accepted")
	}
}

func TestVersionedStructSkipsNewerFields(t *testing.T) {
	// A v3 encoder wrote an extra field our v2 decoder does not know.
	var e Encoder
	m := e.Start(3, 2)
	e.U32(7)
	e.U32(8)
	e.U64(0xffff) // added in v3
	e.End(m)
	e.U8(0x55) // the next field after the struct
	d := NewDecoder(e.Bytes())
	s := d.Start(2)
	a, b := d.U32(), d.U32()
	d.End(s)
	if s.V != 3 || s.Compat != 2 || a != 7 || b != 8 || d.U8() != 0x55 || d.Done() != nil {
		t.Fatalf("got v%d a=%d b=%d err=%v", s.V, a, b, d.Err())
	}
}

func TestVersionedStructBoundsReads(t *testing.T) {
	var e Encoder
	m := e.Start(1, 1)
	e.U16(1)
	e.End(m)
	e.U32(0x01020304)
	d := NewDecoder(e.Bytes())
	s := d.Start(1)
	d.U32() // only 2 bytes in the struct: must not read the outer bytes
	d.End(s)
	if !errors.Is(d.Err(), ErrShort) {
		t.Fatalf("read past struct end: %v", d.Err())
	}
}

func TestIncompatibleStruct(t *testing.T) {
	var e Encoder
	m := e.Start(5, 4)
	e.End(m)
	d := NewDecoder(e.Bytes())
	d.StartNamed("pg_pool_t", 3)
	var ie *IncompatError
	if !errors.As(d.Err(), &ie) || ie.Compat != 4 || ie.Supported != 3 {
		t.Fatalf("want IncompatError, got %v", d.Err())
	}
	if errors.Is(d.Err(), ErrShort) {
		t.Fatal("incompatible must be distinct from short")
	}
}

func TestLegacyCompatLen(t *testing.T) {
	// struct_v 2 < compatV 3: no compat byte; 3 bytes of an old layout
	// skipped (_32 form); struct_v < lenV: no length.
	d := NewDecoder([]byte{2, 9, 9, 9, 0x2a})
	s := d.StartLegacy(7, 3, 5, 3)
	v := d.U8()
	d.End(s)
	if s.V != 2 || v != 0x2a || d.Done() != nil {
		t.Fatalf("v=%d val=%d err=%v", s.V, v, d.Err())
	}
	// A new encoding of the same struct takes the ENCODE_START path.
	var e Encoder
	m := e.Start(6, 3)
	e.U8(0x2a)
	e.End(m)
	d = NewDecoder(e.Bytes())
	s = d.StartLegacy(7, 3, 5, 3)
	v = d.U8()
	d.End(s)
	if s.V != 6 || v != 0x2a || d.Done() != nil {
		t.Fatalf("v=%d val=%d err=%v", s.V, v, d.Err())
	}
}

func TestContainers(t *testing.T) {
	var e Encoder
	Map(&e, map[string]uint32{"b": 2, "a": 1}, EncStr, EncU32)
	Slice(&e, []int64{-1, 5}, EncI64)
	x := uint32(9)
	Optional(&e, &x, EncU32)
	Optional[uint32](&e, nil, EncU32)
	want := []byte{2, 0, 0, 0, 1, 0, 0, 0, 'a', 1, 0, 0, 0, 1, 0, 0, 0, 'b', 2, 0, 0, 0,
		2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0, 0, 0, 0, 0,
		1, 9, 0, 0, 0, 0}
	if !bytes.Equal(e.Bytes(), want) {
		t.Fatalf("got %x", e.Bytes())
	}
	d := NewDecoder(e.Bytes())
	m := DecodeMap(d, 5, DecStr, DecU32)
	s := DecodeSlice(d, 8, DecI64)
	o := DecodeOptional(d, DecU32)
	n := DecodeOptional(d, DecU32)
	if d.Done() != nil || m["a"] != 1 || m["b"] != 2 || len(s) != 2 || s[0] != -1 || *o != 9 || n != nil {
		t.Fatalf("decoded %v %v %v %v err %v", m, s, o, n, d.Err())
	}
}

func TestCRC32C(t *testing.T) {
	// Vectors from Ceph's src/test/common/test_crc32c.cc.
	for _, c := range []struct {
		seed uint32
		in   string
		want uint32
	}{
		{0, "foo bar baz", 4119623852},
		{1234, "foo bar baz", 881700046},
		{0, "whiz bang boom", 2360230088},
		{5678, "whiz bang boom", 3743019208},
	} {
		if got := CRC32C(c.seed, []byte(c.in)); got != c.want {
			t.Errorf("crc32c(%d, %q) = %d, want %d", c.seed, c.in, got, c.want)
		}
	}
	big := bytes.Repeat([]byte{1}, 4096000)
	if got := CRC32C(0, big); got != 31583199 {
		t.Errorf("crc32c of 4096000 ones = %d, want 31583199", got)
	}
	if CRC32CZeros(7, 10000) != CRC32C(7, make([]byte, 10000)) {
		t.Error("CRC32CZeros differs from the crc of zeros")
	}
}

func TestEntityAddrMsgr2Encoding(t *testing.T) {
	a := NewAddr(AddrMsgr2, netip.MustParseAddrPort("127.0.0.1:3300"))
	var e Encoder
	e.EntityAddr(a, FeaturesPacific)
	want := []byte{1, 1, 1, 28, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0,
		2, 0, 0x0c, 0xe4, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(e.Bytes(), want) {
		t.Fatalf("got  %x\nwant %x", e.Bytes(), want)
	}
	d := NewDecoder(e.Bytes())
	if got := d.EntityAddr(); got != a || d.Done() != nil {
		t.Fatalf("decoded %v err %v", got, d.Err())
	}
	if a.String() != "v2:127.0.0.1:3300/0" {
		t.Fatal(a.String())
	}
}

func TestEntityAddrLegacyEncoding(t *testing.T) {
	a := NewAddr(AddrLegacy, netip.MustParseAddrPort("10.1.2.3:6789"))
	a.Nonce = 77
	var e Encoder
	e.EntityAddr(a, 0)
	b := e.Bytes()
	if len(b) != 136 || b[8] != 0 || b[9] != 2 || b[10] != 0x1a || b[11] != 0x85 || b[12] != 10 {
		t.Fatalf("legacy layout wrong: %x", b)
	}
	d := NewDecoder(b)
	if got := d.EntityAddr(); got != a || d.Done() != nil {
		t.Fatalf("decoded %v err %v", got, d.Err())
	}
}

func TestEntityAddrIPv6RoundTrip(t *testing.T) {
	a := NewAddr(AddrMsgr2, netip.MustParseAddrPort("[fe80::1]:3300"))
	a.ScopeID = 3
	var e Encoder
	e.EntityAddr(a, FeaturesPacific)
	d := NewDecoder(e.Bytes())
	if got := d.EntityAddr(); got != a || d.Done() != nil {
		t.Fatalf("decoded %v err %v", got, d.Err())
	}
	if a.String() != "v2:[fe80::1]:3300/0" {
		t.Fatal(a.String())
	}
}

func TestAddrVecParsePrintEncode(t *testing.T) {
	v, err := ParseAddrVec("[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]")
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]" || v.Legacy().Addr.Port() != 6789 {
		t.Fatal(v.String())
	}
	var e Encoder
	e.EntityAddrVec(v, FeaturesPacific)
	d := NewDecoder(e.Bytes())
	got := d.EntityAddrVec()
	if d.Done() != nil || got.String() != v.String() {
		t.Fatalf("round trip: %v %v", got, d.Err())
	}
	// Without MSG_ADDR2 only the legacy address goes out, and comes back alone.
	e.Reset()
	e.EntityAddrVec(v, 0)
	d = NewDecoder(e.Bytes())
	if got := d.EntityAddrVec(); d.Done() != nil || len(got) != 1 || got[0] != v[1] {
		t.Fatalf("legacy vec: %v %v", got, d.Err())
	}
	for _, s := range []string{"[::1]:3300", "1.2.3.4", "v1:1.2.3.4:6789/12"} {
		if _, err := ParseAddrVec(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "x", "1.2.3.4:99999", "[v2:1.2.3.4:1,junk]"} {
		if _, err := ParseAddrVec(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
}

func TestEntityNames(t *testing.T) {
	n, err := ParseEntityName("client.admin")
	if err != nil || n.Type != EntityClient || n.ID != "admin" || n.String() != "client.admin" {
		t.Fatal(n, err)
	}
	if n, err := ParseEntityName("mon."); err != nil || n.Type != EntityMon || n.ID != "" {
		t.Fatal(n, err)
	}
	if _, err := ParseEntityName("bogus.x"); err == nil {
		t.Fatal("bogus type accepted")
	}
	var e Encoder
	e.EntityName(n)
	e.EntityNameT(EntityNameT{EntityOSD, 3})
	d := NewDecoder(e.Bytes())
	if d.EntityName() != n || d.EntityNameT() != (EntityNameT{EntityOSD, 3}) || d.Done() != nil {
		t.Fatal("entity names round trip")
	}
}

func TestUUID(t *testing.T) {
	const s = "8f7c1a4e-2b6d-4c3a-9e1f-0a1b2c3d4e5f"
	u, err := ParseUUID(s)
	if err != nil || u.String() != s || u[0] != 0x8f || u[15] != 0x5f {
		t.Fatal(u, err)
	}
	if _, err := ParseUUID("8f7c1a4e-2b6d-4c3a-9e1f-0a1b2c3d4e5g"); err == nil {
		t.Fatal("bad uuid accepted")
	}
	if NewUUID() == NewUUID() {
		t.Fatal("uuids repeat")
	}
}

func TestUTime(t *testing.T) {
	u := UTime{Sec: 1700000000, Nsec: 123456789}
	if u.String() != "2023-11-14T22:13:20.123456+0000" {
		t.Fatal(u.String())
	}
	if UTimeOf(u.Time()) != u {
		t.Fatal("utime round trip")
	}
}

func TestFeatures(t *testing.T) {
	// The value a Debian 16.2.15 ceph-mon reports in `ceph features`.
	if FeaturesPacific != 0x3f01cfbdfffdffff {
		t.Fatalf("FeaturesPacific = %#x", FeaturesPacific)
	}
	if !HasFeature(FeaturesPacific, FeatureServerPacific) || HasFeature(FeaturesPacific, FeatureServerQuincy) {
		t.Fatal("pacific feature checks")
	}
	// Bit 2 without the mimic incarnation bits is the retired MONCLOCKCHECK.
	if HasFeature(1<<2, FeatureServerNautilus) {
		t.Fatal("incarnation ignored")
	}
	if FeaturesRelease(FeaturesPacific) != ReleasePacific || ReleasePacific.String() != "pacific" {
		t.Fatal("release")
	}
}
