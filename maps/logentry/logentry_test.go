package logentry

import (
	"bytes"
	"os"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func golden(t testing.TB, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSummaryGoldenRoundTrip(t *testing.T) {
	for _, name := range []string{"summary-v1.bin", "summary-v55.bin", "summary-v56.bin"} {
		in := golden(t, name)
		s, err := DecodeSummary(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if out := s.Encode(encoding.FeaturesPacific); !bytes.Equal(in, out) {
			t.Fatalf("%s: re-encoding differs", name)
		}
	}
	s, _ := DecodeSummary(golden(t, "summary-v56.bin"))
	if s.Version != 56 || len(s.TailByChannel[ChannelAudit]) == 0 || len(s.TailByChannel[ChannelCluster]) == 0 {
		t.Fatalf("summary %d channels %d", s.Version, len(s.TailByChannel))
	}
	first := s.TailByChannel[ChannelCluster][0].Entry
	if first.Name.String() != "osd.1" || first.Rank.String() != "osd.1" || first.Msg != "purged_snaps scrub ok" {
		t.Errorf("first cluster entry %+v", first)
	}
}

func TestIncrementalGoldenRoundTrip(t *testing.T) {
	for _, name := range []string{"inc-2.bin", "inc-56.bin", "inc-57.bin"} {
		in := golden(t, name)
		es, err := DecodeIncremental(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if out := EncodeIncremental(es, encoding.FeaturesPacific); !bytes.Equal(in, out) {
			t.Fatalf("%s: re-encoding differs", name)
		}
	}
	es, _ := DecodeIncremental(golden(t, "inc-2.bin"))
	if es[0].Msg != "mon.a is new leader, mons a in quorum (ranks 0)" || es[0].Priority != Info || es[0].Channel != ChannelCluster {
		t.Errorf("entry %+v", es[0])
	}
}

// TestSummaryFollowsIncremental: summary 55 plus incremental 56, added and
// pruned as LogMonitor does, is summary 56.
func TestSummaryFollowsIncremental(t *testing.T) {
	s, err := DecodeSummary(golden(t, "summary-v55.bin"))
	if err != nil {
		t.Fatal(err)
	}
	es, err := DecodeIncremental(golden(t, "inc-56.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		s.Add(e)
	}
	s.Prune(50)
	s.Version = 56
	if out := s.Encode(encoding.FeaturesPacific); !bytes.Equal(golden(t, "summary-v56.bin"), out) {
		t.Fatal("applied summary differs from the mon's")
	}
}

func TestTruncatedFails(t *testing.T) {
	for _, name := range []string{"summary-v56.bin", "inc-2.bin"} {
		in := golden(t, name)
		for n := range len(in) {
			var err error
			if name == "inc-2.bin" {
				_, err = DecodeIncremental(in[:n])
			} else {
				_, err = DecodeSummary(in[:n])
			}
			if err == nil {
				t.Fatalf("%s: prefix of %d bytes decoded", name, n)
			}
		}
	}
}

func FuzzDecodeSummary(f *testing.F) {
	f.Add(golden(f, "summary-v1.bin"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSummary(b)
		if err != nil {
			return
		}
		if _, err := DecodeSummary(s.Encode(encoding.FeaturesPacific)); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzDecodeIncremental(f *testing.F) {
	f.Add(golden(f, "inc-2.bin"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := DecodeIncremental(b)
		if err != nil {
			return
		}
		if _, err := DecodeIncremental(EncodeIncremental(es, encoding.FeaturesPacific)); err != nil {
			t.Fatal(err)
		}
	})
}
