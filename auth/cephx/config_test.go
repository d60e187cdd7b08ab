package cephx_test

import (
	"slices"
	"testing"

	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
)

func TestPolicy(t *testing.T) {
	m, err := cephx.ParseMethods("cephx, none")
	if err != nil || !slices.Equal(m, []uint32{cephx.MethodCephx, cephx.MethodNone}) {
		t.Fatalf("methods %v %v", m, err)
	}
	if _, err := cephx.ParseMethods("kerberos"); err == nil {
		t.Fatal("unknown method parsed")
	}
	modes, err := cephx.ParseModes("secure crc")
	if err != nil || !slices.Equal(modes, []uint32{cephx.ConModeSecure, cephx.ConModeCRC}) {
		t.Fatalf("modes %v %v", modes, err)
	}
	srv := &cephx.Server{Keys: cephx.NewKeyServer(), Config: cephx.ServerConfig{
		ClusterMethods: []uint32{cephx.MethodCephx}, ServiceMethods: []uint32{cephx.MethodCephx, cephx.MethodNone},
		ClusterModes: []uint32{cephx.ConModeSecure}, ServiceModes: []uint32{cephx.ConModeCRC},
	}}
	if m, md := srv.Methods(encoding.EntityOSD); !slices.Equal(m, []uint32{cephx.MethodCephx}) || !slices.Equal(md, []uint32{cephx.ConModeCRC}) {
		t.Fatalf("osd policy %v %v", m, md)
	}
	if _, md := srv.Methods(encoding.EntityMon); !slices.Equal(md, []uint32{cephx.ConModeSecure}) {
		t.Fatalf("mon modes %v", md)
	}
	if _, err := srv.NewSession(cephx.MethodNone, encoding.EntityOSD, cephx.ConModeCRC, 0); err == nil {
		t.Fatal("auth none accepted from an osd under a cephx cluster policy")
	}
	// An osd entity cannot slip in with auth none over a client connection.
	s, err := srv.NewSession(cephx.MethodNone, encoding.EntityClient, cephx.ConModeCRC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var e encoding.Encoder
	e.U8(cephx.AuthModeMon)
	e.EntityName(encoding.EntityName{Type: encoding.EntityOSD, ID: "0"})
	e.U64(0)
	if _, _, err := s.Handle(e.Bytes()); err == nil {
		t.Fatal("osd entity authenticated with auth none")
	}
}
