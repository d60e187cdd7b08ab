package mon

import (
	"errors"
	"fmt"
	"sync"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
)

// globalIDPrealloc is mon_globalid_prealloc: how many global ids the
// leader reserves with one proposal.
const globalIDPrealloc = 10000

// keyMaxGlobalID holds the highest reserved global id.
const keyMaxGlobalID = "max_global_id"

// authMon is AuthMonitor: the entity keys and caps, the rotating service
// secrets and the global id reservations. The key server it loads on
// every commit is shared with the cephx server that authenticates
// connections (it is safe for concurrent use), so a key is usable exactly
// when its change has committed. Each version stores the whole key server
// (KeyServerData) as both the version and the latest full state.
type authMon struct {
	m       *Monitor
	v       versions
	ks      *cephx.KeyServer
	version uint64

	// Changes waiting for the next proposal, applied to a copy of the
	// committed database at encode time.
	pending []func(*cephx.KeyServer) error
	// pendingMaxGID is a new reservation bound to propose, or 0.
	pendingMaxGID uint64

	gidMu   sync.Mutex
	lastGID uint64 // last global id handed out
	maxGID  uint64 // committed reservation bound
	// extending is set while a larger reservation is being proposed.
	extending bool
}

func newAuthMon(m *Monitor) *authMon {
	return &authMon{m: m, v: versions{prefix: "auth", st: m.store}, ks: cephx.NewKeyServer()}
}

func (s *authMon) name() string { return "auth" }

// bootstrapEntities are the keys a new Pacific cluster creates
// (AuthMonitor::create_initial), each with its mon profile.
var bootstrapEntities = []string{"bootstrap-mds", "bootstrap-mgr", "bootstrap-osd",
	"bootstrap-rbd", "bootstrap-rbd-mirror", "bootstrap-rgw"}

// createInitial imports the mkfs keyring, except the monitors' own key
// (mon.), which stays in the monitor's keyring file, and creates the
// bootstrap keys and the first rotating secrets.
func (s *authMon) createInitial() error {
	text, err := s.m.store.Get(mkfsPrefix, mkfsKeyringKey)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var kr *auth.KeyRing
	if len(text) > 0 {
		if kr, err = auth.ParseKeyRing(text); err != nil {
			return fmt.Errorf("mon: mkfs keyring: %w", err)
		}
	}
	s.pending = append(s.pending, func(ks *cephx.KeyServer) error {
		if kr != nil {
			for _, n := range kr.Names() {
				if n.Type == encoding.EntityMon {
					continue
				}
				a, _ := kr.Get(n)
				ks.SetEntity(n, a)
			}
		}
		for _, b := range bootstrapEntities {
			key, err := ks.GenerateSecret()
			if err != nil {
				return err
			}
			ks.SetEntity(encoding.EntityName{Type: encoding.EntityClient, ID: b},
				auth.EntityAuth{Key: key, Caps: auth.Caps{"mon": "allow profile " + b}})
		}
		_, err := ks.Rotate()
		return err
	})
	return nil
}

func (s *authMon) refresh() error {
	last, b, err := s.v.newerFull(s.version)
	if err != nil || last == 0 {
		return err
	}
	if err := s.ks.LoadData(b); err != nil {
		return err
	}
	maxGID, err := store.GetU64(s.m.store, s.v.prefix, keyMaxGlobalID)
	if err != nil {
		return err
	}
	s.version = last
	s.gidMu.Lock()
	s.maxGID = maxGID
	s.extending = false
	s.gidMu.Unlock()
	return nil
}

func (s *authMon) encodePending(tx *store.Transaction) (bool, error) {
	if len(s.pending) == 0 && s.pendingMaxGID == 0 {
		return false, nil
	}
	next := cephx.NewKeyServer()
	var cur encoding.Encoder
	s.ks.EncodeData(&cur)
	if s.version > 0 {
		if err := next.LoadData(cur.Bytes()); err != nil {
			return false, err
		}
	}
	for _, fn := range s.pending {
		if err := fn(next); err != nil {
			return false, err
		}
	}
	s.pending = nil
	var e encoding.Encoder
	next.EncodeData(&e)
	ver := s.version + 1
	s.v.put(tx, ver, e.Bytes())
	s.v.putFull(tx, ver, e.Bytes())
	if err := s.v.putLastCommitted(tx, ver); err != nil {
		return false, err
	}
	if s.pendingMaxGID != 0 {
		tx.PutU64(s.v.prefix, keyMaxGlobalID, s.pendingMaxGID)
		s.pendingMaxGID = 0
	}
	return true, nil
}

// startLeading is called when this monitor becomes leader: global ids are
// handed out from the committed bound on, and a new reservation is made
// (AuthMonitor::on_active / increase_max_global_id).
func (s *authMon) startLeading() {
	s.gidMu.Lock()
	s.lastGID = s.maxGID
	s.extending = true
	s.gidMu.Unlock()
	s.pendingMaxGID = s.maxGID + globalIDPrealloc
	s.m.proposeAndThen(nil)
}

// allocGlobalID hands out the next global id (AuthMonitor::assign_global_id).
// It runs on connection goroutines. When the reservation is used up it
// returns an error, which refuses the connection with EBUSY so the peer
// retries; at half the reservation used it asks the monitor to reserve
// more.
func (s *authMon) allocGlobalID() (uint64, error) {
	s.gidMu.Lock()
	id := uint64(0)
	if s.lastGID < s.maxGID {
		s.lastGID++
		id = s.lastGID
	}
	extend := !s.extending && s.maxGID-s.lastGID < globalIDPrealloc/2
	if extend {
		s.extending = true
	}
	maxGID := s.maxGID
	s.gidMu.Unlock()
	if extend {
		s.m.events <- func() {
			s.pendingMaxGID = max(s.pendingMaxGID, maxGID+globalIDPrealloc)
			s.m.proposeAndThen(nil)
		}
	}
	if id == 0 {
		return 0, errors.New("mon: global ids exhausted, reserving more")
	}
	return id, nil
}

// healthChecks raises AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED while this
// monitor lets clients reclaim global ids insecurely (CVE-2021-20288) and
// mon_warn_on_insecure_global_id_reclaim_allowed is set.
func (s *authMon) healthChecks() map[string]healthCheck {
	o := s.m.opts
	if !o.Auth.AllowInsecureGlobalIDReclaim || o.NoWarnInsecureGlobalIDReclaim {
		return nil
	}
	return map[string]healthCheck{"AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED": {
		Severity: healthWarn,
		Summary:  "mon is allowing insecure global_id reclaim",
		Count:    1,
		Detail:   []string{"mon." + s.m.name + " has auth_allow_insecure_global_id_reclaim set to true"},
	}}
}

// tick rotates the service secrets when due (AuthMonitor::tick and
// KeyServer::prepare_rotating_update), through Paxos like any change.
func (s *authMon) tick() {
	view, err := s.view()
	if err != nil || s.version == 0 {
		return
	}
	if added, err := view.Rotate(); err != nil || !added {
		return
	}
	s.pending = append(s.pending, func(ks *cephx.KeyServer) error {
		_, err := ks.Rotate()
		return err
	})
	s.m.proposeAndThen(nil)
}
