package crush

import (
	"bytes"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

// Feature-gated parts of CrushWrapper::encode.
func TestEncodeFeatureGates(t *testing.T) {
	m, full := loadMap(t, "testdata/bin/choose_args.bin")
	pre := encoding.FeaturesPacific &^ uint64(encoding.FeatureServerLuminous)
	b := m.Encode(pre)
	// Without SERVER_LUMINOUS: no classes and no choose_args, so the
	// encoding ends after chooseleaf_stable.
	if len(b) >= len(full) {
		t.Fatalf("pre-luminous encoding is %d bytes, full %d", len(b), len(full))
	}
	old, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(old.ChooseArgs) != 0 || old.Tunables != m.Tunables {
		t.Fatalf("pre-luminous decode: %d choose_args, tunables %+v", len(old.ChooseArgs), old.Tunables)
	}
	// Without CRUSH_TUNABLES5 chooseleaf_stable is left out too, and a
	// decoder falls back to its legacy value 0.
	noStable := pre &^ (1 << 58)
	if got := m.Encode(noStable); len(got) != len(b)-1 {
		t.Fatalf("without TUNABLES5: %d bytes, want %d", len(got), len(b)-1)
	}
}

// TestEncodeCompatChooseArgs checks the weight-set folding directly.
func TestEncodeCompatChooseArgs(t *testing.T) {
	m, _ := loadMap(t, "testdata/bin/choose_args.bin")
	// CRUSH_CHOOSE_ARGS shares SERVER_LUMINOUS's bits, so a peer lacking
	// it gets no choose_args section; the first set's first weights
	// replace the straw2 weights instead. (Ceph asserts the map has no
	// "incompatible" choose_args first; kelp folds regardless.)
	f := encoding.FeaturesPacific &^ uint64(encoding.FeatureServerLuminous)
	c, err := Decode(m.Encode(f))
	if err != nil {
		t.Fatal(err)
	}
	first := m.ChooseArgs[0]
	for idx, a := range first {
		if len(a.WeightSet) == 0 {
			continue
		}
		got := c.Buckets[idx].ItemWeights
		for i := range got {
			if got[i] != a.WeightSet[0][i] {
				t.Errorf("bucket %d item %d: weight %d, want weight-set %d", -1-idx, i, got[i], a.WeightSet[0][i])
			}
		}
	}
}

// TestClone: a clone encodes the same and does not share state.
func TestClone(t *testing.T) {
	m, data := loadMap(t, "testdata/bin/choose_args.bin")
	c := m.Clone()
	if !bytes.Equal(c.Encode(encoding.FeaturesPacific), data) {
		t.Fatal("clone encodes differently")
	}
	if err := c.AdjustItemWeight(0, 0x20000); err != nil {
		t.Fatal(err)
	}
	if err := c.ChooseArgsAdjustItemWeight(0, 1, []uint32{0x8000}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Encode(encoding.FeaturesPacific), data) {
		t.Fatal("changing the clone changed the original")
	}
}
