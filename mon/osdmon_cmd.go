package mon

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/mon/store"
)

// command routes the osd commands: reads answer from the committed map
// (OSDMonitor::preprocess_command), writes change the pending
// incremental and answer once it commits (prepare_command).
func (s *osdMon) command(req *request) bool {
	if s.osdmap == nil || !strings.HasPrefix(req.prefix, "osd ") {
		return false
	}
	if s.readCommand(req) || s.poolCommand(req) || s.osdStateCommand(req) || s.crushCommand(req) ||
		s.crushClassCommand(req) {
		return true
	}
	return false
}

// mapForEpoch returns the map a read command with an optional "epoch"
// asked for, answering ENOENT itself when there is none.
func (s *osdMon) mapForEpoch(req *request) (*osdmap.OSDMap, []byte, bool) {
	e, _ := req.int("epoch")
	m, b, err := s.mapAt(uint32(max(e, 0)))
	if errors.Is(err, store.ErrNotFound) {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("there is no map for epoch %d", e), nil)
		return nil, nil, false
	}
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return nil, nil, false
	}
	return m, b, true
}

func (s *osdMon) readCommand(req *request) bool {
	f := req.formatOf(fmtPlain)
	switch req.prefix {
	case "osd dump":
		m, _, ok := s.mapForEpoch(req)
		if !ok {
			return true
		}
		if isJSON(f) {
			req.replyJSONVia(streamed, 0, "", dumpOSDMap(m), f)
		} else {
			req.respond(0, "", []byte(m.Print()))
		}
	case "osd ls":
		m, _, ok := s.mapForEpoch(req)
		if !ok {
			return true
		}
		if isJSON(f) {
			req.replyJSONVia(streamed, 0, "", nonNil(m.OSDs()), f)
		} else {
			req.respond(0, "", []byte(m.OSDLs()))
		}
	case "osd stat":
		if isJSON(f) {
			req.respond(0, "", []byte(s.osdmap.StatJSON()))
		} else {
			req.respond(0, "", []byte(s.osdmap.Stat(s.now())))
		}
	case "osd getmap":
		m, b, ok := s.mapForEpoch(req)
		if !ok {
			return true
		}
		if !sameEncoding(sessionFeatures(req.session)) {
			b = m.Encode(m.EncodingFeatures() & sessionFeatures(req.session))
		}
		req.respond(0, fmt.Sprintf("got osdmap epoch %d", m.Epoch), b)
	case "osd getcrushmap":
		m, _, ok := s.mapForEpoch(req)
		if !ok {
			return true
		}
		cm, err := m.CrushMap()
		if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return true
		}
		req.respond(0, fmt.Sprint(m.CrushVersion), cm.Encode(sessionFeatures(req.session)))
	case "osd map":
		s.mapObject(req, f)
	case "osd pool ls":
		s.poolLs(req, f)
	case "osd pool get":
		s.poolGet(req, f)
	case "osd pool get-quota":
		// Ceph answers from the manager's PG statistics, which a
		// monitor without a manager does not have (OSDMonitor.cc
		// "osd pool get-quota" reads mon.mgrstatmon()->get_pool_stat).
		pool, _ := req.str("pool")
		if _, ok := s.osdmap.LookupPool(pool); !ok {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("unrecognized pool '%s'", pool), nil)
		} else {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("no stats for pool '%s'", pool), nil)
		}
	case "osd erasure-code-profile ls":
		names := slices.Sorted(maps.Keys(s.osdmap.ErasureCodeProfiles))
		if isJSON(f) {
			req.replyJSONVia(newlined, 0, "", names, f)
		} else {
			var b strings.Builder
			for _, n := range names {
				b.WriteString(n + "\n")
			}
			req.respond(0, "", []byte(b.String()))
		}
	case "osd erasure-code-profile get":
		name, _ := req.str("name")
		p, ok := s.osdmap.ErasureCodeProfiles[name]
		if !ok {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("unknown erasure code profile '%s'", name), nil)
			return true
		}
		if isJSON(f) {
			o := newOrderedObject()
			for _, k := range slices.Sorted(maps.Keys(p)) {
				o.set(k, p[k])
			}
			req.replyJSONVia(newlined, 0, "", o, f)
		} else {
			var b strings.Builder
			for _, k := range slices.Sorted(maps.Keys(p)) {
				fmt.Fprintf(&b, "%s=%s\n", k, p[k])
			}
			req.respond(0, "", []byte(b.String()))
		}
	case "osd blocklist ls":
		s.blocklistLs(req, f)
	case "osd metadata":
		s.osdMetadata(req)
	case "osd tree", "osd crush tree", "osd crush dump", "osd crush rule ls", "osd crush rule dump":
		s.crushRead(req, f)
	default:
		return false
	}
	return true
}

// mapObject is `osd map POOL OBJECT [NSPACE]`.
func (s *osdMon) mapObject(req *request, f string) {
	m := s.osdmap
	poolName, _ := req.str("pool")
	obj, _ := req.str("object")
	ns := req.strOr("nspace", "")
	id, ok := m.LookupPool(poolName)
	if !ok {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("pool %s does not exist", poolName), nil)
		return
	}
	raw, err := m.ObjectToPG(id, obj, "", ns)
	if err != nil {
		req.respond(errno(syscall.EINVAL), err.Error(), nil)
		return
	}
	pg := m.Pools[id].RawPGToPG(raw)
	mp, err := m.NewMapper()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	mm := mp.Map(pg)
	up, acting := nonNil(mm.Up), nonNil(mm.Acting)
	rawStr := fmt.Sprintf("%d.%x", raw.Pool, raw.Seed)
	if isJSON(f) {
		o := newOrderedObject()
		o.set("epoch", m.Epoch)
		o.set("pool", poolName)
		o.set("pool_id", id)
		o.set("objname", obj)
		if ns != "" {
			o.set("namespace", ns)
		}
		o.set("raw_pgid", rawStr)
		o.set("pgid", pg.String())
		o.set("up", up)
		o.set("up_primary", mm.UpPrimary)
		o.set("acting", acting)
		o.set("acting_primary", mm.ActingPrimary)
		req.replyJSON(0, "", o, f)
		return
	}
	name := obj
	if ns != "" {
		name = ns + "/" + obj
	}
	out := fmt.Sprintf("osdmap e%d pool '%s' (%d) object '%s' -> pg %s (%s) -> up (%s, p%d) acting (%s, p%d)\n",
		m.Epoch, poolName, id, name, rawStr, pg, osdList(up), mm.UpPrimary, osdList(acting), mm.ActingPrimary)
	req.respond(0, "", []byte(out))
}

func nonNil(v []int32) []int32 {
	if v == nil {
		return []int32{}
	}
	return v
}

// osdList prints a vector<int> as Ceph's operator<< does: [1,2,3].
func osdList(v []int32) string {
	parts := make([]string, len(v))
	for i, o := range v {
		parts[i] = fmt.Sprint(o)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func (s *osdMon) poolLs(req *request, f string) {
	m := s.osdmap
	detail := req.strOr("detail", "") == "detail"
	if !isJSON(f) {
		if detail {
			req.respond(0, "", []byte(m.PoolLsDetail()))
		} else {
			req.respond(0, "", []byte(m.PoolLs()))
		}
		return
	}
	if !detail {
		names := []string{}
		for _, id := range slices.Sorted(maps.Keys(m.Pools)) {
			names = append(names, m.PoolNames[id])
		}
		req.replyJSON(0, "", names, f)
		return
	}
	pools := dumpPools(m)
	for i := range pools {
		pools[i].PoolID, pools[i].Pool = pools[i].Pool, nil
	}
	req.replyJSON(0, "", pools, f)
}

func (s *osdMon) blocklistLs(req *request, f string) {
	m := s.osdmap
	n := len(m.Blocklist) + len(m.RangeBlocklist)
	if isJSON(f) {
		// Ceph flushes the blocklist and the range blocklist as two
		// arrays, one after the other.
		type entry struct {
			Addr  string `json:"addr"`
			Until string `json:"until"`
		}
		var out []byte
		for _, bl := range []map[encoding.EntityAddr]encoding.UTime{m.Blocklist, m.RangeBlocklist} {
			list := []entry{}
			for _, a := range slices.SortedFunc(maps.Keys(bl), osdmap.CompareAddr) {
				list = append(list, entry{a.LegacyString(), bl[a].String()})
			}
			b, err := renderJSON(list, f)
			if err != nil {
				req.respond(errno(syscall.EIO), err.Error(), nil)
				return
			}
			out = append(out, b...)
		}
		req.respond(0, fmt.Sprintf("listed %d entries", n), out)
		return
	}
	var b strings.Builder
	for _, bl := range []map[encoding.EntityAddr]encoding.UTime{m.Blocklist, m.RangeBlocklist} {
		for _, a := range slices.SortedFunc(maps.Keys(bl), osdmap.CompareAddr) {
			fmt.Fprintf(&b, "%s %s\n", a.LegacyString(), bl[a].String())
		}
	}
	req.respond(0, fmt.Sprintf("listed %d entries", n), []byte(b.String()))
}

// osdMetadata is `osd metadata [ID]`: what each OSD reported at boot.
func (s *osdMon) osdMetadata(req *request) {
	f := req.formatOf(fmtJSONPretty)
	load := func(o int32) (*orderedObject, error) {
		b, err := s.m.store.Get(osdMetadataPrefix, strconv.Itoa(int(o)))
		if err != nil {
			return nil, err
		}
		d := encoding.NewDecoder(b)
		md := encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
		if err := d.Err(); err != nil {
			return nil, err
		}
		obj := newOrderedObject()
		obj.set("id", o)
		for _, k := range slices.Sorted(maps.Keys(md)) {
			obj.set(k, md[k])
		}
		return obj, nil
	}
	m := s.osdmap
	if id, ok := req.int("id"); ok {
		o := int32(id)
		if !m.Exists(o) {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("osd.%d does not exist", o), nil)
			return
		}
		obj, err := load(o)
		if err != nil {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("error fetching metadata for osd.%d: %v", o, err), nil)
			return
		}
		req.replyJSON(0, "", obj, f)
		return
	}
	all := []*orderedObject{}
	for o := int32(0); o < m.MaxOSD; o++ {
		if !m.Exists(o) {
			continue
		}
		if obj, err := load(o); err == nil {
			all = append(all, obj)
		}
	}
	req.replyJSON(0, "", all, f)
}
