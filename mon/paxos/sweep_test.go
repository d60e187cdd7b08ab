package paxos

import (
	"os"
	"strconv"
	"testing"
)

// TestSimSweep is TestSimRandomized at scale, for bug hunts:
// KELP_PAXOS_SWEEP=N runs N seeds of 5000 steps.
func TestSimSweep(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("KELP_PAXOS_SWEEP"))
	if n == 0 {
		t.Skip("set KELP_PAXOS_SWEEP=N to run N long schedules")
	}
	total := 0
	for seed := range uint64(n) {
		s := newSim(t, seed+10000, []int{3, 5, 2, 4, 1}[seed%5], simConfig())
		s.dropP, s.dupP = []float64{0, 0.02, 0.1, 0.3}[seed%4], []float64{0, 0.02, 0.1}[seed%3]
		s.election()
		for range 5000 {
			s.step()
		}
		s.settle()
		total += s.commits
	}
	t.Logf("%d versions committed across %d schedules", total, n)
}
