package msgr2

import (
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func TestDefaultPolicy(t *testing.T) {
	mon, osd, cli, mgr := encoding.EntityMon, encoding.EntityOSD, encoding.EntityClient, encoding.EntityMgr
	cases := []struct {
		me, peer  encoding.EntityType
		accepting bool
		want      Policy
	}{
		{mon, mon, false, Policy{}},
		{mon, mon, true, Policy{}},
		{mon, osd, true, Policy{Lossy: true, Server: true}},
		{osd, mon, false, Policy{Lossy: true}},
		{cli, mon, false, Policy{Lossy: true}},
		{mon, cli, true, Policy{Lossy: true, Server: true}},
		{cli, osd, false, Policy{Lossy: true}},
		{osd, cli, true, Policy{Lossy: true, Server: true}},
		{osd, osd, false, Policy{}},
		{osd, osd, true, Policy{}},
		{osd, mgr, false, Policy{Lossy: true}},
	}
	for _, c := range cases {
		if got := DefaultPolicy(c.me, c.peer, c.accepting); got != c.want {
			t.Errorf("%s->%s accepting=%v: %+v, want %+v", c.me, c.peer, c.accepting, got, c.want)
		}
	}
}

// TestModesFor follows AuthRegistry::_get_supported_methods with Ceph's
// default option values.
func TestModesFor(t *testing.T) {
	sec, crc := ConModeSecure, ConModeCRC
	cases := []struct {
		me, peer encoding.EntityType
		want     []uint32
	}{
		{encoding.EntityClient, encoding.EntityMon, []uint32{sec, crc}}, // ms_mon_client_mode
		{encoding.EntityClient, encoding.EntityOSD, []uint32{crc, sec}}, // ms_client_mode
		{encoding.EntityMon, encoding.EntityMon, []uint32{sec, crc}},    // ms_mon_cluster_mode
		{encoding.EntityMon, encoding.EntityClient, []uint32{sec, crc}}, // ms_mon_service_mode
		{encoding.EntityOSD, encoding.EntityMon, []uint32{sec, crc}},    // ms_mon_client_mode
		{encoding.EntityOSD, encoding.EntityOSD, []uint32{crc, sec}},    // ms_cluster_mode
		{encoding.EntityOSD, encoding.EntityClient, []uint32{crc, sec}}, // ms_service_mode
	}
	for _, c := range cases {
		cfg := Config{Name: encoding.EntityName{Type: c.me}}
		cfg.setDefaults()
		got := cfg.modesFor(c.peer)
		if len(got) != len(c.want) || got[0] != c.want[0] || got[1] != c.want[1] {
			t.Errorf("%s->%s: %v, want %v", c.me, c.peer, got, c.want)
		}
	}
}
