package mon

import (
	"maps"
	"slices"
	"strconv"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// What OSD daemons send the monitor (OSDMonitor::preprocess_query and
// prepare_update): boot, alive (up_thru), mark-me-down, requests for
// full maps, beacons and failure reports.

// osdMetadataPrefix is where OSDMonitor keeps each OSD's boot metadata
// (OSD_METADATA_PREFIX), keyed by id.
const osdMetadataPrefix = "osd_metadata"

// dispatch handles an OSD message; it reports whether it knew the type.
func (s *osdMon) dispatch(sess *Session, mg msgr2.Message) bool {
	if s.osdmap == nil {
		return false
	}
	switch mg := mg.(type) {
	case *msg.OSDBoot:
		s.handleBoot(sess, mg)
	case *msg.OSDAlive:
		s.handleAlive(sess, mg)
	case *msg.MonGetOSDMap:
		s.handleGetOSDMap(sess, mg)
	case *msg.OSDMarkMeDown:
		s.handleMarkMeDown(sess, mg)
	case *msg.OSDPGCreated:
		s.handlePGCreated(sess, mg)
	case *msg.OSDPGTemp:
		s.handlePGTemp(sess, mg)
	case *msg.OSDFailure:
		s.handleFailure(sess, mg)
	case *msg.OSDBeacon:
		// Beacons feed mon_osd_report_timeout (tick); the PGs and
		// min_last_epoch_clean they carry serve map trimming, which
		// kelp does not do.
		if from := fromOSD(sess); from >= 0 && s.osdmap.IsUp(from) {
			s.noteReport(from)
		}
	default:
		return false
	}
	return true
}

// fromOSD returns the OSD id of a session's peer, or -1 when the peer is
// not an OSD.
func fromOSD(sess *Session) int32 {
	if sess.Entity.Type != encoding.EntityOSD {
		return -1
	}
	n, err := strconv.ParseInt(sess.Entity.ID, 10, 32)
	if err != nil {
		return -1
	}
	return int32(n)
}

// sendLatest sends what a peer that has epoch have-1 is missing, one
// message (OSDMonitor::send_latest for a request).
func (s *osdMon) sendLatest(sess *Session, start uint32) {
	if start == 0 {
		s.sendLatestFull(sess)
		return
	}
	if start <= s.epoch() {
		s.sendIncremental(sess, start, true)
	}
}

// handleBoot is preprocess_boot and prepare_boot: mark the OSD up with
// the addresses it reports, record its features and metadata, raise its
// up_thru and mark a new OSD in; once committed, send it the maps it
// lacks.
func (s *osdMon) handleBoot(sess *Session, mg *msg.OSDBoot) {
	from := mg.SB.WhoAmI
	log := s.m.log.With("osd", from)
	if fromOSD(sess) != from {
		log.Warn("osd_boot from a session that is not that OSD", "entity", sess.Entity.String())
		return
	}
	if mg.SB.ClusterFSID != s.osdmap.FSID {
		log.Warn("osd_boot for another cluster", "fsid", mg.SB.ClusterFSID.String())
		return
	}
	pm := s.pendingOSDMap()
	if !pm.Exists(from) {
		log.Warn("osd_boot from an OSD that does not exist")
		return
	}
	if pm.IsDestroyed(from) {
		log.Warn("osd_boot from a destroyed OSD")
		return
	}
	if pm.Flags&osdmap.FlagNoUp != 0 || pm.OSDState[from]&osdmap.StateNoUp != 0 {
		log.Info("osd_boot ignored: noup")
		return
	}
	addrs := sess.Addrs
	if pm.IsUp(from) && slices.Equal(pm.ClientAddrs[from], addrs) && slices.Equal(pm.ClusterAddrs[from], mg.ClusterAddrs) {
		// Already up as it says: it only needs the maps.
		s.sendLatest(sess, mg.SB.CurrentEpoch+1)
		return
	}
	inc := s.pendingInc()
	if _, booting := inc.NewUpClient[from]; booting {
		s.m.proposeAndThen(func() { s.sendLatest(sess, mg.SB.CurrentEpoch+1) })
		return
	}
	if s.osdmap.IsUp(from) {
		// Up at other addresses: mark it down first, then take the boot.
		xorState(inc, from, osdmap.StateUp)
		s.m.proposeAndThen(func() { s.handleBoot(sess, mg) })
		return
	}
	if inc.NewUpClient == nil {
		inc.NewUpClient = map[int32]encoding.EntityAddrVec{}
		inc.NewUpCluster = map[int32]encoding.EntityAddrVec{}
		inc.NewHBBackUp = map[int32]encoding.EntityAddrVec{}
		inc.NewHBFrontUp = map[int32]encoding.EntityAddrVec{}
	}
	for _, m := range []*map[int32]encoding.EntityAddrVec{&inc.NewUpCluster, &inc.NewHBBackUp, &inc.NewHBFrontUp} {
		if *m == nil {
			*m = map[int32]encoding.EntityAddrVec{}
		}
	}
	inc.NewUpClient[from] = addrs
	inc.NewUpCluster[from] = mg.ClusterAddrs
	inc.NewHBBackUp[from] = mg.HBBackAddrs
	inc.NewHBFrontUp[from] = mg.HBFrontAddrs
	if !mg.SB.OSDFSID.IsZero() && pm.OSDUUID[from] != mg.SB.OSDFSID {
		if inc.NewUUID == nil {
			inc.NewUUID = map[int32]encoding.UUID{}
		}
		inc.NewUUID[from] = mg.SB.OSDFSID
	}
	info := pm.OSDInfo[from]
	if mg.SB.Mounted > info.LastCleanBegin || (mg.SB.Mounted == info.LastCleanBegin && mg.SB.CleanThru > info.LastCleanEnd) {
		if inc.NewLastCleanInterval == nil {
			inc.NewLastCleanInterval = map[int32]osdmap.EpochInterval{}
		}
		inc.NewLastCleanInterval[from] = osdmap.EpochInterval{First: mg.SB.Mounted, Last: mg.SB.CleanThru}
	}
	xi := pm.OSDXInfo[from]
	xi.Features = mg.OSDFeatures
	if xi.Features == 0 {
		xi.Features = sess.Features
	}
	oldState := pm.OSDState[from]
	if s.opts.autoMarkNewIn && oldState&osdmap.StateNew != 0 || pm.IsOut(from) && oldState&osdmap.StateAutoOut != 0 {
		if xi.OldWeight > 0 {
			setWeight(inc, from, xi.OldWeight)
			xi.OldWeight = 0
		} else {
			setWeight(inc, from, osdmap.WeightIn)
		}
	}
	if inc.NewXInfo == nil {
		inc.NewXInfo = map[int32]osdmap.OSDXInfo{}
	}
	inc.NewXInfo[from] = xi
	// Raise up_thru now so that the OSD need not ask.
	if inc.NewUpThru == nil {
		inc.NewUpThru = map[int32]uint32{}
	}
	inc.NewUpThru[from] = inc.Epoch
	if s.pendingMetadata == nil {
		s.pendingMetadata = map[int32][]byte{}
	}
	var e encoding.Encoder
	encoding.Map(&e, mg.Metadata, encoding.EncStr, encoding.EncStr)
	s.pendingMetadata[from] = e.Bytes()
	s.noteReport(from)
	log.Info("osd boot", "addrs", addrs.String(), "epoch", inc.Epoch)
	s.m.proposeAndThen(func() { s.sendLatest(sess, mg.SB.CurrentEpoch+1) })
}

// handleAlive is preprocess_alive/prepare_alive: raise the OSD's up_thru
// to the epoch it has, then send it the maps from the one it wants.
func (s *osdMon) handleAlive(sess *Session, mg *msg.OSDAlive) {
	from := fromOSD(sess)
	pm := s.pendingOSDMap()
	if from < 0 || !pm.IsUp(from) || !slices.Equal(pm.ClientAddrs[from], sess.Addrs) {
		return
	}
	if pm.OSDInfo[from].UpThru >= mg.Want {
		s.sendLatest(sess, uint32(mg.Paxos.PaxosVersion)+1)
		return
	}
	inc := s.pendingInc()
	if inc.NewUpThru == nil {
		inc.NewUpThru = map[int32]uint32{}
	}
	inc.NewUpThru[from] = uint32(mg.Paxos.PaxosVersion)
	s.m.proposeAndThen(func() { s.sendLatest(sess, mg.Want) })
}

// handleGetOSDMap is preprocess_get_osdmap: full maps and incrementals
// of the ranges asked for, within what is stored, at most
// osd_map_message_max of them.
func (s *osdMon) handleGetOSDMap(sess *Session, mg *msg.MonGetOSDMap) {
	first, _ := s.v.firstCommitted()
	last := s.epoch()
	features := sessionFeatures(sess)
	reply := s.newOSDMapMsg()
	n := 0
	for e := max(mg.FullFirst, uint32(first)); e <= min(mg.FullLast, last) && n < osdMapMessageMax; e++ {
		if b, err := s.fullFor(e, features); err == nil {
			reply.Maps[e] = b
			n++
		}
	}
	for e := max(mg.IncFirst, uint32(first)); e <= min(mg.IncLast, last) && n < osdMapMessageMax; e++ {
		if b, err := s.incFor(e, features); err == nil {
			reply.Incrementals[e] = b
			n++
		}
	}
	reply.Hdr.Tid = mg.Hdr.Tid
	sess.send(reply)
}

// handleMarkMeDown is prepare_mark_me_down: an OSD shutting down is
// marked down, and acknowledged when it asked.
func (s *osdMon) handleMarkMeDown(sess *Session, mg *msg.OSDMarkMeDown) {
	from := mg.TargetOSD
	pm := s.pendingOSDMap()
	ack := func() {
		if mg.RequestAck {
			a := &msg.OSDMarkMeDown{Paxos: msg.NewPaxosHeader(uint64(s.epoch())), FSID: mg.FSID,
				TargetOSD: mg.TargetOSD, TargetAddrs: mg.TargetAddrs, Epoch: mg.Epoch}
			a.Hdr.Tid = mg.Hdr.Tid
			sess.send(a)
		}
	}
	if fromOSD(sess) != from || mg.FSID != s.osdmap.FSID || !pm.IsUp(from) ||
		!slices.Equal(pm.ClientAddrs[from], mg.TargetAddrs) {
		ack()
		return
	}
	xorState(s.pendingInc(), from, osdmap.StateUp)
	s.m.proposeAndThen(ack)
}

// finishPending fills in what encode_pending derives from the changes:
// the last up and in change stamps.
func (s *osdMon) finishPending(inc *osdmap.Incremental) {
	m := s.base()
	upChange := len(inc.NewUpClient) > 0
	for o, st := range inc.NewState {
		if m.Exists(o) && (st == 0 || st&osdmap.StateUp != 0) && m.IsUp(o) {
			upChange = true
		}
	}
	if upChange {
		inc.NewLastUpChange = inc.Modified
	}
	for _, o := range slices.Sorted(maps.Keys(inc.NewWeight)) {
		if o >= m.MaxOSD || m.OSDWeight[o] != inc.NewWeight[o] {
			inc.NewLastInChange = inc.Modified
			break
		}
	}
}

// handlePGTemp is preprocess_pgtemp/prepare_pgtemp: a primary's request
// for temporary acting sets. Entries for pools that are gone or PGs the
// sender is not acting primary of are ignored; the rest replace the
// pg_temp (and clear any primary_temp); the sender's up_thru is raised
// to the epoch it has, and it gets the maps from there once committed.
func (s *osdMon) handlePGTemp(sess *Session, mg *msg.OSDPGTemp) {
	from := fromOSD(sess)
	m := s.osdmap
	if from < 0 || !m.IsUp(from) || !slices.Equal(m.ClientAddrs[from], sess.Addrs) {
		return
	}
	mp, err := m.NewMapper()
	if err != nil {
		s.m.log.Error("pg_temp: mapping", "err", err)
		return
	}
	inc := s.pendingInc()
	changed := false
	for _, t := range mg.PGTemp {
		pg := osdmap.PG{Pool: t.PGID.Pool, Seed: t.PGID.Seed}
		if _, gone := inc.OldPools[int64(pg.Pool)]; gone {
			continue
		}
		if _, ok := m.Pools[int64(pg.Pool)]; !ok {
			continue
		}
		if mp.Map(pg).ActingPrimary != from {
			continue
		}
		cur, has := m.PGTemp[pg]
		_, hasPrimary := m.PrimaryTemp[pg]
		if len(t.OSDs) == 0 && !has && !hasPrimary {
			continue
		}
		if len(t.OSDs) > 0 && has && slices.Equal(cur, t.OSDs) && !hasPrimary {
			continue
		}
		if inc.NewPGTemp == nil {
			inc.NewPGTemp = map[osdmap.PG][]int32{}
		}
		inc.NewPGTemp[pg] = slices.Clone(t.OSDs)
		if inc.NewPGTemp[pg] == nil {
			inc.NewPGTemp[pg] = []int32{}
		}
		if hasPrimary {
			if inc.NewPrimaryTemp == nil {
				inc.NewPrimaryTemp = map[osdmap.PG]int32{}
			}
			inc.NewPrimaryTemp[pg] = -1
		}
		changed = true
	}
	if !changed {
		s.sendLatest(sess, mg.MapEpoch+1)
		return
	}
	if ut := m.OSDInfo[from].UpThru; mg.MapEpoch > ut && mg.MapEpoch > inc.NewUpThru[from] {
		if inc.NewUpThru == nil {
			inc.NewUpThru = map[int32]uint32{}
		}
		inc.NewUpThru[from] = mg.MapEpoch
	}
	s.m.proposeAndThen(func() { s.sendLatest(sess, mg.MapEpoch+1) })
}
