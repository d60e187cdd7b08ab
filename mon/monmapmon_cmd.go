package mon

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
)

// Monitor ports: IANA's msgr2 port and the legacy one
// (CEPH_MON_PORT_IANA, CEPH_MON_PORT_LEGACY).
const (
	monPortIANA   = 3300
	monPortLegacy = 6789
)

// prepare handles the monmap's writes (MonmapMonitor::prepare_command):
// `mon add` and `mon rm`. The reply says "adding"/"removing", not "added":
// the change may cost the quorum before it commits.
func (s *monmapMon) prepare(req *request) {
	name, _ := req.str("name")
	cur := s.current
	switch req.prefix {
	case "mon add":
		addrStr, _ := req.str("addr")
		addr, rest, err := encoding.ParseAddr(addrStr, encoding.AddrMsgr2)
		if err != nil || rest != "" {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("addr %sdoes not parse", addrStr), nil)
			return
		}
		addrs := monAddrs(addr)
		if mi, ok := cur.Mons[name]; ok {
			if slices.Equal(mi.PublicAddrs, addrs) {
				req.respond(0, fmt.Sprintf("mon.%s at %s already exists", name, addrs), nil)
			} else {
				req.respond(errno(syscall.EEXIST), fmt.Sprintf("mon.%s already exists at address %s", name, mi.PublicAddrs), nil)
			}
			return
		}
		for _, other := range slices.Sorted(maps.Keys(cur.Mons)) {
			if slices.Equal(cur.Mons[other].PublicAddrs, addrs) {
				req.respond(errno(syscall.EEXIST), fmt.Sprintf("mon.%s already exists at address %s", other, addr), nil)
				return
			}
		}
		next := s.next()
		if err := next.Add(name, addrs); err != nil {
			req.respond(errno(syscall.EEXIST), err.Error(), nil)
			return
		}
		rs := fmt.Sprintf("adding mon.%s at %s", name, addrs)
		s.m.proposeReply(req, 0, rs, nil)
	default: // mon rm, mon remove
		if _, ok := cur.Mons[name]; !ok {
			req.respond(0, fmt.Sprintf("mon.%s does not exist or has already been removed", name), nil)
			return
		}
		if len(cur.Mons) == 1 {
			req.respond(errno(syscall.EINVAL), "error: refusing removal of last monitor "+name, nil)
			return
		}
		next := s.next()
		if err := next.Remove(name); err != nil {
			req.respond(errno(syscall.ENOENT), err.Error(), nil)
			return
		}
		next.DisallowedLeaders = slices.DeleteFunc(next.DisallowedLeaders, func(n string) bool { return n == name })
		s.m.proposeReply(req, 0, "", nil)
	}
}

// next returns the pending monmap, starting one from the committed map
// as the next epoch.
func (s *monmapMon) next() *monmap.MonMap {
	if s.pending == nil {
		s.pending = s.current.Clone()
		s.pending.Epoch++
	}
	s.pending.LastChanged = encoding.UTimeOf(time.Now())
	return s.pending
}

// monAddrs is the address vector `mon add` gives a monitor: the msgr2
// type on the IANA port, both protocols on their default ports when no
// port (or the legacy default) was given.
func monAddrs(a encoding.EntityAddr) encoding.EntityAddrVec {
	a.Nonce = 0
	withPort := func(a encoding.EntityAddr, t encoding.AddrType, port uint16) encoding.EntityAddr {
		a.Type, a.Addr = t, netip.AddrPortFrom(a.Addr.Addr(), port)
		return a
	}
	switch a.Addr.Port() {
	case monPortIANA:
		a.Type = encoding.AddrMsgr2
	case monPortLegacy:
		a = withPort(a, a.Type, 0)
	}
	if a.Addr.Port() != 0 {
		return encoding.EntityAddrVec{a}
	}
	return encoding.EntityAddrVec{withPort(a, encoding.AddrMsgr2, monPortIANA), withPort(a, encoding.AddrLegacy, monPortLegacy)}
}

// prepareElection changes how the monitors elect
// (MonmapMonitor::prepare_command): the strategy, and under disallow or
// connectivity the monitors that may not lead.
func (s *monmapMon) prepareElection(req *request) {
	name, _ := req.str("name")
	cur := s.current
	if s.pending != nil {
		cur = s.pending
	}
	switch req.prefix {
	case "mon set election_strategy":
		strat, _ := req.str("strategy")
		want, ok := map[string]monmap.ElectionStrategy{"classic": monmap.StrategyClassic,
			"disallow": monmap.StrategyDisallow, "connectivity": monmap.StrategyConnectivity}[strat]
		if !ok {
			req.respond(errno(syscall.EINVAL), "", nil)
			return
		}
		if cur.Strategy == want {
			// Pacific says nothing (later releases name the strategy).
			req.respond(0, "", nil)
			return
		}
		s.next().Strategy = want
	default:
		if cur.Strategy != monmap.StrategyDisallow && cur.Strategy != monmap.StrategyConnectivity {
			req.respond(errno(syscall.EINVAL), "You cannot disallow monitors in your current election mode", nil)
			return
		}
		if _, ok := cur.Mons[name]; !ok {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("mon.%s does not exist", name), nil)
			return
		}
		disallowed := slices.Contains(cur.DisallowedLeaders, name)
		if req.prefix == "mon add disallowed_leader" {
			if disallowed {
				req.respond(0, fmt.Sprintf("mon.%s is already disallowed", name), nil)
				return
			}
			if len(cur.DisallowedLeaders) == len(cur.Mons)-1 {
				req.respond(errno(syscall.EINVAL), fmt.Sprintf("mon.%s is the only remaining allowed leader!", name), nil)
				return
			}
			next := s.next()
			next.DisallowedLeaders = append(next.DisallowedLeaders, name)
			slices.Sort(next.DisallowedLeaders)
		} else {
			if !disallowed {
				req.respond(0, fmt.Sprintf("mon.%s is already allowed", name), nil)
				return
			}
			next := s.next()
			next.DisallowedLeaders = slices.DeleteFunc(next.DisallowedLeaders, func(n string) bool { return n == name })
		}
	}
	s.m.proposeReply(req, 0, "", nil)
}
