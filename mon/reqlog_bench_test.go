package mon

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/auth/moncap"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// BenchmarkProposeWrites: 16 config-key sets from 16 sessions in one
// proposal, applied to a LevelDB store without fsync (the CPU side of a
// batched commit), with the request log recording them and without (the
// sessions have no global id).
func BenchmarkProposeWrites(b *testing.B) {
	for _, logged := range []bool{false, true} {
		b.Run(fmt.Sprintf("reqlog=%v", logged), func(b *testing.B) {
			st, err := store.OpenLevelDB(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			m := newMonitor("a", st, nil)
			m.cons = &applyNow{m}
			if err := m.refreshAll(); err != nil {
				b.Fatal(err)
			}
			var sess []*Session
			for i := range 16 {
				s := client(uint64(5000 + i))
				// As a client that just connected: a new global id.
				s.authInfo = &cephx.PeerInfo{GlobalIDStatus: cephx.GlobalIDNewOK}
				s.caps = moncap.AllowAll()
				if !logged {
					s.GlobalID = 0
				}
				sess = append(sess, s)
			}
			tid := uint64(0)
			for b.Loop() {
				tid++
				for i, s := range sess {
					js, _ := json.Marshal(cmd("config-key set", "key", fmt.Sprint("k", i), "val", fmt.Sprint(tid)))
					mg := &msg.MonCommand{Cmd: []string{string(js)}}
					mg.Hdr.Tid = tid
					m.handleCommandVia(s, mg, func(msgr2.Message) {})
				}
				m.maybePropose()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*16), "ns/write")
		})
	}
}
