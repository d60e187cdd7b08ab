package osdmap

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// incEpochs lists the epochs of the real incrementals in testdata/inc.
func incEpochs(t testing.TB) []int {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join("testdata", "inc"))
	if err != nil {
		t.Fatal(err)
	}
	var es []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err == nil {
			es = append(es, n)
		}
	}
	sort.Ints(es)
	if len(es) == 0 {
		t.Fatal("no incrementals in testdata/inc")
	}
	return es
}

func TestIncrementalGoldenRoundTrip(t *testing.T) {
	for _, e := range incEpochs(t) {
		in := readGolden(t, filepath.Join("inc", strconv.Itoa(e)))
		inc, err := DecodeIncremental(in)
		if err != nil {
			t.Fatalf("inc %d: %v", e, err)
		}
		if int(inc.Epoch) != e {
			t.Fatalf("inc %d decoded epoch %d", e, inc.Epoch)
		}
		out := inc.Encode(inc.EncodeFeatures)
		if !bytes.Equal(in, out) {
			t.Fatalf("inc %d: re-encoding differs: %s", e, firstDiff(in, out))
		}
	}
}

// TestApplyRealIncrementals replays the real mon's incrementals: each
// applied to full map N-1 must encode to exactly full map N, whose crc is
// the incremental's full_crc.
func TestApplyRealIncrementals(t *testing.T) {
	es := incEpochs(t)
	for _, e := range es {
		if e == 1 {
			continue
		}
		prev, err := Decode(readGolden(t, filepath.Join("full", strconv.Itoa(e-1))))
		if err != nil {
			t.Fatal(err)
		}
		inc, err := DecodeIncremental(readGolden(t, filepath.Join("inc", strconv.Itoa(e))))
		if err != nil {
			t.Fatal(err)
		}
		next, err := Apply(prev, inc)
		if err != nil {
			t.Fatalf("apply %d: %v", e, err)
		}
		want := readGolden(t, filepath.Join("full", strconv.Itoa(e)))
		got := next.Encode(inc.EncodeFeatures)
		if !bytes.Equal(want, got) {
			t.Fatalf("epoch %d: applied map differs: %s", e, firstDiff(want, got))
		}
		if next.CRC != inc.FullCRC {
			t.Fatalf("epoch %d: crc %#x, full_crc %#x", e, next.CRC, inc.FullCRC)
		}
	}
}

func TestEncodingFeaturesMatchRealMon(t *testing.T) {
	m, err := Decode(readGolden(t, "real-e44.bin"))
	if err != nil {
		t.Fatal(err)
	}
	inc, err := DecodeIncremental(readGolden(t, filepath.Join("inc", "44")))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.EncodingFeatures(); got != inc.EncodeFeatures {
		t.Fatalf("EncodingFeatures %#x, real mon used %#x", got, inc.EncodeFeatures)
	}
}
