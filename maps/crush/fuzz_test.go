package crush

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func FuzzDecode(f *testing.F) {
	for _, g := range []string{"testdata/bin/*.bin", "testdata/mon/*.bin"} {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil && len(data) < 8192 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		// What decodes must re-encode to something that decodes to the
		// same encoding again.
		enc := m.Encode(encoding.FeaturesPacific)
		m2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !bytes.Equal(m2.Encode(encoding.FeaturesPacific), enc) {
			t.Fatal("encoding not stable")
		}
		// The mapper must survive any decodable map. Its work grows with
		// the rule's numrep and tries arguments, as crush_do_rule's does,
		// so rules asking for huge ones are left out.
		if len(m.Buckets) > 2000 {
			return
		}
		for _, r := range m.Rules {
			for _, s := range r.GetSteps() {
				if s.Arg1 > 100 || s.Arg1 < -100 {
					return
				}
			}
		}
		if m.Tunables.ChooseTotalTries > 100 || m.Tunables.ChooseLocalFallbackTries > 100 || m.Tunables.ChooseLocalTries > 100 {
			return
		}
		weights := make([]uint32, min(int(m.MaxDevices), 4096))
		for i := range weights {
			weights[i] = uint32(i * 0x3000 % 0x14000)
		}
		mp := NewMapper(m)
		for r := range min(len(m.Rules), 8) {
			for x := int32(0); x < 4; x++ {
				mp.DoRule(r, x, weights, 3, m.ChooseArgsFor(0))
			}
		}
	})
}
