package encoding

import (
	"net/netip"
	"testing"
)

func BenchmarkCRC32C4K(b *testing.B) {
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		CRC32C(0xffffffff, buf)
	}
}

func BenchmarkAddrVecEncodeDecode(b *testing.B) {
	v := EntityAddrVec{
		NewAddr(AddrMsgr2, netip.MustParseAddrPort("127.0.0.1:3300")),
		NewAddr(AddrLegacy, netip.MustParseAddrPort("127.0.0.1:6789")),
	}
	e := NewEncoder(make([]byte, 0, 128))
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		e.EntityAddrVec(v, FeaturesPacific)
		d := NewDecoder(e.Bytes())
		d.EntityAddrVec()
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
}
