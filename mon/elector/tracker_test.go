package elector

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// capturedTrackers returns the ConnectionTracker encodings real Pacific
// monitors sent in MMonPing and MMonElection
// (msgr2/msg/testdata/monpeer/frames.txt).
func capturedTrackers(t testing.TB) [][]byte {
	f, err := os.Open("../../msgr2/msg/testdata/monpeer/frames.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		front, _ := hex.DecodeString(fs[5])
		switch fs[2] {
		case "140":
			var m msg.MonPing
			m.Hdr.Version = 1
			if err := m.DecodePayload(encoding.FeaturesPacific, front, nil, nil); err != nil {
				t.Fatal(err)
			}
			out = append(out, m.TrackerBL)
		case "65":
			var m msg.MonElection
			m.Hdr.Version = 9
			if err := m.DecodePayload(encoding.FeaturesPacific, front, nil, nil); err != nil {
				t.Fatal(err)
			}
			if len(m.ScoringBL) > 0 {
				out = append(out, m.ScoringBL)
			}
		}
	}
	return out
}

func TestConnectionTrackerGolden(t *testing.T) {
	bls := capturedTrackers(t)
	if len(bls) < 5 {
		t.Fatalf("only %d captured trackers", len(bls))
	}
	scored := false
	for _, b := range bls {
		ct, err := UnmarshalConnectionTracker(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ct.Marshal(), b) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", ct.Marshal(), b)
		}
		if ct.HalfLife() != DefaultHalfLife || ct.Rank() < 0 || ct.Rank() > 3 {
			t.Fatalf("tracker rank %d half-life %v", ct.Rank(), ct.HalfLife())
		}
		for p := range 4 {
			if s, live := ct.TotalScore(p); live > 0 && s > 0 {
				scored = true
			}
		}
	}
	if !scored {
		t.Error("no captured tracker scores anyone")
	}
	for n := range len(bls[0]) {
		if _, err := UnmarshalConnectionTracker(bls[0][:n]); err == nil {
			t.Fatalf("%d-byte prefix decoded", n)
		}
	}
}

func TestConnectionScores(t *testing.T) {
	a := NewConnectionTracker(0, 100)
	a.IncreaseEpoch(3)
	a.ReportLive(1, 0) // a new peer starts at 1
	if s := a.mine.History[1]; s != 1 {
		t.Fatalf("initial score %v", s)
	}
	a.ReportDead(1, 50) // 1*(1-0.25) - 0.25
	if s := a.mine.History[1]; math.Abs(s-0.5) > 1e-12 {
		t.Fatalf("score after 50s dead: %v", s)
	}
	a.ReportLive(1, 50) // 0.5*0.75 + 0.25
	if s := a.mine.History[1]; math.Abs(s-0.625) > 1e-12 || !a.mine.Current[1] {
		t.Fatalf("score after 50s alive: %v", s)
	}
	for range 1000 {
		a.ReportDead(2, 100)
	}
	if a.mine.History[2] != 0 {
		t.Fatal("score below 0")
	}
	// b learns a's report and scores 1 through it.
	b := NewConnectionTracker(2, 100)
	b.ReceivePeerReport(a)
	if s, live := b.TotalScore(1); live != 1 || math.Abs(s-0.625) > 1e-12 {
		t.Fatalf("b's view of 1: %v from %d", s, live)
	}
	if s, live := b.TotalScore(2); live != 0 || s != 0 {
		t.Fatalf("a sees 2 down, yet it scores %v from %d", s, live)
	}
	old := a.Clone()
	a.ReportLive(1, 1)
	b.ReceivePeerReport(old) // older version: ignored
	if r, _ := b.Report(0); r.EpochVersion != old.version {
		t.Fatalf("version %d", r.EpochVersion)
	}
	c, err := UnmarshalConnectionTracker(a.Marshal())
	if err != nil || !bytes.Equal(c.Marshal(), a.Marshal()) {
		t.Fatalf("round trip: %v", err)
	}
}

func FuzzConnectionTracker(f *testing.F) {
	for _, b := range capturedTrackers(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := UnmarshalConnectionTracker(b)
		if err != nil {
			return
		}
		again, err := UnmarshalConnectionTracker(ct.Marshal())
		if err != nil || !bytes.Equal(again.Marshal(), ct.Marshal()) {
			t.Fatalf("unstable: %v", err)
		}
	})
}
