package mon

import (
	"net/netip"
	"syscall"

	"github.com/kelp-ceph/kelp/auth/moncap"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// MPoolOp: librados' pool create and delete and pool snapshot operations
// (OSDMonitor::preprocess_pool_op, prepare_pool_op, prepare_new_pool,
// prepare_pool_op_delete). Replies carry Ceph's negative errno as the
// reply code and the epoch the client must wait for.

func (s *osdMon) handlePoolOp(sess *Session, mg *msg.PoolOp) {
	reply := func(code int, epoch uint32, data []byte) {
		r := &msg.PoolOpReply{Paxos: msg.NewPaxosHeader(uint64(s.epoch())), FSID: mg.FSID,
			ReplyCode: uint32(int32(code)), Epoch: epoch, ResponseData: data}
		r.Hdr.Tid = mg.Hdr.Tid
		sess.send(r)
	}
	if s.osdmap == nil || mg.FSID != s.osdmap.FSID {
		reply(errno(syscall.EINVAL), s.epoch(), nil)
		return
	}
	if !sessionMayWriteOSD(s.m, sess) {
		reply(errno(syscall.EPERM), s.epoch(), nil)
		return
	}
	m := s.osdmap
	if mg.Op == msg.PoolOpCreate {
		if _, ok := s.pendingOSDMap().LookupPool(mg.Name); ok {
			reply(0, m.Epoch, nil)
			return
		}
		args := map[string]any{"pool": mg.Name}
		if mg.CrushRule >= 0 {
			cm, err := m.CrushMap()
			if err == nil && int(mg.CrushRule) < len(cm.Rules) && cm.Rules[mg.CrushRule] != nil {
				args["rule"] = cm.RuleNames[int32(mg.CrushRule)]
			}
		}
		s.poolCreate(&request{prefix: "osd pool create", args: args, session: sess,
			reply: func(r int, _ string, _ []byte) { reply(r, s.epoch(), nil) }})
		return
	}
	id := int64(mg.Pool)
	p, ok := m.Pools[id]
	if !ok {
		if mg.Op == msg.PoolOpDelete {
			reply(0, m.Epoch, nil)
		} else {
			reply(errno(syscall.ENOENT), m.Epoch, nil)
		}
		return
	}
	if mg.Op == msg.PoolOpDelete {
		name := m.PoolNames[id]
		s.poolRemove(&request{prefix: "osd pool rm", session: sess,
			args:  map[string]any{"pool": name, "pool2": name, "yes_i_really_really_mean_it": true},
			reply: func(r int, _ string, _ []byte) { reply(r, s.epoch(), nil) }})
		return
	}
	pending := s.pendingOSDMap().Pools[id]
	if pending == nil {
		pending = p
	}
	pp := pending.Clone()
	var data []byte
	code := 0
	switch mg.Op {
	case msg.PoolOpCreateSnap, msg.PoolOpDeleteSnap:
		if pp.HasFlag(osdmap.PoolFlagSelfManagedSnaps) {
			reply(errno(syscall.EINVAL), m.Epoch, nil)
			return
		}
		sid, exists := poolSnapByName(pp, mg.Name)
		if mg.Op == msg.PoolOpCreateSnap {
			if exists {
				reply(0, m.Epoch, nil)
				return
			}
			pp.SnapSeq++
			if pp.Snaps == nil {
				pp.Snaps = map[uint64]osdmap.PoolSnapInfo{}
			}
			pp.Snaps[pp.SnapSeq] = osdmap.PoolSnapInfo{SnapID: pp.SnapSeq, Stamp: encoding.UTimeOf(s.now()), Name: mg.Name}
			pp.Flags |= osdmap.PoolFlagPoolSnaps
		} else {
			if !exists {
				reply(0, m.Epoch, nil)
				return
			}
			delete(pp.Snaps, sid)
			pp.SnapSeq++
			s.queueRemovedSnap(id, sid)
		}
	case msg.PoolOpCreateUnmanaged:
		if pp.HasFlag(osdmap.PoolFlagPoolSnaps) {
			reply(errno(syscall.EINVAL), m.Epoch, nil)
			return
		}
		// pg_pool_t::add_unmanaged_snap without the pre-Octopus kludge.
		if pp.SnapSeq == 0 {
			pp.SnapSeq = 1
		}
		pp.Flags |= osdmap.PoolFlagSelfManagedSnaps
		pp.SnapSeq++
		var e encoding.Encoder
		e.U64(pp.SnapSeq)
		data = e.Bytes()
	case msg.PoolOpDeleteUnmanaged:
		if !pp.HasFlag(osdmap.PoolFlagSelfManagedSnaps) {
			reply(errno(syscall.EOPNOTSUPP), m.Epoch, nil)
			return
		}
		if mg.SnapID > pp.SnapSeq {
			reply(errno(syscall.ENOENT), m.Epoch, nil)
			return
		}
		if m.RemovedSnapsQueue[id].Contains(mg.SnapID) {
			reply(0, m.Epoch, nil)
			return
		}
		pp.SnapSeq++
		s.queueRemovedSnap(id, mg.SnapID)
	default:
		reply(errno(syscall.EOPNOTSUPP), m.Epoch, nil)
		return
	}
	s.putPool(id, pp)
	pp.SnapEpoch = s.pending.Epoch
	epoch := s.pending.Epoch
	s.m.proposeAndThen(func() { reply(code, epoch, data) })
}

// poolSnapByName finds a pool snapshot by name.
func poolSnapByName(p *osdmap.PGPool, name string) (uint64, bool) {
	for id, sn := range p.Snaps {
		if sn.Name == name {
			return id, true
		}
	}
	return 0, false
}

// queueRemovedSnap records a removed snapshot in the pending incremental
// (new_removed_snaps), for OSDs to trim.
func (s *osdMon) queueRemovedSnap(pool int64, snap uint64) {
	inc := s.pendingInc()
	if inc.NewRemovedSnaps == nil {
		inc.NewRemovedSnaps = map[int64]osdmap.IntervalSet{}
	}
	inc.NewRemovedSnaps[pool] = inc.NewRemovedSnaps[pool].Union(osdmap.IntervalSet{{Start: snap, Len: 1}})
}

// sessionMayWriteOSD reports whether a session may change the OSD map
// (enforce_pool_op_caps: the "osd" service with w).
func sessionMayWriteOSD(m *Monitor, sess *Session) bool {
	var addr netip.Addr
	if a := sess.Addrs.Front(); a.Addr.IsValid() {
		addr = a.Addr.Addr()
	}
	return sess.monCaps(m.log).IsCapable(moncap.Request{Entity: sess.Entity, Service: "osd", Write: true, Addr: addr})
}
