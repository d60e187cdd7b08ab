package mon

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// Commands that change OSDs' state and the map flags
// (OSDMonitor::prepare_command: osd new/out/in/down/rm/purge/destroy,
// osd set/unset, osd blocklist).

func (s *osdMon) osdStateCommand(req *request) bool {
	switch req.prefix {
	case "osd new":
		s.osdNew(req)
	case "osd out", "osd in", "osd down", "osd rm":
		s.osdMark(req)
	case "osd purge-new", "osd purge-actual", "osd destroy-actual":
		s.osdPurge(req)
	case "osd set", "osd unset":
		s.osdFlag(req)
	case "osd blocklist":
		s.blocklist(req)
	case "osd reweight", "osd primary-affinity":
		s.osdWeightCommand(req)
	case "osd set-full-ratio", "osd set-backfillfull-ratio", "osd set-nearfull-ratio":
		s.setFullRatio(req)
	case "osd pause", "osd unpause":
		s.osdPause(req)
	case "osd setmaxosd":
		s.setMaxOSD(req)
	case "osd set-require-min-compat-client":
		s.setRequireMinCompatClient(req)
	case "osd require-osd-release":
		s.requireOSDRelease(req)
	case "osd add-noup", "osd add-nodown", "osd add-noin", "osd add-noout",
		"osd rm-noup", "osd rm-nodown", "osd rm-noin", "osd rm-noout":
		s.osdNoFlags(req)
	default:
		return false
	}
	return true
}

// osdNew is `osd new UUID [ID]` (prepare_command_osd_new): it returns
// the id of the OSD with that uuid, creating it (exists, new, in) when
// there is none.
func (s *osdMon) osdNew(req *request) {
	uuidStr, _ := req.str("uuid")
	uuid, err := encoding.ParseUUID(uuidStr)
	if err != nil {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("invalid uuid %s", uuidStr), nil)
		return
	}
	if len(req.inbl) > 0 {
		// Secrets for cephx/lockbox keys come with -i; the keys belong
		// to AuthMonitor, which kelp does not drive from here yet.
		req.respond(errno(syscall.EOPNOTSUPP), "kelp-mon does not take osd secrets with 'osd new' yet; add the key with 'ceph auth add'", nil)
		return
	}
	pm := s.pendingOSDMap()
	f := req.formatOf(fmtPlain)
	reply := func(id int32, rs string) func() {
		return func() {
			if isJSON(f) {
				req.replyJSON(0, rs, map[string]int32{"osdid": id}, f)
			} else {
				// rdata.append(ss): the id and a newline.
				req.respond(0, rs, streamed.apply([]byte(strconv.Itoa(int(id)))))
			}
		}
	}
	want, hasID := req.int("id")
	for o := int32(0); o < pm.MaxOSD; o++ {
		if pm.Exists(o) && pm.OSDUUID[o] == uuid {
			if hasID && int64(o) != want {
				req.respond(errno(syscall.EEXIST), fmt.Sprintf("uuid %s already in use for different id %d", uuidStr, o), nil)
				return
			}
			reply(o, "")()
			return
		}
	}
	id := int32(-1)
	if hasID {
		id = int32(want)
		if pm.Exists(id) && !pm.IsDestroyed(id) {
			req.respond(errno(syscall.EEXIST), fmt.Sprintf("osd.%d exists and is not destroyed", id), nil)
			return
		}
	} else {
		for o := int32(0); o < pm.MaxOSD; o++ {
			if !pm.Exists(o) {
				id = o
				break
			}
		}
		if id < 0 {
			id = pm.MaxOSD
		}
	}
	inc := s.pendingInc()
	if id >= pm.MaxOSD {
		inc.NewMaxOSD = id + 1
	}
	if inc.NewState == nil {
		inc.NewState = map[int32]uint32{}
	}
	if inc.NewWeight == nil {
		inc.NewWeight = map[int32]uint32{}
	}
	if inc.NewUUID == nil {
		inc.NewUUID = map[int32]encoding.UUID{}
	}
	// new_weight is applied before new_state and already marks the OSD
	// as existing (and clears new), so new_state only toggles new on and,
	// for a destroyed OSD coming back, destroyed off.
	inc.NewState[id] = osdmap.StateNew
	if pm.IsDestroyed(id) {
		inc.NewState[id] |= osdmap.StateDestroyed
	}
	inc.NewWeight[id] = osdmap.WeightIn
	inc.NewUUID[id] = uuid
	s.m.proposeAndThen(reply(id, ""))
}

// parseOSDIDs reads the ids of `osd out/in/down/rm`: "N" or "osd.N",
// or any/all for every existing OSD.
func parseOSDIDs(m *osdmap.OSDMap, args []string) ([]int32, error) {
	var ids []int32
	for _, a := range args {
		if a == "any" || a == "all" || a == "*" {
			ids = ids[:0]
			for o := int32(0); o < m.MaxOSD; o++ {
				if m.Exists(o) {
					ids = append(ids, o)
				}
			}
			return ids, nil
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(a, "osd."), 10, 32)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("invalid osd id %s", a)
		}
		ids = append(ids, int32(n))
	}
	return ids, nil
}

func (s *osdMon) osdMark(req *request) {
	pm := s.pendingOSDMap()
	ids, err := parseOSDIDs(pm, req.strs("ids"))
	if err != nil {
		req.respond(errno(syscall.EINVAL), err.Error(), nil)
		return
	}
	var rs strings.Builder
	changed := false
	var removed []string
	for _, o := range ids {
		if !pm.Exists(o) {
			fmt.Fprintf(&rs, "osd.%d does not exist. ", o)
			continue
		}
		inc := s.pendingInc()
		switch req.prefix {
		case "osd out":
			if pm.IsOut(o) {
				fmt.Fprintf(&rs, "osd.%d is already out. ", o)
				continue
			}
			setWeight(inc, o, osdmap.WeightOut)
			fmt.Fprintf(&rs, "marked out osd.%d. ", o)
		case "osd in":
			if pm.IsIn(o) {
				fmt.Fprintf(&rs, "osd.%d is already in. ", o)
				continue
			}
			setWeight(inc, o, osdmap.WeightIn)
			fmt.Fprintf(&rs, "marked in osd.%d. ", o)
		case "osd down":
			if pm.IsDown(o) {
				fmt.Fprintf(&rs, "osd.%d is already down. ", o)
				continue
			}
			xorState(inc, o, osdmap.StateUp)
			fmt.Fprintf(&rs, "marked down osd.%d. ", o)
		case "osd rm":
			if pm.IsUp(o) {
				req.respond(errno(syscall.EBUSY), fmt.Sprintf("osd.%d is still up; must be down before removal. ", o), nil)
				return
			}
			removeOSD(pm, inc, o)
			removed = append(removed, fmt.Sprintf("osd.%d", o))
		}
		changed = true
	}
	if req.prefix == "osd rm" && len(removed) > 0 {
		rs.WriteString("removed " + strings.Join(removed, ", "))
	}
	if !changed {
		// Nothing to do is not an error, not even for OSDs that do not
		// exist.
		req.respond(0, strings.TrimSpace(rs.String()), nil)
		return
	}
	s.commit(req, strings.TrimSuffix(rs.String(), " "))
}

func setWeight(inc *osdmap.Incremental, o int32, w uint32) {
	if inc.NewWeight == nil {
		inc.NewWeight = map[int32]uint32{}
	}
	inc.NewWeight[o] = w
}

// xorState toggles state bits of an OSD (new_state is xor'ed in).
func xorState(inc *osdmap.Incremental, o int32, bits uint32) {
	if inc.NewState == nil {
		inc.NewState = map[int32]uint32{}
	}
	inc.NewState[o] ^= bits
	if inc.NewState[o] == 0 {
		delete(inc.NewState, o)
	}
}

// removeOSD clears every state bit of an OSD, which removes it, and its
// uuid (OSDMonitor::prepare_command_osd_remove).
func removeOSD(pm *osdmap.OSDMap, inc *osdmap.Incremental, o int32) {
	if inc.NewState == nil {
		inc.NewState = map[int32]uint32{}
	}
	inc.NewState[o] = pm.OSDState[o] ^ inc.NewState[o]
	if inc.NewState[o] == 0 {
		delete(inc.NewState, o)
	}
	if inc.NewUUID == nil {
		inc.NewUUID = map[int32]encoding.UUID{}
	}
	inc.NewUUID[o] = encoding.UUID{}
	delete(inc.NewWeight, o)
}

// osdPurge is purge-new/purge-actual (remove the OSD from CRUSH and the
// map) and destroy-actual (mark it destroyed, keeping its id and CRUSH
// position). Without a manager these are what `osd purge` and `osd
// destroy` end up running.
func (s *osdMon) osdPurge(req *request) {
	id, _ := req.int("id")
	o := int32(id)
	pm := s.pendingOSDMap()
	if !pm.Exists(o) {
		if req.prefix == "osd destroy-actual" {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("osd.%d does not exist", o), nil)
		} else {
			req.respond(0, fmt.Sprintf("osd.%d does not exist", o), nil)
		}
		return
	}
	if !req.bool("yes_i_really_mean_it") {
		req.respond(errno(syscall.EPERM), "Are you SURE?  This will mean real, permanent data loss, as well as cephx "+
			"and lockbox keys. Pass --yes-i-really-mean-it if you really do.", nil)
		return
	}
	if pm.IsUp(o) {
		req.respond(errno(syscall.EBUSY), fmt.Sprintf("osd.%d is not `down`.", o), nil)
		return
	}
	if req.prefix == "osd destroy-actual" {
		if pm.IsDestroyed(o) {
			req.respond(0, fmt.Sprintf("destroyed osd.%d", o), nil)
			return
		}
		inc := s.pendingInc()
		xorState(inc, o, osdmap.StateDestroyed)
		if pm.OSDState[o]&osdmap.StateNew != 0 {
			xorState(inc, o, osdmap.StateNew)
		}
		s.commit(req, fmt.Sprintf("destroyed osd.%d", o))
		return
	}
	if req.prefix == "osd purge-new" && pm.OSDState[o]&osdmap.StateNew == 0 {
		req.respond(errno(syscall.EPERM), fmt.Sprintf("osd.%d is not new", o), nil)
		return
	}
	cm, err := s.pendingCrush()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	if cm.ItemExists(o) {
		if err := cm.RemoveItem(o, false); err != nil {
			req.respond(errno(syscall.EINVAL), err.Error(), nil)
			return
		}
		s.setPendingCrush(cm)
	}
	removeOSD(pm, s.pendingInc(), o)
	s.commit(req, fmt.Sprintf("purged osd.%d", o))
}

// settableFlags maps `osd set/unset` keys to map flags.
var settableFlags = map[string]uint32{
	"full": osdmap.FlagFull, "pause": osdmap.FlagPauseRD | osdmap.FlagPauseWR,
	"noup": osdmap.FlagNoUp, "nodown": osdmap.FlagNoDown, "noout": osdmap.FlagNoOut, "noin": osdmap.FlagNoIn,
	"nobackfill": osdmap.FlagNoBackfill, "norebalance": osdmap.FlagNoRebalance, "norecover": osdmap.FlagNoRecover,
	"noscrub": osdmap.FlagNoScrub, "nodeep-scrub": osdmap.FlagNoDeepScrub, "notieragent": osdmap.FlagNoTierAgent,
	"nosnaptrim": osdmap.FlagNoSnapTrim, "pglog_hardlimit": osdmap.FlagPGLogHardLimit,
}

func (s *osdMon) osdFlag(req *request) {
	key, _ := req.str("key")
	flag, ok := settableFlags[key]
	if !ok {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("unrecognized flag '%s'", key), nil)
		return
	}
	flags := s.pendingOSDMap().Flags
	inc := s.pendingInc()
	if req.prefix == "osd set" {
		inc.NewFlags = int32(flags | flag)
		s.commit(req, key+" is set")
	} else {
		inc.NewFlags = int32(flags &^ flag)
		s.commit(req, key+" is unset")
	}
}

// setFullRatio is `osd set-full-ratio|set-backfillfull-ratio|
// set-nearfull-ratio RATIO`: the ratio goes into the OSDMap as given
// (the CLI checks its range); health reports ratios out of order.
func (s *osdMon) setFullRatio(req *request) {
	var n float64
	switch v := req.args["ratio"].(type) {
	case float64:
		n = v
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("unable to parse 'ratio' value '%s'", v), nil)
			return
		}
		n = f
	default:
		req.respond(errno(syscall.EINVAL), "unable to parse 'ratio' value", nil)
		return
	}
	inc := s.pendingInc()
	switch req.prefix {
	case "osd set-full-ratio":
		inc.NewFullRatio = float32(n)
	case "osd set-backfillfull-ratio":
		inc.NewBackfillfullRatio = float32(n)
	default:
		inc.NewNearfullRatio = float32(n)
	}
	s.commit(req, req.prefix+" "+ostreamFloat(n))
}

// setMaxOSD is `osd setmaxosd N`: no more than mon_max_osd, and not
// below an OSD that exists.
func (s *osdMon) setMaxOSD(req *request) {
	n, _ := req.int("newmax")
	if n > s.opts.maxOSD {
		req.respond(errno(syscall.ERANGE), fmt.Sprintf("cannot set max_osd to %d which is > conf.mon_max_osd (%d)", n, s.opts.maxOSD), nil)
		return
	}
	pm := s.pendingOSDMap()
	for o := int32(n); o < pm.MaxOSD; o++ {
		if pm.Exists(o) {
			req.respond(errno(syscall.EBUSY), fmt.Sprintf("cannot shrink max_osd to %d because osd.%d (and possibly others) still in use", n, o), nil)
			return
		}
	}
	s.pendingInc().NewMaxOSD = int32(n)
	s.commit(req, fmt.Sprintf("set new max_osd = %d", n))
}

// setRequireMinCompatClient is `osd set-require-min-compat-client
// RELEASE [--yes-i-really-mean-it]`: a release Pacific knows, none older
// than what the map's features need. (ceph-mon also refuses, unless the
// operator insists, when connected clients look older; kelp-mon does not
// check its sessions for that.)
func (s *osdMon) setRequireMinCompatClient(req *request) {
	v, _ := req.str("version")
	r, ok := releaseByName(v)
	if !ok {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("version %s is not recognized", v), nil)
		return
	}
	pm := s.pendingOSDMap()
	if need := pm.MinCompatClient(); r < need {
		req.respond(errno(syscall.EPERM), fmt.Sprintf("osdmap current utilizes features that require %s; cannot set require_min_compat_client below that to %s", need, r), nil)
		return
	}
	s.pendingInc().NewRequireMinCompat = r
	s.commit(req, "set require_min_compat_client to "+r.String())
}

// requireOSDRelease is `osd require-osd-release RELEASE
// [--yes-i-really-mean-it]`: setting the release the map already requires
// does nothing; otherwise some OSD must be up (unless the operator
// insists), and the release cannot go down. (ceph-mon also checks that the
// monitors and the up OSDs have the release's features; a Pacific
// cluster has them all, and kelp-mon does not check.)
func (s *osdMon) requireOSDRelease(req *request) {
	v, _ := req.str("release")
	r, ok := releaseByName(v)
	if !ok {
		req.respond(errno(syscall.EINVAL), "unrecognized release "+v, nil)
		return
	}
	pm := s.pendingOSDMap()
	if r == pm.RequireOSDRelease {
		req.respond(0, "", nil)
		return
	}
	up := false
	for o := int32(0); o < pm.MaxOSD && !up; o++ {
		up = pm.IsUp(o)
	}
	if !up && !req.bool("yes_i_really_mean_it") {
		req.respond(errno(syscall.EPERM), "Not advisable to continue since no OSDs are up. Pass --yes-i-really-mean-it if you really wish to continue.", nil)
		return
	}
	if r < pm.RequireOSDRelease {
		req.respond(errno(syscall.EPERM), "require_osd_release cannot be lowered once it has been set", nil)
		return
	}
	s.pendingInc().NewRequireOSDRelease = r
	s.commit(req, "")
}

// osdPause is `osd pause` and `osd unpause`: the pauserd and pausewr
// flags together.
func (s *osdMon) osdPause(req *request) {
	const pause = osdmap.FlagPauseRD | osdmap.FlagPauseWR
	flags := s.pendingOSDMap().Flags
	inc := s.pendingInc()
	if req.prefix == "osd pause" {
		inc.NewFlags = int32(flags | pause)
		s.commit(req, osdmap.FlagString(pause)+" is set")
	} else {
		inc.NewFlags = int32(flags &^ pause)
		s.commit(req, osdmap.FlagString(pause)+" is unset")
	}
}

// noFlagBits are the per-OSD state bits of `osd add-noup` and the like.
var noFlagBits = map[string]uint32{"noup": osdmap.StateNoUp, "nodown": osdmap.StateNoDown,
	"noin": osdmap.StateNoIn, "noout": osdmap.StateNoOut}

// osdNoFlags is `osd add-noup|add-nodown|add-noin|add-noout WHO...` and
// the rm- forms. Each WHO is an OSD id (the flag goes into its state),
// a device class or a CRUSH node (into the map's device class or CRUSH
// node flags), or any/all/* for every OSD. OSDs that do not exist are
// named in the reply and skipped, as ceph-mon does.
func (s *osdMon) osdNoFlags(req *request) {
	op, flag, _ := strings.Cut(strings.TrimPrefix(req.prefix, "osd "), "-")
	bit := noFlagBits[flag]
	pm := s.pendingOSDMap()
	cm, err := pm.CrushMap()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	set := func(f uint32) uint32 {
		if op == "add" {
			return f | bit
		}
		return f &^ bit
	}
	var rs strings.Builder
	var ids []int32
	classes, nodes := map[int32]uint32{}, map[int32]uint32{}
	for _, a := range req.strs("ids") {
		if a == "any" || a == "all" || a == "*" {
			ids, _ = parseOSDIDs(pm, []string{a})
			break
		}
		if one, err := parseOSDIDs(pm, []string{a}); err == nil {
			if !pm.Exists(one[0]) {
				fmt.Fprintf(&rs, "osd.%d does not exist. ", one[0])
				continue
			}
			ids = append(ids, one[0])
		} else if c, ok := cm.ClassID(a); ok {
			classes[c] = set(pm.DeviceClassFlags[c])
		} else if n, ok := cm.ItemID(a); ok {
			nodes[n] = set(pm.CrushNodeFlags[n])
		} else {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("unable to parse osd id or crush node or device class: \"%s\". ", a), nil)
			return
		}
	}
	for _, o := range ids {
		if has := pm.OSDState[o]&bit != 0; has != (op == "add") {
			xorState(s.pendingInc(), o, bit)
		}
	}
	if len(classes) > 0 || len(nodes) > 0 {
		inc := s.pendingInc()
		maps.Copy(inc.NewDeviceClassFlags, classes)
		maps.Copy(inc.NewCrushNodeFlags, nodes)
	}
	s.commit(req, rs.String())
}

// blocklist is `osd blocklist add|rm ADDR [EXPIRE]`. Addresses are
// stored with type "any", as a Nautilus-or-later cluster does.
func (s *osdMon) blocklist(req *request) {
	op, _ := req.str("blocklistop")
	addrStr, _ := req.str("addr")
	if req.strOr("range", "") != "" {
		req.respond(errno(syscall.EOPNOTSUPP), "kelp-mon does not blocklist ranges yet", nil)
		return
	}
	a, _, err := encoding.ParseAddr(addrStr, encoding.AddrAny)
	if err != nil {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("unable to parse address %s", addrStr), nil)
		return
	}
	a.Type = encoding.AddrAny
	pm := s.pendingOSDMap()
	switch op {
	case "add":
		expire := s.opts.blocklistDefaultExpire
		if e, ok := req.args["expire"].(float64); ok && e > 0 {
			expire = e
		}
		until := s.now().Add(time.Duration(expire * float64(time.Second)))
		inc := s.pendingInc()
		if inc.NewBlocklist == nil {
			inc.NewBlocklist = map[encoding.EntityAddr]encoding.UTime{}
		}
		u := encoding.UTimeOf(until)
		inc.NewBlocklist[a] = u
		s.commit(req, fmt.Sprintf("blocklisting %s until %s (%s sec)", a.LegacyString(), u.String(),
			strconv.FormatFloat(expire, 'g', -1, 64)))
	case "rm":
		inc := s.pendingInc()
		if _, ok := pm.Blocklist[a]; ok {
			inc.OldBlocklist = append(inc.OldBlocklist, a)
			s.commit(req, "un-blocklisting "+a.LegacyString())
			return
		}
		if _, ok := inc.NewBlocklist[a]; ok {
			delete(inc.NewBlocklist, a)
			s.commit(req, "un-blocklisting "+a.LegacyString())
			return
		}
		req.respond(0, a.LegacyString()+" isn't blocklisted", nil)
	default:
		req.respond(errno(syscall.EINVAL), "unknown blocklist op "+op, nil)
	}
}

// osdWeightCommand is `osd reweight ID W` and `osd primary-affinity ID W`.
func (s *osdMon) osdWeightCommand(req *request) {
	id, _ := req.int("id")
	o := int32(id)
	w, _ := req.args["weight"].(float64)
	pm := s.pendingOSDMap()
	if !pm.Exists(o) {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("osd.%d does not exist", o), nil)
		return
	}
	if w < 0 || w > 1 {
		req.respond(errno(syscall.ERANGE), "weight must be in the range [0..1]", nil)
		return
	}
	ww := uint32(int32(float32(osdmap.WeightIn) * float32(w)))
	inc := s.pendingInc()
	wstr := ostreamFloat(w)
	if req.prefix == "osd reweight" {
		setWeight(inc, o, ww)
		s.commit(req, fmt.Sprintf("reweighted osd.%d to %s (%x)", o, wstr, ww))
		return
	}
	if inc.NewPrimaryAff == nil {
		inc.NewPrimaryAff = map[int32]uint32{}
	}
	inc.NewPrimaryAff[o] = ww
	// Ceph streams std::ios::hex and std::ios::dec themselves here (the
	// flag values 8 and 2) around the decimal value; kept as it prints.
	s.commit(req, fmt.Sprintf("set osd.%d primary-affinity to %s (8%d2)", o, wstr, ww))
}
