package moncap

import (
	"errors"
	"fmt"

	"github.com/kelp-ceph/kelp/auth"
)

// ErrNoCaps is returned for a peer that authenticated but holds no
// monitor caps; Monitor::ms_handle_authentication leaves such a session
// unauthenticated.
var ErrNoCaps = errors.New("moncap: no mon caps")

// FromCapsInfo turns what authentication learned of a peer into its
// MonCap, as Monitor::ms_handle_authentication does: allow_all (auth none)
// becomes "allow *", otherwise the encoded cap string must decode and
// parse.
func FromCapsInfo(c auth.AuthCapsInfo) (*MonCap, error) {
	if c.AllowAll {
		return AllowAll(), nil
	}
	if len(c.Caps) == 0 {
		return nil, ErrNoCaps
	}
	s, ok := c.CapString()
	if !ok {
		return nil, fmt.Errorf("moncap: corrupt cap data")
	}
	return Parse(s)
}
