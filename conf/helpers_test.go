package conf

import (
	"net/netip"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func mustName(t *testing.T, s string) encoding.EntityName {
	t.Helper()
	n, err := encoding.ParseEntityName(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type netipAddr = netip.Addr

func mustIP(s string) netip.Addr { return netip.MustParseAddr(s) }
