package paxos

import "testing"

func TestSimStats(t *testing.T) {
	for seed := uint64(100); seed < 104; seed++ {
		s := newSim(t, seed, 3, simConfig())
		s.dropP, s.dupP = 0.02, 0.02
		s.election()
		elections, maxNet, active, cuts, noq := 0, 0, 0, 0, 0
		for range 3000 {
			e := s.epoch
			s.step()
			if s.epoch != e {
				elections++
			}
			maxNet = max(maxNet, len(s.net))
			if s.leader >= 0 && s.nodes[s.leader].px != nil && s.nodes[s.leader].px.State() == StateActive {
				active++
			}
			if s.leader < 0 {
				noq++
			}
			for _, c := range s.cut {
				if c {
					cuts++
				}
			}
		}
		t.Logf("seed %d: elections %d commits %d acked %d proposals %d maxnet %d active %d noquorum %d cutsteps %d", seed, elections, s.commits, len(s.acked), s.nextKey, maxNet, active, noq, cuts)
	}
}
