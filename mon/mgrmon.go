package mon

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"syscall"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/mgrmap"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// mgrMon is MgrMonitor (src/mon/MgrMonitor.cc): the MgrMap. Each version
// of the "mgr" prefix is the whole map of that epoch. Without a manager
// daemon (kelp has no MMgrBeacon handling yet) the map stays at its
// initial epoch, as a real monitor's does until a ceph-mgr starts.
type mgrMon struct {
	m       *Monitor
	v       versions
	current *mgrmap.MgrMap
	pending *mgrmap.MgrMap
}

func newMgrMon(m *Monitor) *mgrMon {
	return &mgrMon{m: m, v: versions{prefix: "mgr", st: m.store}}
}

func (s *mgrMon) name() string { return "mgr" }

func (s *mgrMon) createInitial() error {
	s.pending = mgrmap.Initial()
	return nil
}

func (s *mgrMon) refresh() error {
	var have uint64
	if s.current != nil {
		have = uint64(s.current.Epoch)
	}
	m, ver, err := latestMap(s.v, have, mgrmap.Decode)
	if err != nil || ver == 0 {
		return err
	}
	s.current = m
	s.m.notifySubscribers("mgrmap")
	return nil
}

func (s *mgrMon) encodePending(tx *store.Transaction) (bool, error) {
	if s.pending == nil {
		return false, nil
	}
	if err := s.v.putWhole(tx, uint64(s.pending.Epoch), s.pending.Encode(encoding.FeaturesPacific)); err != nil {
		return false, err
	}
	s.pending = nil
	return true, nil
}

// checkSub serves "mgrmap" subscriptions (MgrMonitor::check_sub).
func (s *mgrMon) checkSub(sess *Session, what string) bool {
	if what != "mgrmap" {
		return false
	}
	if s.current == nil {
		return true
	}
	sub := sess.subs.get(what)
	if epoch := uint64(s.current.Epoch); sub.next <= epoch {
		sess.send(&msg.MgrMap{MapBytes: s.current.Encode(sessionFeatures(sess))})
		s.m.advanceSub(sess, what, epoch+1)
	}
	return true
}

func (s *mgrMon) command(req *request) bool {
	if s.current == nil {
		return false
	}
	switch req.prefix {
	case "mgr dump":
		mm := s.current
		if e, ok := req.int("epoch"); ok && e > 0 && e != int64(mm.Epoch) {
			b, err := s.v.get(uint64(e))
			if errors.Is(err, store.ErrNotFound) {
				req.respond(errno(syscall.ENOENT), fmt.Sprintf("mgrmap epoch %d does not exist", e), nil)
				return true
			}
			if err == nil {
				mm, err = mgrmap.Decode(b)
			}
			if err != nil {
				req.respond(errno(syscall.EIO), err.Error(), nil)
				return true
			}
		}
		req.replyJSON(0, "", dumpMgrMap(mm), req.formatOf(fmtJSONPretty))
	case "mgr stat":
		o := newOrderedObject()
		o.set("epoch", s.current.Epoch)
		o.set("available", s.current.Available)
		o.set("active_name", s.current.ActiveName)
		o.set("num_standby", len(s.current.Standbys))
		req.replyJSON(0, "", o, req.formatOf(fmtJSONPretty))
	case "mgr module ls":
		s.moduleLs(req)
	default:
		return false
	}
	return true
}

// alwaysOn returns the always-on modules of this release (Pacific's).
func (s *mgrMon) alwaysOn() []string {
	return nonNilStrs(s.current.AlwaysOnModules[uint32(encoding.ReleasePacific)])
}

func (s *mgrMon) moduleLs(req *request) {
	mm := s.current
	disabled := []string{}
	for _, mi := range mm.AvailableModules {
		if !slices.Contains(mm.Modules, mi.Name) && !slices.Contains(s.alwaysOn(), mi.Name) {
			disabled = append(disabled, mi.Name)
		}
	}
	o := newOrderedObject()
	o.set("always_on_modules", s.alwaysOn())
	o.set("enabled_modules", nonNilStrs(mm.Modules))
	o.set("disabled_modules", disabled)
	req.replyJSON(0, "", o, req.formatOf(fmtJSONPretty))
}

// mgrStandbyJSON and dumpMgrMap are MgrMap::dump.
type mgrStandbyJSON struct {
	GID              uint64 `json:"gid"`
	Name             string `json:"name"`
	AvailableModules []any  `json:"available_modules"`
	MgrFeatures      uint64 `json:"mgr_features"`
}

func dumpMgrMap(mm *mgrmap.MgrMap) *orderedObject {
	o := newOrderedObject()
	o.set("epoch", mm.Epoch)
	o.set("active_gid", mm.ActiveGID)
	o.set("active_name", mm.ActiveName)
	o.set("active_addrs", mm.ActiveAddrs.JSON())
	o.set("active_addr", mm.ActiveAddrs.LegacyOrFront().LegacyString())
	o.set("active_change", utimeStr(mm.ActiveChange))
	o.set("active_mgr_features", mm.ActiveMgrFeatures)
	o.set("available", mm.Available)
	standbys := []mgrStandbyJSON{}
	for _, gid := range slices.Sorted(maps.Keys(mm.Standbys)) {
		sb := mm.Standbys[gid]
		standbys = append(standbys, mgrStandbyJSON{sb.GID, sb.Name, dumpModules(sb.AvailableModules), sb.MgrFeatures})
	}
	o.set("standbys", standbys)
	o.set("modules", nonNilStrs(mm.Modules))
	o.set("available_modules", dumpModules(mm.AvailableModules))
	services := newOrderedObject()
	for _, k := range slices.Sorted(maps.Keys(mm.Services)) {
		services.set(k, mm.Services[k])
	}
	o.set("services", services)
	always := newOrderedObject()
	for _, r := range slices.Sorted(maps.Keys(mm.AlwaysOnModules)) {
		always.set(encoding.Release(r).String(), nonNilStrs(mm.AlwaysOnModules[r]))
	}
	o.set("always_on_modules", always)
	o.set("last_failure_osd_epoch", mm.LastFailureOSDEpoch)
	clients := []any{}
	for _, c := range mm.Clients {
		clients = append(clients, map[string]any{"name": c.Name, "addrvec": c.Addrs.JSON().AddrVec})
	}
	o.set("active_clients", clients)
	return o
}

func dumpModules(mods []mgrmap.ModuleInfo) []any {
	out := []any{}
	for _, mi := range mods {
		m := newOrderedObject()
		m.set("name", mi.Name)
		m.set("can_run", mi.CanRun)
		m.set("error_string", mi.ErrorString)
		m.set("module_options", map[string]any{})
		out = append(out, m)
	}
	return out
}

// Status pieces for `ceph -s` (the lead's status command).

// mgrSummary reports whether an active manager is available, its name
// and the number of standbys.
func (s *mgrMon) mgrSummary() (available bool, active string, standbys int) {
	if s.current == nil {
		return false, "", 0
	}
	return s.current.Available, s.current.ActiveName, len(s.current.Standbys)
}

// enabledModules lists the modules the map enables.
func (s *mgrMon) enabledModules() []string {
	if s.current == nil {
		return nil
	}
	return slices.Clone(s.current.Modules)
}
