package encoding

import "testing"

// FuzzDecoder drives every decoder of this package over arbitrary input:
// none may panic, and a refused count must not allocate its claim.
func FuzzDecoder(f *testing.F) {
	var e Encoder
	e.EntityAddrVec(EntityAddrVec{NewAddr(AddrMsgr2, mustAP("127.0.0.1:3300"))}, FeaturesPacific)
	f.Add(e.Bytes())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0, 0, 0, 0, 1, 0, 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, dec := range []func(*Decoder){
			func(d *Decoder) { d.EntityAddr() },
			func(d *Decoder) { d.EntityAddrVec() },
			func(d *Decoder) { d.EntityName(); d.EntityNameT(); d.UTime(); d.UUID() },
			func(d *Decoder) { DecodeMap(d, 5, DecStr, DecBlob) },
			func(d *Decoder) { DecodeSlice(d, 1, DecStr) },
			func(d *Decoder) { s := d.Start(3); d.Str(); d.End(s) },
			func(d *Decoder) { s := d.StartLegacy(5, 2, 3, 3); d.U64(); d.End(s) },
		} {
			d := NewDecoder(b)
			dec(d)
			if d.Err() == nil && d.Offset() > len(b) {
				t.Fatal("read past the input")
			}
		}
	})
}

// FuzzAddrRoundTrip checks that every address that decodes re-encodes to
// something that decodes to the same value.
func FuzzAddrRoundTrip(f *testing.F) {
	var e Encoder
	e.EntityAddr(NewAddr(AddrLegacy, mustAP("[::1]:6789")), FeaturesPacific)
	f.Add(e.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		a := d.EntityAddr()
		if d.Err() != nil {
			return
		}
		var e Encoder
		e.EntityAddr(a, FeaturesPacific)
		d2 := NewDecoder(e.Bytes())
		if a2 := d2.EntityAddr(); a2 != a || d2.Done() != nil {
			t.Fatalf("%v re-decoded as %v (%v)", a, a2, d2.Err())
		}
	})
}
