package elector

import (
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// FuzzElectorStep feeds decoded MMonElection payloads from arbitrary
// peers to an elector: it must never panic, never move its epoch back,
// and only ever address monitors of the monmap.
func FuzzElectorStep(f *testing.F) {
	for _, m := range []Msg{{Op: msg.ElectionOpPropose, Epoch: 3}, {Op: msg.ElectionOpAck, Epoch: 1},
		{Op: msg.ElectionOpVictory, Epoch: 2, Quorum: []int{0, 1}}, {Op: msg.ElectionOpNak, Epoch: 1}} {
		front, _, _ := m.ToMessage().EncodePayload(encoding.FeaturesPacific)
		f.Add(uint8(1), front, false)
	}
	f.Fuzz(func(t *testing.T, from uint8, payload []byte, tick bool) {
		var em msg.MonElection
		em.Hdr.Version = 9
		if em.DecodePayload(encoding.FeaturesPacific, payload, nil, nil) != nil {
			return
		}
		now := time.Unix(100, 0)
		e := New(Config{Rank: 2, Size: 5}, 4)
		e.Start(now)
		before := e.Epoch()
		rd := e.Step(now, int(from%8), FromMessage(&em, encoding.FeaturesPacific))
		if tick {
			rd = e.Tick(now.Add(time.Hour))
		}
		if e.Epoch() < before {
			t.Fatalf("epoch went back from %d to %d", before, e.Epoch())
		}
		for _, env := range rd.Messages {
			if env.To < 0 || env.To >= 5 || env.To == 2 {
				t.Fatalf("message to %d", env.To)
			}
		}
	})
}
