package crush

import (
	"testing"
)

// Mapping throughput. Compare with crushtool on the same map:
//
//	time crushtool -i testdata/bin/build1000.bin --test --show-mappings \
//	    --min-x 0 --max-x 99999 --num-rep 3 --rule 0 > /dev/null
//
// which performs 100000 mappings (BenchmarkCrushtool in the interop tests
// runs it and reports the same figure).
func benchDoRule(b *testing.B, path string) {
	m, _ := loadMap(b, path)
	weights := deviceWeights(m, nil)
	mp := NewMapper(m)
	var out []int32
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		out = mp.DoRuleInto(out[:0], 0, int32(i), weights, 3, nil)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mappings/s")
}

func BenchmarkDoRule1000(b *testing.B)  { benchDoRule(b, "testdata/bin/build1000.bin") }
func BenchmarkDoRule10000(b *testing.B) { benchDoRule(b, "testdata/bin/build10000.bin") }

func BenchmarkDecode10000(b *testing.B) {
	_, data := loadMap(b, "testdata/bin/build10000.bin")
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
