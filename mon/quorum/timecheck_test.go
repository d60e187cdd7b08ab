package quorum

import (
	"math"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// TestTimeCheckRound runs rounds between a leader (rank 0) and two peons,
// the clock of rank 2 running 200 ms ahead, messages taking 5 ms each
// way: rank 1's skew bound is 0 (the latency explains the difference),
// rank 2's is 195-10 ms; every monitor learns the results from the
// report; rounds come back every SkewInterval while the skew lasts and
// every Interval once it is gone.
func TestTimeCheckRound(t *testing.T) {
	cfg := DefaultTimeCheckConfig()
	t0 := time.Unix(1000, 0)
	offset := map[int]time.Duration{0: 0, 1: 0, 2: 200 * time.Millisecond}
	tcs := []*TimeCheck{NewTimeCheck(cfg, 0), NewTimeCheck(cfg, 1), NewTimeCheck(cfg, 2)}
	tcs[1].Peon(4)
	tcs[2].Peon(4)
	const hop = 5 * time.Millisecond

	// round delivers pings, pongs and reports with a hop of latency each
	// and returns when the leader finished.
	round := func(start time.Time, pings []TimeCheckEnvelope) time.Time {
		t.Helper()
		if len(pings) != 2 {
			t.Fatalf("pings %+v", pings)
		}
		now := start
		var reports []TimeCheckEnvelope
		for _, p := range pings {
			if p.Msg.Op != msg.TimeCheckPing || p.Msg.Epoch != 4 || p.Msg.Round%2 != 1 {
				t.Fatalf("ping %+v", p.Msg)
			}
			pong := tcs[p.To].Handle(start.Add(hop+offset[p.To]), 0, p.Msg)
			if len(pong) != 1 || pong[0].To != 0 || pong[0].Msg.Op != msg.TimeCheckPong {
				t.Fatalf("pong %+v", pong)
			}
			now = start.Add(2 * hop)
			reports = append(reports, tcs[0].Handle(now, p.To, pong[0].Msg)...)
		}
		if len(reports) != 2 {
			t.Fatalf("reports %+v", reports)
		}
		for _, r := range reports {
			if r.Msg.Op != msg.TimeCheckReport || r.Msg.Round%2 != 0 {
				t.Fatalf("report %+v", r.Msg)
			}
			tcs[r.To].Handle(now.Add(hop+offset[r.To]), 0, r.Msg)
		}
		return now
	}

	now := round(t0, tcs[0].Lead(t0, 4, []int{0, 1, 2}))
	for _, tc := range tcs {
		st := tc.Status()
		if st.Round != 2 || st.Skews[0] != 0 || st.Skews[1] != 0 || math.Abs(st.Skews[2]-0.185) > 1e-9 ||
			math.Abs(st.Latencies[1]-0.010) > 1e-9 {
			t.Fatalf("rank %d status %+v", tc.rank, st)
		}
	}
	if !tcs[0].HasSkew(tcs[0].Status().Skews[2]) || tcs[0].HasSkew(tcs[0].Status().Skews[1]) {
		t.Fatal("skew judged wrongly")
	}
	if got := tcs[0].NextDeadline().Sub(now); got != cfg.SkewInterval {
		t.Fatalf("next round in %v with a skew, want %v", got, cfg.SkewInterval)
	}
	if out := tcs[0].Tick(now.Add(time.Second)); out != nil {
		t.Fatalf("round before its time: %+v", out)
	}

	// The skew goes away: after a clean round one more check comes soon,
	// then the checks fall back to Interval.
	offset[2] = 0
	at := tcs[0].NextDeadline()
	now = round(at, tcs[0].Tick(at))
	if s := tcs[2].Status().Skews[2]; s != 0 {
		t.Fatalf("skew after the clock was fixed: %v", s)
	}
	if got := tcs[0].NextDeadline().Sub(now); got != cfg.SkewInterval {
		t.Fatalf("check after the first clean round in %v, want %v", got, cfg.SkewInterval)
	}
	// A round schedules the next at its start; one that finds no skew
	// leaves that.
	at = tcs[0].NextDeadline()
	round(at, tcs[0].Tick(at))
	if got := tcs[0].NextDeadline().Sub(at); got != cfg.Interval {
		t.Fatalf("check after clean rounds %v after the last began, want %v", got, cfg.Interval)
	}
}

// TestTimeCheckIgnoresStale: peons drop pings of another election epoch
// or an older round; a leader drops pongs it did not ask for and
// anything not a pong.
func TestTimeCheckIgnoresStale(t *testing.T) {
	now := time.Unix(1000, 0)
	peon := NewTimeCheck(DefaultTimeCheckConfig(), 1)
	peon.Peon(6)
	if out := peon.Handle(now, 0, &msg.TimeCheck2{Op: msg.TimeCheckPing, Epoch: 4, Round: 1}); out != nil {
		t.Fatalf("answered a ping of epoch 4 in epoch 6: %+v", out)
	}
	if out := peon.Handle(now, 0, &msg.TimeCheck2{Op: msg.TimeCheckPing, Epoch: 6, Round: 5}); len(out) != 1 {
		t.Fatalf("no pong: %+v", out)
	}
	if out := peon.Handle(now, 0, &msg.TimeCheck2{Op: msg.TimeCheckPing, Epoch: 6, Round: 3}); out != nil {
		t.Fatalf("answered an older round: %+v", out)
	}
	leader := NewTimeCheck(DefaultTimeCheckConfig(), 0)
	leader.Lead(now, 6, []int{0, 1})
	if out := leader.Handle(now, 1, &msg.TimeCheck2{Op: msg.TimeCheckPing, Epoch: 6, Round: 1}); out != nil {
		t.Fatalf("leader answered a ping: %+v", out)
	}
	if out := leader.Handle(now, 2, &msg.TimeCheck2{Op: msg.TimeCheckPong, Epoch: 6, Round: 1}); out != nil || leader.Status().Round != 1 {
		t.Fatalf("leader took a pong it did not ask for: %+v", out)
	}
	alone := NewTimeCheck(DefaultTimeCheckConfig(), 0)
	if out := alone.Lead(now, 2, []int{0}); out != nil || !alone.NextDeadline().IsZero() {
		t.Fatalf("a quorum of one checks clocks: %+v", out)
	}
}
