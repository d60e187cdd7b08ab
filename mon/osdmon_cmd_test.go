package mon

import (
	"testing"

	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/mon/store"
)

func TestOSDNewOutIn(t *testing.T) {
	m := testCluster(t)
	r := run(t, m, cmd("osd new", "uuid", "11111111-2222-3333-4444-555555555555"))
	if r.r != 0 || r.out != "0\n" {
		t.Fatalf("osd new: %+v", r)
	}
	if !m.osd.osdmap.Exists(0) || m.osd.epoch() != 2 {
		t.Fatalf("osd.0 missing at epoch %d: state %v", m.osd.epoch(), m.osd.osdmap.OSDState)
	}
}

func TestPoolLifecycle(t *testing.T) {
	m := testCluster(t)
	m.osd.opts.allowPoolDelete = true
	for _, c := range []struct {
		args map[string]any
		r    int
		rs   string
	}{
		{cmd("osd pool create", "pool", "p1", "pg_num", int64(8)), 0, "pool 'p1' created"},
		{cmd("osd pool create", "pool", "p1", "pg_num", int64(8)), 0, "pool 'p1' already exists"},
		{cmd("osd pool create", "pool", "px", "pg_num", int64(8), "pool_type", "replicated", "erasure_code_profile", "nosuchrule"),
			-2, "specified rule nosuchrule doesn't exist"},
		{cmd("osd pool set", "pool", "p1", "var", "size", "val", "2"), 0, "set pool 1 size to 2"},
		{cmd("osd pool set", "pool", "p1", "var", "min_size", "val", "5"), -22, "pool min_size must be between 1 and size, which is set to 2"},
		{cmd("osd pool rename", "srcpool", "p1", "destpool", "p2"), 0, "pool 'p1' renamed to 'p2'"},
		{cmd("osd pool rm", "pool", "p2"), -1, ""},
		{cmd("osd pool rm", "pool", "p2", "pool2", "p2", "yes_i_really_really_mean_it", true), 0, "pool 'p2' removed"},
		{cmd("osd pool rm", "pool", "p2", "pool2", "p2", "yes_i_really_really_mean_it", true), 0, "pool 'p2' does not exist"},
	} {
		got := run(t, m, c.args)
		if got.r != c.r || (c.rs != "" && got.rs != c.rs) {
			t.Errorf("%v: got %d %q, want %d %q", c.args, got.r, got.rs, c.r, c.rs)
		}
	}
	om := m.osd.osdmap
	if om.Epoch != 5 || len(om.Pools) != 0 || om.PoolMax != 1 {
		t.Fatalf("epoch %d pools %v pool_max %d", om.Epoch, om.Pools, om.PoolMax)
	}
	// Every epoch's incremental carries the crc of the full map it makes.
	for e := uint32(2); e <= om.Epoch; e++ {
		ib, err := m.osd.v.get(uint64(e))
		if err != nil {
			t.Fatal(err)
		}
		inc, err := osdmap.DecodeIncremental(ib)
		if err != nil {
			t.Fatal(err)
		}
		full, _, err := m.osd.mapAt(e)
		if err != nil {
			t.Fatal(err)
		}
		full.Encode(full.EncodingFeatures())
		if !inc.HaveCRC || inc.FullCRC != full.CRC {
			t.Fatalf("epoch %d: full_crc %#x, full map crc %#x", e, inc.FullCRC, full.CRC)
		}
	}
}

func TestOSDSubscription(t *testing.T) {
	m := testCluster(t)
	run(t, m, cmd("osd set", "key", "noout"))
	run(t, m, cmd("osd unset", "key", "noout"))
	sess := &Session{}
	m.sessions[nil] = sess
	sess.subs.set("osdmap", &subscription{next: 2})
	m.checkSub(sess, "osdmap")
	if sess.subs.get("osdmap").next != 4 || m.osd.sentEpoch[sess] != 3 {
		t.Fatalf("after sub from 2: next %d sent %d", sess.subs.get("osdmap").next, m.osd.sentEpoch[sess])
	}
	// A new epoch goes to the subscriber; a onetime subscription ends.
	run(t, m, cmd("osd set", "key", "noin"))
	if sess.subs.get("osdmap").next != 5 || m.osd.sentEpoch[sess] != 4 {
		t.Fatalf("after a commit: next %d sent %d", sess.subs.get("osdmap").next, m.osd.sentEpoch[sess])
	}
	sess.subs.set("osdmap", &subscription{next: 0, onetime: true})
	m.checkSub(sess, "osdmap")
	if sess.subs.get("osdmap") != nil {
		t.Fatal("onetime subscription still there")
	}
}

// deferred is a consensus that commits only when told, to test changes
// that arrive while a proposal is in flight.
type deferred struct {
	m   *Monitor
	txs []*store.Transaction
}

func (d *deferred) propose(tx *store.Transaction) error {
	d.txs = append(d.txs, tx)
	return nil
}

func (d *deferred) commitAll(t *testing.T) {
	for len(d.txs) > 0 {
		tx := d.txs[0]
		d.txs = d.txs[1:]
		if err := d.m.store.Apply(tx); err != nil {
			t.Fatal(err)
		}
		d.m.committed()
	}
}

// TestOSDChangesWhileProposing: a change made while the previous epoch's
// proposal has not committed yet becomes the epoch after it.
func TestOSDChangesWhileProposing(t *testing.T) {
	m := testCluster(t)
	d := &deferred{m: m}
	m.cons = d
	var replies []string
	send := func(args map[string]any) {
		req := &request{prefix: args["prefix"].(string), args: args,
			reply: func(r int, rs string, out []byte) { replies = append(replies, rs) }}
		if !m.osd.command(req) {
			t.Fatalf("%v not handled", args)
		}
		m.maybePropose()
	}
	send(cmd("osd set", "key", "noout"))
	send(cmd("osd set", "key", "noin")) // epoch 2 is in flight
	d.commitAll(t)
	if m.osd.epoch() != 3 || m.osd.osdmap.Flags&osdmap.FlagNoOut == 0 || m.osd.osdmap.Flags&osdmap.FlagNoIn == 0 {
		t.Fatalf("epoch %d flags %s, replies %q", m.osd.epoch(), osdmap.FlagString(m.osd.osdmap.Flags), replies)
	}
	if len(replies) != 2 {
		t.Fatalf("replies %q", replies)
	}
}

func TestErasurePoolCreate(t *testing.T) {
	m := testCluster(t)
	if r := run(t, m, cmd("osd pool create", "pool", "ecp", "pg_num", int64(4), "pool_type", "erasure")); r.r != 0 {
		t.Fatalf("%+v", r)
	}
	om := m.osd.osdmap
	id, ok := om.LookupPool("ecp")
	if !ok {
		t.Fatal("no pool ecp")
	}
	p := om.Pools[id]
	cm, _ := om.CrushMap()
	rid, ok := cm.RuleID("erasure-code")
	if !ok || int(p.CrushRule) != rid || cm.Rules[rid].MaxSize != 4 || cm.Rules[rid].MinSize != 3 {
		t.Fatalf("rule %d %v, pool rule %d", rid, ok, p.CrushRule)
	}
	if !p.IsErasure() || p.Size != 4 || p.MinSize != 3 || p.StripeWidth != 8192 || p.ErasureCodeProfile != "default" ||
		om.Epoch != 3 || p.LastChange != 3 {
		t.Fatalf("pool %s at epoch %d", p, om.Epoch)
	}
}
