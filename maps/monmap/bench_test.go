package monmap

import (
	"os"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func BenchmarkDecodeEncode(b *testing.B) {
	in, err := os.ReadFile("testdata/monmaptool-3mons.bin")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Decode(in)
		if err != nil {
			b.Fatal(err)
		}
		m.Encode(encoding.FeaturesPacific)
	}
}
