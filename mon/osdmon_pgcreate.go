package mon

import (
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// PG creation (OSDMonitor's creating_pgs, update_creating_pgs,
// send_pg_creates and the "osd_pg_creates" subscription): the PGs of a
// pool flagged creating are sent, as MOSDPGCreate2, to their acting
// primaries while those are up; each OSD answers MOSDPGCreated, and once
// every PG of a pool is created the pool's creating flag is cleared.
//
// kelp keeps the creating set in memory, derived from the pools' flag:
// after a restart the PGs of a pool still flagged creating are sent
// again, which OSDs ignore for PGs they already have. Ceph persists the
// set (osd_pg_creating/creating) instead.

// creatingPG is creating_pgs_t::pg_create_info plus where it maps.
type creatingPG struct {
	created uint32         // epoch the PG was queued in
	stamp   encoding.UTime // when
	primary int32          // acting primary, -1 for none
	mapped  uint32         // epoch at which primary was computed
}

// updateCreating brings the creating set up to the committed map
// (update_creating_pgs): new creating pools' PGs join it, PGs of pools
// that are gone or done leave it, and primaries are recomputed.
func (s *osdMon) updateCreating() {
	m := s.osdmap
	if s.creating == nil {
		s.creating = map[osdmap.PG]*creatingPG{}
	}
	for pg := range s.creating {
		p, ok := m.Pools[int64(pg.Pool)]
		if !ok || !p.HasFlag(osdmap.PoolFlagCreating) || pg.Seed >= p.PGNum {
			delete(s.creating, pg)
		}
	}
	var mp *osdmap.Mapper
	for id, p := range m.Pools {
		if !p.HasFlag(osdmap.PoolFlagCreating) {
			continue
		}
		for seed := range p.PGNum {
			pg := osdmap.PG{Pool: uint64(id), Seed: seed}
			if s.created[pg] {
				continue
			}
			c, ok := s.creating[pg]
			if !ok {
				c = &creatingPG{created: m.Epoch, stamp: m.Modified, primary: -2}
				s.creating[pg] = c
			}
			if mp == nil {
				var err error
				if mp, err = m.NewMapper(); err != nil {
					s.m.log.Error("mapping creating pgs", "err", err)
					return
				}
			}
			if prim := mp.Map(pg).ActingPrimary; prim != c.primary {
				c.primary, c.mapped = prim, m.Epoch
			}
		}
	}
	for pg := range s.created {
		if p, ok := m.Pools[int64(pg.Pool)]; !ok || !p.HasFlag(osdmap.PoolFlagCreating) {
			delete(s.created, pg)
		}
	}
}

// checkPGCreatesSub serves "osd_pg_creates" (check_pg_creates_sub): an
// up OSD gets the creating PGs it is primary for that were mapped at or
// after the subscription's epoch.
func (s *osdMon) checkPGCreatesSub(sess *Session) {
	osd := fromOSD(sess)
	sub := sess.subs.get("osd_pg_creates")
	if osd < 0 || !s.osdmap.IsUp(osd) {
		return
	}
	var pgs []osdmap.PG
	last := uint32(0)
	for pg, c := range s.creating {
		if c.primary == osd && uint64(c.mapped) >= sub.next {
			pgs = append(pgs, pg)
			last = max(last, c.mapped)
		}
	}
	if len(pgs) == 0 {
		return
	}
	slices.SortFunc(pgs, osdmap.ComparePG)
	mg := &msg.OSDPGCreate2{Epoch: s.epoch()}
	for _, pg := range pgs {
		c := s.creating[pg]
		mg.PGs = append(mg.PGs, msg.SPGIDCreate{
			PG:     msg.SPGID{PGID: msg.PGID{Pool: pg.Pool, Seed: pg.Seed}, Shard: -1},
			Create: msg.PGCreate{Epoch: c.created, Stamp: c.stamp}})
	}
	sess.send(mg)
	s.m.advanceSub(sess, "osd_pg_creates", uint64(last)+1)
}

// handlePGCreated is prepare_pg_created: the PG leaves the creating set;
// a pool whose PGs are all created loses its creating flag.
func (s *osdMon) handlePGCreated(sess *Session, mg *msg.OSDPGCreated) {
	if fromOSD(sess) < 0 {
		return
	}
	pg := osdmap.PG{Pool: mg.PGID.Pool, Seed: mg.PGID.Seed}
	if _, ok := s.creating[pg]; !ok {
		return
	}
	delete(s.creating, pg)
	if s.created == nil {
		s.created = map[osdmap.PG]bool{}
	}
	s.created[pg] = true
	for other := range s.creating {
		if other.Pool == pg.Pool {
			return
		}
	}
	pm := s.pendingOSDMap()
	p, ok := pm.Pools[int64(pg.Pool)]
	if !ok || !p.HasFlag(osdmap.PoolFlagCreating) {
		return
	}
	np := p.Clone()
	np.Flags &^= osdmap.PoolFlagCreating
	s.putPool(int64(pg.Pool), np)
	s.m.proposeAndThen(nil)
}

// creatingPGs returns the number of PGs still being created, for status.
func (s *osdMon) creatingPGs() int { return len(s.creating) }

// creatingPools lists the pools with PGs being created.
func (s *osdMon) creatingPools() []int64 {
	set := map[int64]bool{}
	for pg := range s.creating {
		set[int64(pg.Pool)] = true
	}
	return slices.Sorted(maps.Keys(set))
}
