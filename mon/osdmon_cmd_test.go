package mon

import "testing"

func TestOSDNewOutIn(t *testing.T) {
	m := testCluster(t)
	r := run(t, m, cmd("osd new", "uuid", "11111111-2222-3333-4444-555555555555"))
	if r.r != 0 || r.out != "0" {
		t.Fatalf("osd new: %+v", r)
	}
	if !m.osd.osdmap.Exists(0) || m.osd.epoch() != 2 {
		t.Fatalf("osd.0 missing at epoch %d: state %v", m.osd.epoch(), m.osd.osdmap.OSDState)
	}
}
