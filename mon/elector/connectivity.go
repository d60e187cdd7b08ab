package elector

import (
	"time"

	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// DefaultIgnoreProposeMargin is mon_elector_ignore_propose_margin.
const DefaultIgnoreProposeMargin = 0.0005

// clearLiveElectionState is ElectionLogic::clear_live_election_state:
// no ack given, not electing ourselves, scores frozen anew.
func (e *Elector) clearLiveElectionState() {
	e.leaderAcked = -1
	e.electingMe = false
	e.stable = e.tracker.Clone()
	e.leaderTracker = nil
}

// score is ElectionLogic::connectivity_election_score: -1 for a
// disallowed leader, else the sum of the live scores its peers give it
// in this election's frozen tracker.
func (e *Elector) score(rank int) float64 {
	if e.isDisallowedLeader(rank) {
		return -1
	}
	t := e.stable
	if t == nil {
		t = e.tracker
	}
	s, _ := t.TotalScore(rank)
	return s
}

func (e *Elector) isDisallowedLeader(rank int) bool {
	for _, d := range e.cfg.Disallowed {
		if d == rank {
			return true
		}
	}
	return false
}

// victoryMakesSense is ElectionLogic::victory_makes_sense.
func (e *Elector) victoryMakesSense(from int) bool {
	switch e.cfg.Strategy {
	case msg.StrategyDisallow:
		return from < e.cfg.Rank || e.disallowed(e.cfg.Rank)
	case msg.StrategyConnectivity:
		return e.score(from) >= e.score(e.cfg.Rank)
	}
	return from < e.cfg.Rank
}

// proposeConnectivity is ElectionLogic::propose_connectivity_handler:
// the better candidate is the one with the higher score (not
// disallowed), then the lower rank; and we only switch from a leader we
// acked to a better one if that leader would defer to it too.
func (e *Elector) proposeConnectivity(now time.Time, from int, m Msg) {
	me := e.cfg.Rank
	margin := e.cfg.IgnoreProposeMargin
	if e.epoch%2 == 0 && e.lastWinner != me && !e.isCurrentMember(from) {
		// A peon ignores proposals from outside the quorum unless they
		// would change its vote (against flapping).
		best, bestScore, lastScore := 0, 0.0, 0.0
		for i := 0; i < e.cfg.Size; i++ {
			s := e.score(i)
			if s > bestScore {
				best, bestScore = i, s
			}
			if e.lastVotedFor >= 0 && i == e.lastVotedFor {
				lastScore = s
			}
		}
		if best == e.lastVotedFor || bestScore-lastScore < margin {
			return
		}
	}
	switch {
	case m.Epoch > e.epoch:
		e.bumpEpoch(m.Epoch)
		e.stable = e.tracker.Clone()
		if e.score(me) > e.score(e.leaderAcked) {
			e.leaderAcked = -1
			e.leaderTracker = nil
		}
	case m.Epoch < e.epoch:
		if e.epoch%2 == 0 && !e.isCurrentMember(from) {
			e.start(now)
		}
		return
	}
	myScore, fromScore, leaderScore := e.score(me), e.score(from), -1.0
	if e.leaderAcked >= 0 {
		leaderScore = e.score(e.leaderAcked)
	}
	myWin := myScore >= 0 && ((me < from && myScore >= fromScore) || myScore > fromScore)
	theirWin := fromScore >= 0 && ((from < me && fromScore >= myScore) || fromScore > myScore) &&
		((from <= e.leaderAcked && fromScore >= leaderScore) || fromScore > leaderScore)
	switch {
	case myWin:
		if e.leaderAcked < 0 && !e.electingMe {
			e.start(now)
		}
	case theirWin || from == e.leaderAcked:
		if e.leaderAcked >= 0 && from != e.leaderAcked && e.leaderTracker != nil {
			// Our acked leader must also prefer them, by its own scores.
			lf, _ := e.leaderTracker.TotalScore(from)
			ll, _ := e.leaderTracker.TotalScore(e.leaderAcked)
			if (from < e.leaderAcked && lf >= ll) || lf > ll {
				e.deferTo(now, from)
				e.leaderTracker = m.Stable
				return
			}
			cl, _ := e.tracker.TotalScore(e.leaderAcked)
			cf, _ := e.tracker.TotalScore(from)
			if (from < e.leaderAcked && cf >= cl) || cf > cl {
				// Score disagreement: a new election settles it.
				e.bumpEpoch(e.epoch + 1)
				e.start(now)
			}
			return
		}
		e.deferTo(now, from)
		e.leaderTracker = m.Stable
	}
}
