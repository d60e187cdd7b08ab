package quorum

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

var syncTargets = []string{"auth", "logm", "monmap", "osdmap", paxos.Prefix}

// commit applies tx to st as a Paxos commit would: the value as the next
// version, last_committed, and tx itself.
func commit(t testing.TB, st store.Store, tx *store.Transaction) uint64 {
	t.Helper()
	lc, _ := store.GetU64(st, paxos.Prefix, paxos.KeyLastCommitted)
	v := lc + 1
	w := store.NewTransaction()
	w.PutVersion(paxos.Prefix, v, tx.Marshal())
	w.PutU64(paxos.Prefix, paxos.KeyLastCommitted, v)
	if v == 1 {
		w.PutU64(paxos.Prefix, paxos.KeyFirstCommitted, 1)
	}
	w.Append(tx)
	if err := st.Apply(w); err != nil {
		t.Fatal(err)
	}
	return v
}

// randomCommit writes a few keys of the service prefixes, some large.
func randomCommit(t testing.TB, rng *rand.Rand, st store.Store, n int) {
	tx := store.NewTransaction()
	for range n {
		p := syncTargets[rng.IntN(4)]
		val := make([]byte, 1+rng.IntN(400))
		for i := range val {
			val[i] = byte(rng.Uint32())
		}
		tx.Put(p, fmt.Sprintf("key%06d", rng.IntN(100000)), val)
	}
	if rng.IntN(5) == 0 {
		tx.Erase(syncTargets[rng.IntN(4)], fmt.Sprintf("key%06d", rng.IntN(100000)))
	}
	commit(t, st, tx)
}

func dumpPrefixes(st store.Store, prefixes ...string) string {
	var b bytes.Buffer
	for _, p := range prefixes {
		st.Iterate(p, "", func(k string, v []byte) bool {
			fmt.Fprintf(&b, "%s/%s=%x\n", p, k, v)
			return true
		})
	}
	return b.String()
}

// syncPair runs a requester against a provider over an encoded channel;
// between messages, during(i) may change the provider's store.
func syncPair(t testing.TB, prov, req store.Store, full bool, cfg SyncConfig, during func(i int)) (SyncResult, int) {
	t.Helper()
	now := time.Unix(1700000000, 0)
	p := NewSyncProvider(prov, syncTargets, cfg)
	r, res, err := StartSync(now, req, syncTargets, 0, full, []byte("monmap-bytes"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if full {
		if ok, _ := SyncInProgress(req); !ok {
			t.Fatal("full sync not marked in progress")
		}
	}
	roundTrip := func(m *msg.MonSync) *msg.MonSync {
		front, _, _ := m.EncodePayload(encoding.FeaturesPacific)
		var d msg.MonSync
		d.Hdr.Version = 2
		if err := d.DecodePayload(encoding.FeaturesPacific, front, nil, nil); err != nil {
			t.Fatal(err)
		}
		return &d
	}
	chunks := 0
	for i := 0; ; i++ {
		if res.Done || res.Failed {
			return res, chunks
		}
		if len(res.Messages) != 1 || res.Messages[0].To != 0 {
			t.Fatalf("requester sent %+v", res.Messages)
		}
		if during != nil {
			during(i)
		}
		reply, err := p.Handle(now, 1, roundTrip(res.Messages[0].Msg), 12, false)
		if err != nil {
			t.Fatal(err)
		}
		if reply.Op == msg.SyncOpChunk || reply.Op == msg.SyncOpLastChunk {
			chunks++
			if len(reply.ChunkBL) > cfg.MaxPayloadBytes+8192 {
				t.Fatalf("chunk of %d bytes over a limit of %d", len(reply.ChunkBL), cfg.MaxPayloadBytes)
			}
		}
		if res, err = r.Handle(now, 0, roundTrip(reply)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFullSync: a new monitor copies thousands of keys in chunks and
// ends byte-identical in the synced prefixes; other prefixes stay out.
func TestFullSync(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	prov, req := store.NewMem(), store.NewMem()
	for range 600 {
		randomCommit(t, rng, prov, 8)
	}
	other := store.NewTransaction()
	other.Put("not_synced", "x", []byte("y"))
	prov.Apply(other)
	stale := store.NewTransaction()
	stale.Put("osdmap", "stale-key", []byte("gone after a full sync"))
	req.Apply(stale)
	cfg := SyncConfig{MaxPayloadBytes: 64 << 10, MaxPayloadKeys: 500, Timeout: time.Minute}
	res, chunks := syncPair(t, prov, req, true, cfg, nil)
	if !res.Done || res.LastCommitted != 600 {
		t.Fatalf("result %+v", res)
	}
	if chunks < 10 {
		t.Errorf("only %d chunks", chunks)
	}
	if want, got := dumpPrefixes(prov, syncTargets...), dumpPrefixes(req, syncTargets...); want != got {
		t.Fatalf("stores differ after sync (%d vs %d bytes of dump)", len(want), len(got))
	}
	if n := len(dumpPrefixes(req, "auth", "logm", "osdmap")); n < 1000 {
		t.Fatalf("suspiciously little synced: %d", n)
	}
	if dumpPrefixes(req, "not_synced") != "" {
		t.Error("a prefix outside the targets was synced")
	}
	if ok, _ := SyncInProgress(req); ok {
		t.Error("sync still marked in progress")
	}
	// The synced store is a Paxos store at the provider's version.
	px, err := paxos.New(paxos.DefaultConfig(), req, 1)
	if err != nil || px.LastCommitted() != 600 || px.FirstCommitted() != 1 {
		t.Fatalf("paxos on the synced store: %v lc %d", err, px.LastCommitted())
	}
}

// TestFullSyncWhileCommitting: the provider keeps committing during the
// sync; the requester ends at the last version it was told about, with
// the state of that version.
func TestFullSyncWhileCommitting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	prov, req := store.NewMem(), store.NewMem()
	for range 300 {
		randomCommit(t, rng, prov, 8)
	}
	cfg := SyncConfig{MaxPayloadBytes: 32 << 10, MaxPayloadKeys: 300, Timeout: time.Minute}
	res, _ := syncPair(t, prov, req, true, cfg, func(i int) {
		if i%3 == 1 {
			randomCommit(t, rng, prov, 8)
		}
	})
	if !res.Done {
		t.Fatalf("result %+v", res)
	}
	lc, _ := store.GetU64(prov, paxos.Prefix, paxos.KeyLastCommitted)
	if res.LastCommitted != lc {
		t.Fatalf("synced to %d, provider at %d", res.LastCommitted, lc)
	}
	if want, got := dumpPrefixes(prov, syncTargets...), dumpPrefixes(req, syncTargets...); want != got {
		t.Fatal("stores differ after a sync during commits")
	}
}

// TestRecentSync: a monitor that missed some versions fetches and
// applies only those.
func TestRecentSync(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	prov, req := store.NewMem(), store.NewMem()
	for i := range 400 {
		randomCommit(t, rng, prov, 6)
		if i == 99 {
			// req has the first 100 versions.
			prov.Iterate(paxos.Prefix, "", func(string, []byte) bool { return true })
			for v := uint64(1); v <= 100; v++ {
				b, _ := store.GetVersion(prov, paxos.Prefix, v)
				tx, _ := store.UnmarshalTransaction(b)
				commit(t, req, tx)
			}
		}
	}
	cfg := SyncConfig{MaxPayloadBytes: 16 << 10, MaxPayloadKeys: 50, Timeout: time.Minute}
	res, chunks := syncPair(t, prov, req, false, cfg, nil)
	if !res.Done || res.LastCommitted != 400 || chunks < 2 {
		t.Fatalf("result %+v after %d chunks", res, chunks)
	}
	if want, got := dumpPrefixes(prov, syncTargets...), dumpPrefixes(req, syncTargets...); want != got {
		t.Fatal("stores differ after a recent sync")
	}
}

func TestSyncNoCookieAndTimeout(t *testing.T) {
	now := time.Unix(1, 0)
	st := store.NewMem()
	p := NewSyncProvider(st, syncTargets, DefaultSyncConfig())
	if r, _ := p.Handle(now, 1, &msg.MonSync{Op: msg.SyncOpGetChunk, Cookie: 99}, 2, false); r.Op != msg.SyncOpNoCookie {
		t.Fatalf("unknown cookie: %v", r)
	}
	if r, _ := p.Handle(now, 1, &msg.MonSync{Op: msg.SyncOpGetCookieFull}, 2, true); r.Op != msg.SyncOpNoCookie {
		t.Fatalf("syncing provider: %v", r)
	}
	r, _ := p.Handle(now, 1, &msg.MonSync{Op: msg.SyncOpGetCookieFull}, 12, false)
	if r.Op != msg.SyncOpCookie || r.Cookie != 12<<24+1 {
		t.Fatalf("cookie %v (Ceph: epoch<<24 + count)", r)
	}
	p.Tick(now.Add(3 * time.Minute))
	if p.Sessions() != 0 {
		t.Fatal("idle cookie kept")
	}
	req, res, _ := StartSync(now, store.NewMem(), syncTargets, 0, false, nil, DefaultSyncConfig())
	if res.Messages[0].Msg.Op != msg.SyncOpGetCookieRecent {
		t.Fatal(res)
	}
	if res := req.Tick(now.Add(time.Minute)); !res.Failed {
		t.Fatal("no timeout")
	}
	req, _, _ = StartSync(now, store.NewMem(), syncTargets, 0, false, nil, DefaultSyncConfig())
	if res, _ := req.Handle(now, 0, &msg.MonSync{Op: msg.SyncOpNoCookie}); !res.Failed {
		t.Fatal("no_cookie did not fail the sync")
	}
}

// BenchmarkFullSync measures a full sync of about 5000 keys (600
// versions) with Ceph's default chunk limits, in memory.
func BenchmarkFullSync(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	prov := store.NewMem()
	for range 600 {
		randomCommit(b, rng, prov, 8)
	}
	keys, bytes := 0, 0
	for _, p := range syncTargets {
		prov.Iterate(p, "", func(k string, v []byte) bool {
			keys++
			bytes += len(k) + len(v)
			return true
		})
	}
	for b.Loop() {
		res, _ := syncPair(b, prov, store.NewMem(), true, DefaultSyncConfig(), nil)
		if !res.Done {
			b.Fatal("sync failed")
		}
	}
	b.ReportMetric(float64(keys), "keys/op")
	b.SetBytes(int64(bytes))
}
