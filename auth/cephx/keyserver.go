package cephx

import (
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/encoding"
)

// Default ticket lifetimes of Ceph 16.2 (auth_mon_ticket_ttl,
// auth_service_ticket_ttl).
const (
	DefaultMonTicketTTL     = 72 * time.Hour
	DefaultServiceTicketTTL = time.Hour
)

// RotatingServices are the service types whose secrets the key server
// rotates, in the order KeyServer::prepare_rotating_update rotates them.
var RotatingServices = []encoding.EntityType{
	encoding.EntityAuth, encoding.EntityMon, encoding.EntityOSD, encoding.EntityMDS, encoding.EntityMgr,
}

// KeyServer is the monitor's database of entity keys and caps plus the
// rotating secrets of each service type (CephxKeyServer). It is safe for
// concurrent use. Persisting it (through Paxos in a real monitor) is the
// caller's business: EncodeData/DecodeKeyServerData give the bytes.
type KeyServer struct {
	mu          sync.Mutex
	version     uint64
	entities    map[encoding.EntityName]auth.EntityAuth
	rotatingVer uint64
	rotating    map[encoding.EntityType]*auth.RotatingSecrets

	// Extra holds keys outside the database, as the monitor's own keyring
	// (mon.) is; looked up when an entity is not in the database.
	Extra *auth.KeyRing

	MonTicketTTL     time.Duration
	ServiceTicketTTL time.Duration
	Now              func() time.Time
	Rand             io.Reader
}

// NewKeyServer returns an empty key server with Ceph's default TTLs, the
// system clock and crypto/rand.
func NewKeyServer() *KeyServer {
	return &KeyServer{
		entities:         map[encoding.EntityName]auth.EntityAuth{},
		rotating:         map[encoding.EntityType]*auth.RotatingSecrets{},
		MonTicketTTL:     DefaultMonTicketTTL,
		ServiceTicketTTL: DefaultServiceTicketTTL,
		Now:              time.Now,
		Rand:             rand.Reader,
	}
}

func (k *KeyServer) ttl(service encoding.EntityType) time.Duration {
	if service == encoding.EntityAuth {
		return k.MonTicketTTL
	}
	return k.ServiceTicketTTL
}

// GenerateSecret makes a fresh AES key stamped with the key server's clock.
func (k *KeyServer) GenerateSecret() (auth.CryptoKey, error) {
	return auth.GenerateKey(k.Rand, k.Now())
}

// SetEntity adds or replaces an entity.
func (k *KeyServer) SetEntity(name encoding.EntityName, a auth.EntityAuth) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.entities[name] = a
	k.version++
}

// RemoveEntity deletes an entity; it reports whether it existed.
func (k *KeyServer) RemoveEntity(name encoding.EntityName) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.entities[name]
	delete(k.entities, name)
	if ok {
		k.version++
	}
	return ok
}

// ImportKeyRing adds every entry of kr.
func (k *KeyServer) ImportKeyRing(kr *auth.KeyRing) {
	for _, n := range kr.Names() {
		a, _ := kr.Get(n)
		k.SetEntity(n, a)
	}
}

// Entity returns an entity's key and caps, from the database or Extra.
func (k *KeyServer) Entity(name encoding.EntityName) (auth.EntityAuth, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.entityLocked(name)
}

func (k *KeyServer) entityLocked(name encoding.EntityName) (auth.EntityAuth, bool) {
	if a, ok := k.entities[name]; ok {
		return a, true
	}
	if k.Extra != nil {
		return k.Extra.Get(name)
	}
	return auth.EntityAuth{}, false
}

// Names lists the database's entities in Ceph's order.
func (k *KeyServer) Names() []encoding.EntityName {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.SortedFunc(maps.Keys(k.entities), auth.CompareEntityName)
}

// Secret implements KeyStore.
func (k *KeyServer) Secret(name encoding.EntityName) (auth.CryptoKey, bool) {
	a, ok := k.Entity(name)
	return a.Key, ok
}

// ServiceSecret implements KeyStore: the rotating secret secretID of a
// service type.
func (k *KeyServer) ServiceSecret(service encoding.EntityType, secretID uint64) (auth.CryptoKey, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	r := k.rotating[service]
	if r == nil {
		return auth.CryptoKey{}, false
	}
	s, ok := r.Secrets[secretID]
	return s.Key, ok
}

// Caps returns an entity's caps for one service (KeyServerData::get_caps):
// ok is false only when the entity is unknown.
func (k *KeyServer) Caps(name encoding.EntityName, service string) (auth.AuthCapsInfo, bool) {
	a, ok := k.Entity(name)
	if !ok {
		return auth.AuthCapsInfo{}, false
	}
	if c, ok := a.Caps[service]; ok {
		return auth.CapsInfoFor(c), true
	}
	return auth.AuthCapsInfo{}, true
}

// Rotate adds secrets where a service needs them, on Ceph's schedule
// (KeyServer::_rotate_secret): a service keeps three generations; the
// first one made expires now+ttl, each later one ttl after the later of
// now+ttl and the newest's expiry; a rotation is due when fewer than three
// exist or the current one has expired. It reports whether anything was
// added (then the rotating secrets must be persisted and, in Ceph,
// proposed through Paxos).
func (k *KeyServer) Rotate() (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.Now()
	added := false
	for _, svc := range RotatingServices {
		r := k.rotating[svc]
		if r == nil {
			r = &auth.RotatingSecrets{}
			k.rotating[svc] = r
		}
		ttl := k.ttl(svc)
		for r.NeedNewSecrets(encoding.UTimeOf(now)) {
			key, err := auth.GenerateKey(k.Rand, now)
			if err != nil {
				return added, err
			}
			exp := now
			if len(r.Secrets) > 0 {
				exp = now.Add(ttl)
				if _, next, _ := r.Next(); next.Expiration.Time().After(exp) {
					exp = next.Expiration.Time()
				}
			}
			r.Add(auth.ExpiringCryptoKey{Key: key, Expiration: encoding.UTimeOf(exp.Add(ttl))})
			added = true
		}
	}
	if added {
		k.rotatingVer++
	}
	return added, nil
}

// RotatingSecrets returns a copy of a service type's secrets.
func (k *KeyServer) RotatingSecrets(service encoding.EntityType) (auth.RotatingSecrets, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	r := k.rotating[service]
	if r == nil {
		return auth.RotatingSecrets{}, false
	}
	return r.Clone(), true
}

// ticketSecret picks the secret to seal a new ticket for service with
// (KeyServerData::get_service_secret): the second-oldest ("current")
// unless it has expired, then the next one; and the ticket TTL, capped by
// the newest secret's expiry.
func (k *KeyServer) ticketSecret(service encoding.EntityType) (uint64, auth.CryptoKey, time.Duration, bool) {
	r := k.rotating[service]
	if r == nil || len(r.Secrets) == 0 {
		return 0, auth.CryptoKey{}, 0, false
	}
	ids := r.IDs()
	i := 0
	if len(ids) > 1 {
		i = 1
	}
	now := k.Now()
	if r.Secrets[ids[i]].Expiration.Time().Before(now) && i+1 < len(ids) {
		i++
	}
	ttl := k.ttl(service)
	if limit := r.Secrets[ids[len(ids)-1]].Expiration.Time().Sub(now); limit < ttl {
		ttl = limit
	}
	return ids[i], r.Secrets[ids[i]].Key, ttl, true
}

// BuildSessionAuthInfo prepares a ticket for service on behalf of the
// holder of parent (KeyServer::build_session_auth_info): a fresh session
// key, the parent's identity, the holder's caps for that service and the
// current rotating secret to seal it with.
func (k *KeyServer) BuildSessionAuthInfo(service encoding.EntityType, parent auth.AuthTicket) (SessionAuthInfo, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	id, secret, ttl, ok := k.ticketSecret(service)
	if !ok {
		return SessionAuthInfo{}, refuse(EACCES, "no rotating secret for %s", service)
	}
	return k.sessionInfoLocked(service, parent, id, secret, ttl)
}

func (k *KeyServer) sessionInfoLocked(service encoding.EntityType, parent auth.AuthTicket, id uint64, secret auth.CryptoKey, ttl time.Duration) (SessionAuthInfo, error) {
	info := SessionAuthInfo{ServiceID: service, SecretID: id, ServiceSecret: secret, Ticket: parent, Validity: ttl}
	info.Ticket.InitTimestamps(k.Now(), ttl)
	sk, err := auth.GenerateKey(k.Rand, k.Now())
	if err != nil {
		return SessionAuthInfo{}, err
	}
	info.SessionKey = sk
	// Monitor tickets carry no caps: the monitor reads them from its
	// database when the session authenticates.
	if service != encoding.EntityMon {
		a, ok := k.entityLocked(parent.Name)
		if !ok {
			return SessionAuthInfo{}, refuse(EINVAL, "no entity %s", parent.Name)
		}
		info.Ticket.Caps = auth.AuthCapsInfo{}
		if c, ok := a.Caps[service.String()]; ok {
			info.Ticket.Caps = auth.CapsInfoFor(c)
		}
	}
	return info, nil
}

// RotatingEncrypted seals the rotating secrets of name's type with name's
// key (KeyServer::get_rotating_encrypted), the body of a
// CEPHX_GET_ROTATING_KEY reply.
func (k *KeyServer) RotatingEncrypted(e *encoding.Encoder, name encoding.EntityName) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	a, ok := k.entities[name]
	if !ok {
		return refuse(EACCES, "no entity %s", name)
	}
	r := k.rotating[name.Type]
	if r == nil {
		return refuse(EACCES, "no rotating secrets for %s", name.Type)
	}
	return seal(e, a.Key, r.Encode)
}

// EncodeData appends the whole database as KeyServerData::encode does
// (the monitor's stored form): version, rotating version, entities and
// rotating secrets.
func (k *KeyServer) EncodeData(e *encoding.Encoder) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e.U8(1)
	e.U64(k.version)
	e.U64(k.rotatingVer)
	names := slices.SortedFunc(maps.Keys(k.entities), auth.CompareEntityName)
	e.Count(len(names))
	for _, n := range names {
		e.EntityName(n)
		k.entities[n].Encode(e)
	}
	k.encodeRotatingMapLocked(e)
}

// EncodeRotating appends the rotating secrets alone
// (KeyServerData::encode_rotating).
func (k *KeyServer) EncodeRotating(e *encoding.Encoder) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e.U8(1)
	e.U64(k.rotatingVer)
	k.encodeRotatingMapLocked(e)
}

func (k *KeyServer) encodeRotatingMapLocked(e *encoding.Encoder) {
	svcs := slices.Sorted(maps.Keys(k.rotating))
	e.Count(len(svcs))
	for _, s := range svcs {
		e.U32(uint32(s))
		k.rotating[s].Encode(e)
	}
}

func decodeRotatingMap(d *encoding.Decoder) map[encoding.EntityType]*auth.RotatingSecrets {
	n := d.Count(17)
	m := make(map[encoding.EntityType]*auth.RotatingSecrets, n)
	for range n {
		s := encoding.EntityType(d.U32())
		r := auth.DecodeRotatingSecrets(d)
		if d.Err() != nil {
			return nil
		}
		m[s] = &r
	}
	return m
}

// LoadData replaces the database with one EncodeData wrote.
func (k *KeyServer) LoadData(b []byte) error {
	d := encoding.NewDecoder(b)
	d.U8()
	version := d.U64()
	rver := d.U64()
	n := d.Count(37)
	ents := make(map[encoding.EntityName]auth.EntityAuth, n)
	for range n {
		name := d.EntityName()
		a := auth.DecodeEntityAuth(d)
		if d.Err() != nil {
			break
		}
		ents[name] = a
	}
	rot := decodeRotatingMap(d)
	if err := d.Done(); err != nil {
		return fmt.Errorf("cephx: key server data: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.version, k.rotatingVer, k.entities, k.rotating = version, rver, ents, rot
	return nil
}

// LoadRotating replaces the rotating secrets with ones EncodeRotating
// wrote.
func (k *KeyServer) LoadRotating(b []byte) error {
	d := encoding.NewDecoder(b)
	d.U8()
	rver := d.U64()
	rot := decodeRotatingMap(d)
	if err := d.Done(); err != nil {
		return fmt.Errorf("cephx: rotating secrets: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rotatingVer, k.rotating = rver, rot
	return nil
}
