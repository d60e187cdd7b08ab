package auth

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
)

// AuthUIDDefault is CEPH_AUTH_UID_DEFAULT, the retired auid that Ceph still
// writes into EntityAuth and AuthTicket encodings.
const AuthUIDDefault = ^uint64(0)

// CompareEntityName orders entity names as Ceph's EntityName::operator<
// does: by type number, then by id. Keyrings and the key server list
// entities in this order (mon., mds.*, osd.*, client.*, mgr.*).
func CompareEntityName(a, b encoding.EntityName) int {
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// Caps maps a service name ("mon", "osd", "mgr", "mds") to its capability
// string, kept verbatim.
type Caps map[string]string

// encodeCaps writes map<string, bufferlist> where each bufferlist is the
// encoded cap string, as EntityAuth does.
func encodeCaps(e *encoding.Encoder, c Caps) {
	e.Count(len(c))
	for _, k := range slices.Sorted(maps.Keys(c)) {
		e.Str(k)
		m := e.BeginLen()
		e.Str(c[k])
		e.EndLen(m)
	}
}

func decodeCaps(d *encoding.Decoder) Caps {
	n := d.Count(8)
	c := make(Caps, n)
	for range n {
		k := d.Str()
		bl := d.Blob()
		if d.Err() != nil {
			return nil
		}
		// An empty bufferlist decodes to no cap; Ceph would fail to decode
		// the string later, so treat it as malformed here.
		sub := encoding.NewDecoder(bl)
		v := sub.Str()
		if sub.Err() != nil {
			d.Fail(encoding.Malformedf("cap %q is not an encoded string", k))
			return nil
		}
		c[k] = v
	}
	return c
}

// EntityAuth is what the key server knows of an entity: its secret and its
// caps per service (src/auth/Auth.h). Encoded with struct_v 2, which
// carries the retired auid.
type EntityAuth struct {
	Key  CryptoKey
	Caps Caps
}

func (a EntityAuth) Encode(e *encoding.Encoder) {
	e.U8(2)
	e.U64(AuthUIDDefault)
	a.Key.Encode(e)
	encodeCaps(e, a.Caps)
}

func DecodeEntityAuth(d *encoding.Decoder) EntityAuth {
	v := d.U8()
	if v >= 2 {
		d.U64() // auid
	}
	var a EntityAuth
	a.Key = DecodeCryptoKey(d)
	a.Caps = decodeCaps(d)
	if v >= 3 {
		// Reef added a pending key; read it so the rest stays aligned.
		DecodeCryptoKey(d)
	}
	return a
}

// AuthCapsInfo carries an entity's caps for one service inside a ticket:
// allow_all, or the encoded cap string (src/auth/Auth.h).
type AuthCapsInfo struct {
	AllowAll bool
	// Caps is the cap string as Ceph stores it: an encoded std::string
	// (u32 length and bytes), or empty when the entity has no caps for the
	// service.
	Caps []byte
}

// CapsInfoFor returns the AuthCapsInfo holding cap string s.
func CapsInfoFor(s string) AuthCapsInfo {
	var e encoding.Encoder
	e.Str(s)
	return AuthCapsInfo{Caps: e.Bytes()}
}

// CapString decodes the cap string inside Caps; ok is false when there is
// none or it does not decode.
func (c AuthCapsInfo) CapString() (s string, ok bool) {
	if len(c.Caps) == 0 {
		return "", false
	}
	d := encoding.NewDecoder(c.Caps)
	s = d.Str()
	return s, d.Err() == nil
}

func (c AuthCapsInfo) Encode(e *encoding.Encoder) {
	e.U8(1)
	e.Bool(c.AllowAll)
	e.Blob(c.Caps)
}

func DecodeAuthCapsInfo(d *encoding.Decoder) AuthCapsInfo {
	d.U8() // struct_v
	var c AuthCapsInfo
	c.AllowAll = d.U8() != 0
	c.Caps = d.BlobCopy()
	return c
}

// AuthTicket is what a cephx ticket certifies: who (name, global_id), when
// (created, expires) and what (caps) (src/auth/Auth.h). renew_after is not
// encoded.
type AuthTicket struct {
	Name       encoding.EntityName
	GlobalID   uint64
	Created    encoding.UTime
	RenewAfter encoding.UTime
	Expires    encoding.UTime
	Caps       AuthCapsInfo
	Flags      uint32
}

// InitTimestamps sets the ticket's lifetime as AuthTicket::init_timestamps:
// it expires ttl after now and should be renewed after half of that.
func (t *AuthTicket) InitTimestamps(now time.Time, ttl time.Duration) {
	t.Created = encoding.UTimeOf(now)
	t.Expires = encoding.UTimeOf(now.Add(ttl))
	t.RenewAfter = encoding.UTimeOf(now.Add(ttl / 2))
}

func (t AuthTicket) Encode(e *encoding.Encoder) {
	e.U8(2)
	e.EntityName(t.Name)
	e.U64(t.GlobalID)
	e.U64(AuthUIDDefault)
	e.UTime(t.Created)
	e.UTime(t.Expires)
	t.Caps.Encode(e)
	e.U32(t.Flags)
}

func DecodeAuthTicket(d *encoding.Decoder) AuthTicket {
	v := d.U8()
	var t AuthTicket
	t.Name = d.EntityName()
	t.GlobalID = d.U64()
	if v >= 2 {
		d.U64() // auid
	}
	t.Created = d.UTime()
	t.Expires = d.UTime()
	t.Caps = DecodeAuthCapsInfo(d)
	t.Flags = d.U32()
	return t
}
