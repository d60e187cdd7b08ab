package crush

import (
	"fmt"
	"os"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

// FuzzHelpers applies fuzzer-chosen sequences of monitor operations to a
// map with device classes: none may panic or hang, and the map must keep
// encoding to something that decodes and maps.
func FuzzHelpers(f *testing.F) {
	base, err := os.ReadFile("testdata/bin/classes.bin")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{0, 3, 1, 2, 6, 3, 0, 8, 0, 1, 1, 11, 1, 1, 4, 2, 9, 5, 2, 1})
	f.Add([]byte{11, 0, 1, 12, 4, 7, 1, 5, 3, 1, 3, 2, 0, 13, 0, 0})
	f.Add([]byte{10, 1, 2, 15, 9, 1, 16, 4, 2, 17, 2, 3, 14, 2, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 200 {
			return
		}
		m, err := Decode(base)
		if err != nil {
			t.Fatal(err)
		}
		classes := []string{"hdd", "ssd", "x"}
		next := func() int {
			if len(ops) == 0 {
				return 0
			}
			v := int(ops[0])
			ops = ops[1:]
			return v
		}
		dev := func() int32 { return int32(next() % 16) }
		item := func() int32 { return int32(next()%24) - 10 }
		w := func() uint32 { return uint32(next()) * 0x1000 }
		loc := func() Location {
			l := Location{"root": "default"}
			switch next() % 4 {
			case 1:
				l["host"] = fmt.Sprintf("h%d", next()%4)
			case 2:
				l["rack"] = fmt.Sprintf("r%d", next()%3)
			case 3:
				l["host"] = fmt.Sprintf("n%d", next()%4)
				l["rack"] = fmt.Sprintf("r%d", next()%3)
			}
			return l
		}
		for len(ops) > 0 {
			switch next() % 18 {
			case 0:
				d := dev()
				_ = m.InsertItem(d, w(), fmt.Sprintf("osd.%d", d), loc())
			case 1:
				d := dev()
				_, _ = m.CreateOrMoveItem(d, w(), fmt.Sprintf("osd.%d", d), loc())
			case 2:
				d := dev()
				_, _ = m.UpdateItem(d, w(), fmt.Sprintf("osd.%d", d), loc())
			case 3:
				_ = m.RemoveItem(item(), next()%2 == 0)
			case 4:
				_ = m.AdjustItemWeight(item(), w())
			case 5:
				_ = m.MoveBucket(-int32(next()%12)-1, loc())
			case 6:
				d := dev()
				if !m.ItemExists(d) {
					m.ItemNames[d] = fmt.Sprintf("osd.%d", d)
				}
				_, _ = m.UpdateDeviceClass(d, classes[next()%3])
			case 7:
				_ = m.RemoveDeviceClass(dev())
			case 8:
				fd := []string{"host", "rack", "osd", ""}[next()%4]
				cl := []string{"", "hdd", "ssd"}[next()%3]
				mode := []string{"firstn", "indep"}[next()%2]
				_, _ = m.AddSimpleRule(fmt.Sprintf("r%d", next()), "default", fd, cl, mode, RuleReplicated, -1)
			case 9:
				_ = m.RemoveRule(next() % 8)
			case 10:
				_, _ = m.AddBucket(0, BucketAlg(next()%5+1), int32(next()%3+1), fmt.Sprintf("b%d", next()))
			case 11:
				_ = m.CreateChooseArgs(int64(next()%3)-1, next()%3+1)
			case 12:
				_ = m.ChooseArgsAdjustItemWeight(int64(next()%3)-1, item(), []uint32{w()})
			case 13:
				_ = m.Reweight()
			case 14:
				_ = m.SetTunablesProfile([]string{"argonaut", "bobtail", "firefly", "hammer", "jewel", "optimal"}[next()%6])
			case 15:
				_ = m.LinkBucket(-int32(next()%12)-1, loc())
			case 16:
				_ = m.RemoveItemUnder(item(), -int32(next()%12)-1, next()%2 == 0)
			case 17:
				_ = m.RenameBucket(fmt.Sprintf("n%d", next()%4), fmt.Sprintf("m%d", next()%4))
			}
		}
		enc := m.Encode(encoding.FeaturesPacific)
		m2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decode after ops: %v", err)
		}
		weights := deviceWeights(m2, nil)
		mp := NewMapper(m2)
		for r := range m2.Rules {
			for x := int32(0); x < 8; x++ {
				mp.DoRule(r, x, weights, 3, m2.ChooseArgsFor(0))
			}
		}
		_, _ = RenderJSON(m2.Dump(), false)
		_ = m2.CrushTreePlain(true, nil)
	})
}
