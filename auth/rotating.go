package auth

import (
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// KeyRotateNum is KEY_ROTATE_NUM: a service keeps its previous, current and
// next secret (src/auth/Auth.h).
const KeyRotateNum = 3

// ExpiringCryptoKey is a rotating service secret and when it stops being
// current.
type ExpiringCryptoKey struct {
	Key        CryptoKey
	Expiration encoding.UTime
}

func (k ExpiringCryptoKey) Encode(e *encoding.Encoder) {
	e.U8(1)
	k.Key.Encode(e)
	e.UTime(k.Expiration)
}

func DecodeExpiringCryptoKey(d *encoding.Decoder) ExpiringCryptoKey {
	d.U8() // struct_v
	return ExpiringCryptoKey{Key: DecodeCryptoKey(d), Expiration: d.UTime()}
}

// RotatingSecrets is one service type's generations of secrets, keyed by
// secret_id (which tickets carry), with the highest id handed out so far.
type RotatingSecrets struct {
	Secrets map[uint64]ExpiringCryptoKey
	MaxVer  uint64
}

func (r RotatingSecrets) Encode(e *encoding.Encoder) {
	e.U8(1)
	encoding.Map(e, r.Secrets, encoding.EncU64, func(e *encoding.Encoder, k ExpiringCryptoKey) { k.Encode(e) })
	e.U64(r.MaxVer)
}

func DecodeRotatingSecrets(d *encoding.Decoder) RotatingSecrets {
	d.U8() // struct_v
	var r RotatingSecrets
	// secret_id, struct_v, type, created, len, expiration: 8+1+2+8+2+8.
	r.Secrets = encoding.DecodeMap(d, 29, encoding.DecU64, DecodeExpiringCryptoKey)
	r.MaxVer = d.U64()
	return r
}

// IDs returns the secret ids in ascending order (oldest first).
func (r RotatingSecrets) IDs() []uint64 { return slices.Sorted(maps.Keys(r.Secrets)) }

// Add stores k under the next secret id and drops the oldest secrets beyond
// KeyRotateNum, as RotatingSecrets::add does; it returns the new id.
func (r *RotatingSecrets) Add(k ExpiringCryptoKey) uint64 {
	if r.Secrets == nil {
		r.Secrets = map[uint64]ExpiringCryptoKey{}
	}
	r.MaxVer++
	r.Secrets[r.MaxVer] = k
	for len(r.Secrets) > KeyRotateNum {
		delete(r.Secrets, r.IDs()[0])
	}
	return r.MaxVer
}

// Current is the second-oldest secret (the oldest is "previous").
func (r RotatingSecrets) Current() (uint64, ExpiringCryptoKey, bool) {
	ids := r.IDs()
	if len(ids) < 2 {
		return 0, ExpiringCryptoKey{}, false
	}
	return ids[1], r.Secrets[ids[1]], true
}

// Next is the newest secret.
func (r RotatingSecrets) Next() (uint64, ExpiringCryptoKey, bool) {
	ids := r.IDs()
	if len(ids) == 0 {
		return 0, ExpiringCryptoKey{}, false
	}
	return ids[len(ids)-1], r.Secrets[ids[len(ids)-1]], true
}

// NeedNewSecrets reports whether a rotation is due: fewer than three
// generations, or the current one has expired by now.
func (r RotatingSecrets) NeedNewSecrets(now encoding.UTime) bool {
	if len(r.Secrets) < KeyRotateNum {
		return true
	}
	_, cur, _ := r.Current()
	return !utimeLess(now, cur.Expiration)
}

// Clone returns a deep copy.
func (r RotatingSecrets) Clone() RotatingSecrets {
	return RotatingSecrets{Secrets: maps.Clone(r.Secrets), MaxVer: r.MaxVer}
}

func utimeLess(a, b encoding.UTime) bool {
	return a.Sec < b.Sec || (a.Sec == b.Sec && a.Nsec < b.Nsec)
}
