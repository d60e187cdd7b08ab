package quorum

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/mon/paxos"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// SyncConfig holds the sync tunables (Pacific defaults in
// DefaultSyncConfig).
type SyncConfig struct {
	MaxPayloadBytes int           // mon_sync_max_payload_size (1 MiB)
	MaxPayloadKeys  int           // mon_sync_max_payload_keys (2000)
	Timeout         time.Duration // mon_sync_timeout (60s); providers keep cookies twice as long
}

// DefaultSyncConfig returns Pacific's defaults.
func DefaultSyncConfig() SyncConfig {
	return SyncConfig{MaxPayloadBytes: 1 << 20, MaxPayloadKeys: 2000, Timeout: 60 * time.Second}
}

// Store prefix and keys a requester uses to mark a sync in progress
// (Monitor::sync_start), as ceph-mon names them.
const (
	SyncPrefix            = "mon_sync"
	KeyInSync             = "in_sync"
	KeyForceSync          = "force_sync"
	KeyLastCommittedFloor = "last_committed_floor"
	KeyLatestMonmap       = "latest_monmap"
)

// SyncInProgress reports whether a full sync was interrupted (the store
// is partial): the monitor must sync fully again before anything else
// (Monitor::preinit, is_sync_on_going).
func SyncInProgress(st store.Store) (bool, error) {
	ok, err := st.Exists(SyncPrefix, KeyInSync)
	if err != nil {
		return false, err
	}
	if ok {
		return true, nil
	}
	return st.Exists(SyncPrefix, KeyForceSync)
}

// SyncProvider serves store copies to monitors that fell behind
// (Monitor::handle_sync_get_cookie, handle_sync_get_chunk). Targets are
// the prefixes a full sync copies (Monitor::get_sync_targets_names:
// "paxos" and every service's prefixes).
//
// Ceph reads a full sync from one store snapshot. kelp's Store has no
// snapshot that outlives one Iterate call, so each chunk reads the
// store as it is then. That is safe for a monitor store: services write
// immutable numbered versions and overwrite their pointer keys, and the
// requester re-applies every Paxos version from the cookie's version to
// the last one at the end (sync_finish), which brings any key read in a
// newer state to the final state.
type SyncProvider struct {
	st       store.Store
	targets  []string
	cfg      SyncConfig
	sessions map[uint64]*syncSession
	count    uint64
}

type syncSession struct {
	from          int
	lastCommitted uint64
	full          bool
	prefix        int    // index in targets of the next key
	next          string // first key not sent yet in that prefix
	done          bool   // every key of the targets was sent
	lastKey       [2]string
	expire        time.Time
}

// NewSyncProvider serves syncs of st's target prefixes.
func NewSyncProvider(st store.Store, targets []string, cfg SyncConfig) *SyncProvider {
	t := slices.Clone(targets)
	if !slices.Contains(t, paxos.Prefix) {
		t = append(t, paxos.Prefix)
	}
	// A whole-store iterator visits prefixes in byte order.
	slices.Sort(t)
	return &SyncProvider{st: st, targets: slices.Compact(t), cfg: cfg, sessions: map[uint64]*syncSession{}}
}

// Sessions returns the number of open cookies.
func (p *SyncProvider) Sessions() int { return len(p.sessions) }

// Tick forgets cookies idle for twice mon_sync_timeout.
func (p *SyncProvider) Tick(now time.Time) {
	for c, s := range p.sessions {
		if !now.Before(s.expire) {
			delete(p.sessions, c)
		}
	}
}

func (p *SyncProvider) versions() (first, last uint64, err error) {
	if first, err = store.GetU64(p.st, paxos.Prefix, paxos.KeyFirstCommitted); err != nil {
		return
	}
	last, err = store.GetU64(p.st, paxos.Prefix, paxos.KeyLastCommitted)
	return
}

// Handle answers a requester's message from the monitor of rank from;
// the reply goes back on the same connection. electionEpoch makes
// cookies unique across restarts (Ceph: epoch << 24 + a counter);
// synchronizing is whether this monitor is itself syncing (then it
// serves nobody). Messages that are not requests get a nil reply.
func (p *SyncProvider) Handle(now time.Time, from int, m *msg.MonSync, electionEpoch uint32, synchronizing bool) (*msg.MonSync, error) {
	switch m.Op {
	case msg.SyncOpGetCookieFull, msg.SyncOpGetCookieRecent:
		if synchronizing {
			return &msg.MonSync{Op: msg.SyncOpNoCookie}, nil
		}
		_, last, err := p.versions()
		if err != nil {
			return nil, err
		}
		p.count++
		cookie := uint64(electionEpoch)<<24 + p.count
		s := &syncSession{from: from, expire: now.Add(2 * p.cfg.Timeout)}
		if m.Op == msg.SyncOpGetCookieFull {
			s.full = true
			s.lastCommitted = last
		} else {
			s.lastCommitted = m.LastCommitted
		}
		p.sessions[cookie] = s
		return &msg.MonSync{Op: msg.SyncOpCookie, Cookie: cookie, LastCommitted: s.lastCommitted}, nil
	case msg.SyncOpGetChunk:
		return p.getChunk(now, m)
	}
	return nil, nil
}

func (p *SyncProvider) getChunk(now time.Time, m *msg.MonSync) (*msg.MonSync, error) {
	s, ok := p.sessions[m.Cookie]
	if !ok {
		return &msg.MonSync{Op: msg.SyncOpNoCookie, Cookie: m.Cookie}, nil
	}
	s.expire = now.Add(2 * p.cfg.Timeout)
	first, last, err := p.versions()
	if err != nil {
		return nil, err
	}
	if s.lastCommitted < first && first > 1 {
		// The requester fell behind what we keep.
		delete(p.sessions, m.Cookie)
		return &msg.MonSync{Op: msg.SyncOpNoCookie, Cookie: m.Cookie}, nil
	}
	tx := store.NewTransaction()
	bytesLeft, keysLeft := p.cfg.MaxPayloadBytes, p.cfg.MaxPayloadKeys
	for s.lastCommitted < last && bytesLeft > 0 && keysLeft > 0 {
		s.lastCommitted++
		v, err := store.GetVersion(p.st, paxos.Prefix, s.lastCommitted)
		if err != nil {
			return nil, fmt.Errorf("quorum: sync: paxos version %d: %w", s.lastCommitted, err)
		}
		tx.PutVersion(paxos.Prefix, s.lastCommitted, v)
		bytesLeft -= len(v)
		keysLeft--
	}
	reply := &msg.MonSync{Op: msg.SyncOpChunk, Cookie: m.Cookie, LastCommitted: s.lastCommitted}
	if s.full && bytesLeft > 0 && keysLeft > 0 {
		if err := p.chunkKeys(s, tx, bytesLeft, keysLeft); err != nil {
			return nil, err
		}
		reply.LastKey = s.lastKey
	}
	if (!s.full || s.done) && s.lastCommitted >= last {
		reply.Op = msg.SyncOpLastChunk
		delete(p.sessions, m.Cookie)
	}
	reply.ChunkBL = tx.Marshal()
	return reply, nil
}

// chunkKeys adds the next keys of the targets to tx
// (WholeStoreIteratorImpl::get_chunk_tx): at least one, then as many as
// keep the transaction's running byte and key counts under the limits.
func (p *SyncProvider) chunkKeys(s *syncSession, tx *store.Transaction, maxBytes, maxKeys int) error {
	for !s.done {
		prefix := p.targets[s.prefix]
		full := false
		err := p.st.Iterate(prefix, s.next, func(k string, v []byte) bool {
			if !tx.Empty() && (tx.Bytes+uint64(len(v)+len(k)+len(prefix)) >= uint64(maxBytes) || tx.Keys >= uint64(maxKeys)) {
				s.next, full = k, true
				return false
			}
			one := store.NewTransaction()
			one.Put(prefix, k, slices.Clone(v))
			tx.Append(one)
			return true
		})
		if err != nil {
			return err
		}
		if full {
			s.lastKey = [2]string{prefix, s.next}
			return nil
		}
		s.prefix++
		s.next = ""
		if s.prefix == len(p.targets) {
			s.done = true
		}
	}
	return nil
}

// SyncEnvelope is a sync request for the provider of rank To.
type SyncEnvelope struct {
	To  int
	Msg *msg.MonSync
}

// SyncResult is what one requester call produced.
type SyncResult struct {
	Messages []SyncEnvelope
	// Done: the store is synced up to LastCommitted. Reload Paxos
	// (paxos.New on the store) and probe again (Monitor::sync_finish).
	Done          bool
	LastCommitted uint64
	// Failed: the provider has no cookie for us or went silent; probe
	// again (Monitor::sync_timeout, handle_sync_no_cookie).
	Failed bool
}

// SyncRequester copies a provider's store into ours (Monitor::sync_start,
// handle_sync_cookie, handle_sync_chunk, sync_finish).
type SyncRequester struct {
	st       store.Store
	cfg      SyncConfig
	provider int
	full     bool
	cookie   uint64
	start    uint64 // the provider's version when the cookie was made
	expire   time.Time
	done     bool
}

// ErrSyncDone is returned by calls on a finished requester.
var ErrSyncDone = errors.New("quorum: sync already finished")

// StartSync starts syncing st from the monitor of rank provider. A full
// sync first marks the store as syncing (prefix "mon_sync"; stashMonmap,
// if not nil, is kept there as Ceph keeps the latest monmap) and clears
// the targets; a recent sync only fetches the Paxos versions after ours.
func StartSync(now time.Time, st store.Store, targets []string, provider int, full bool, stashMonmap []byte, cfg SyncConfig) (*SyncRequester, SyncResult, error) {
	r := &SyncRequester{st: st, cfg: cfg, provider: provider, full: full}
	lc, err := store.GetU64(st, paxos.Prefix, paxos.KeyLastCommitted)
	if err != nil {
		return nil, SyncResult{}, err
	}
	req := &msg.MonSync{Op: msg.SyncOpGetCookieRecent, LastCommitted: lc}
	if full {
		floor, err := store.GetU64(st, SyncPrefix, KeyLastCommittedFloor)
		if err != nil {
			return nil, SyncResult{}, err
		}
		t := store.NewTransaction()
		if stashMonmap != nil {
			t.Put(SyncPrefix, KeyLatestMonmap, stashMonmap)
		}
		t.PutU64(SyncPrefix, KeyInSync, 1)
		t.PutU64(SyncPrefix, KeyLastCommittedFloor, max(floor, lc))
		if err := st.Apply(t); err != nil {
			return nil, SyncResult{}, err
		}
		clear := slices.Clone(targets)
		if !slices.Contains(clear, paxos.Prefix) {
			clear = append(clear, paxos.Prefix)
		}
		if err := st.ClearPrefixes(clear...); err != nil {
			return nil, SyncResult{}, err
		}
		req = &msg.MonSync{Op: msg.SyncOpGetCookieFull}
	}
	r.expire = now.Add(cfg.Timeout)
	return r, SyncResult{Messages: []SyncEnvelope{{To: provider, Msg: req}}}, nil
}

// Provider is the rank synced from.
func (r *SyncRequester) Provider() int { return r.provider }

// NextDeadline is when Tick must be called.
func (r *SyncRequester) NextDeadline() time.Time { return r.expire }

// Tick fails the sync when the provider stayed silent for
// mon_sync_timeout.
func (r *SyncRequester) Tick(now time.Time) SyncResult {
	if r.done || now.Before(r.expire) {
		return SyncResult{}
	}
	r.done = true
	return SyncResult{Failed: true}
}

// Handle reads a provider's reply from the monitor of rank from.
func (r *SyncRequester) Handle(now time.Time, from int, m *msg.MonSync) (SyncResult, error) {
	if r.done {
		return SyncResult{}, ErrSyncDone
	}
	if from != r.provider {
		return SyncResult{}, nil
	}
	switch m.Op {
	case msg.SyncOpCookie:
		if r.cookie != 0 {
			return SyncResult{}, nil
		}
		r.cookie, r.start = m.Cookie, m.LastCommitted
		r.expire = now.Add(r.cfg.Timeout)
		return r.nextChunk(), nil
	case msg.SyncOpChunk, msg.SyncOpLastChunk:
		if m.Cookie != r.cookie || r.cookie == 0 {
			return SyncResult{}, nil
		}
		if err := r.applyChunk(m); err != nil {
			return SyncResult{}, err
		}
		if m.Op == msg.SyncOpChunk {
			r.expire = now.Add(r.cfg.Timeout)
			return r.nextChunk(), nil
		}
		if err := r.finish(m.LastCommitted); err != nil {
			return SyncResult{}, err
		}
		r.done = true
		return SyncResult{Done: true, LastCommitted: m.LastCommitted}, nil
	case msg.SyncOpNoCookie:
		r.done = true
		return SyncResult{Failed: true}, nil
	}
	return SyncResult{}, nil
}

func (r *SyncRequester) nextChunk() SyncResult {
	return SyncResult{Messages: []SyncEnvelope{{To: r.provider, Msg: &msg.MonSync{Op: msg.SyncOpGetChunk, Cookie: r.cookie}}}}
}

func (r *SyncRequester) applyChunk(m *msg.MonSync) error {
	tx, err := store.UnmarshalTransaction(m.ChunkBL)
	if err != nil {
		return fmt.Errorf("quorum: sync chunk: %w", err)
	}
	if err := tx.Validate(); err != nil {
		return fmt.Errorf("quorum: sync chunk: %w", err)
	}
	if err := r.st.Apply(tx); err != nil {
		return err
	}
	if r.full {
		return nil
	}
	// A recent sync applies the Paxos versions as they come.
	lc, err := store.GetU64(r.st, paxos.Prefix, paxos.KeyLastCommitted)
	if err != nil {
		return err
	}
	return r.applyVersions(lc+1, m.LastCommitted)
}

// applyVersions applies the stored Paxos values first..last and sets
// last_committed (Paxos::read_and_prepare_transactions).
func (r *SyncRequester) applyVersions(first, last uint64) error {
	t := store.NewTransaction()
	for v := first; v <= last; v++ {
		b, err := store.GetVersion(r.st, paxos.Prefix, v)
		if err != nil {
			return fmt.Errorf("quorum: sync: paxos version %d: %w", v, err)
		}
		tx, err := store.UnmarshalTransaction(b)
		if err != nil {
			return fmt.Errorf("quorum: sync: paxos version %d: %w", v, err)
		}
		t.Append(tx)
	}
	t.PutU64(paxos.Prefix, paxos.KeyLastCommitted, last)
	if err := t.Validate(); err != nil {
		return err
	}
	return r.st.Apply(t)
}

func (r *SyncRequester) finish(last uint64) error {
	if r.full {
		first := max(r.start, 1)
		if err := r.applyVersions(first, last); err != nil {
			return err
		}
	}
	t := store.NewTransaction()
	t.Erase(SyncPrefix, KeyInSync)
	t.Erase(SyncPrefix, KeyForceSync)
	t.Erase(SyncPrefix, KeyLastCommittedFloor)
	return r.st.Apply(t)
}
