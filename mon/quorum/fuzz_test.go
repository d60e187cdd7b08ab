package quorum

import (
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// FuzzSyncRequesterChunk hands a requester arbitrary chunk payloads: a
// malformed transaction is an error, never a panic, and never half
// applied.
func FuzzSyncRequesterChunk(f *testing.F) {
	tx := store.NewTransaction()
	tx.Put("osdmap", "k", []byte("v"))
	f.Add(tx.Marshal(), uint64(0), true)
	f.Add([]byte{2, 1, 0, 0, 0, 0}, uint64(3), false)
	f.Fuzz(func(t *testing.T, chunk []byte, lc uint64, last bool) {
		now := time.Unix(1, 0)
		st := store.NewMem()
		r, _, err := StartSync(now, st, []string{"osdmap"}, 0, lc%2 == 0, nil, DefaultSyncConfig())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Handle(now, 0, &msg.MonSync{Op: msg.SyncOpCookie, Cookie: 7, LastCommitted: lc % 4}); err != nil {
			t.Fatal(err)
		}
		op := msg.SyncOpChunk
		if last {
			op = msg.SyncOpLastChunk
		}
		r.Handle(now, 0, &msg.MonSync{Op: op, Cookie: 7, LastCommitted: lc % 4, ChunkBL: chunk})
	})
}
