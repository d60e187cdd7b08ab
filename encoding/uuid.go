package encoding

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// UUID is Ceph's uuid_d: 16 raw bytes on the wire, in the order the text
// form reads (the fsid, an OSD's uuid).
type UUID [16]byte

// NewUUID returns a random (version 4) UUID.
func NewUUID() UUID {
	var u UUID
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// ParseUUID parses the 36-character text form.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("encoding: bad uuid %q", s)
	}
	hexs := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(u[:], []byte(hexs)); err != nil {
		return u, fmt.Errorf("encoding: bad uuid %q", s)
	}
	return u, nil
}

func (u UUID) String() string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// IsZero reports whether u is all zeros (uuid_d's is_zero).
func (u UUID) IsZero() bool { return u == UUID{} }

func (e *Encoder) UUID(u UUID) { e.Raw(u[:]) }

func (d *Decoder) UUID() UUID {
	var u UUID
	copy(u[:], d.Raw(16))
	return u
}
