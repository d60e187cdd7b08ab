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
	"github.com/kelp-ceph/kelp/maps/fsmap"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// mdsMon is MDSMonitor (src/mon/MDSMonitor.cc): the FSMap, stored under
// the "mdsmap" prefix, each version the whole map of that epoch. kelp
// carries file systems as raw structs (package maps/fsmap), so it serves
// a map without file systems: what a cluster has before `fs new`.
type mdsMon struct {
	m       *Monitor
	v       versions
	current *fsmap.FSMap
	pending *fsmap.FSMap
}

func newMDSMon(m *Monitor) *mdsMon {
	return &mdsMon{m: m, v: versions{prefix: "mdsmap", st: m.store}}
}

func (s *mdsMon) name() string { return "mdsmap" }

func (s *mdsMon) createInitial(tx *store.Transaction) error {
	s.pending = fsmap.Initial()
	return nil
}

func (s *mdsMon) refresh() error {
	var have uint64
	if s.current != nil {
		have = uint64(s.current.Epoch)
	}
	m, ver, err := latestMap(s.v, have, fsmap.Decode)
	if err != nil || ver == 0 {
		return err
	}
	s.current = m
	s.m.notifySubscribers("fsmap")
	return nil
}

func (s *mdsMon) encodePending(tx *store.Transaction) (bool, error) {
	if s.pending == nil {
		return false, nil
	}
	if err := s.v.putWhole(tx, uint64(s.pending.Epoch), s.pending.Encode(encoding.FeaturesPacific)); err != nil {
		return false, err
	}
	s.pending = nil
	return true, nil
}

// checkSub serves "fsmap" subscriptions with MFSMap (MDSMonitor::check_sub).
// "fsmap.user" and "mdsmap" need the file systems' contents, which kelp
// does not decode yet; they are not served.
func (s *mdsMon) checkSub(sess *Session, what string) bool {
	if what != "fsmap" {
		return false
	}
	if s.current == nil {
		return true
	}
	sub := sess.subs[what]
	if epoch := uint64(s.current.Epoch); sub.next <= epoch {
		sess.send(&msg.FSMap{Epoch: s.current.Epoch, MapBytes: s.current.Encode(sessionFeatures(sess))})
		s.m.advanceSub(sess, what, epoch+1)
	}
	return true
}

func (s *mdsMon) command(req *request) bool {
	if s.current == nil {
		return false
	}
	f := req.formatOf(fmtPlain)
	switch req.prefix {
	case "fs ls":
		if len(s.current.Filesystems) > 0 {
			req.respond(errno(syscall.EOPNOTSUPP), "kelp-mon cannot list file systems yet", nil)
			return true
		}
		if isJSON(f) {
			req.replyJSON(0, "", []any{}, f)
		} else {
			req.respond(0, "", []byte("No filesystems enabled\n"))
		}
	case "fs dump":
		fm := s.current
		if e, ok := req.int("epoch"); ok && e > 0 && e != int64(fm.Epoch) {
			b, err := s.v.get(uint64(e))
			if errors.Is(err, store.ErrNotFound) {
				req.respond(errno(syscall.ENOENT), fmt.Sprintf("mdsmap epoch %d does not exist", e), nil)
				return true
			}
			if err == nil {
				fm, err = fsmap.Decode(b)
			}
			if err != nil {
				req.respond(errno(syscall.EIO), err.Error(), nil)
				return true
			}
		}
		if len(fm.Filesystems) > 0 || len(fm.StandbyDaemons) > 0 {
			req.respond(errno(syscall.EOPNOTSUPP), "kelp-mon cannot dump file systems and MDS daemons yet", nil)
			return true
		}
		rs := fmt.Sprintf("dumped fsmap epoch %d", fm.Epoch)
		if isJSON(f) {
			req.replyJSON(0, rs, dumpFSMap(fm), f)
		} else {
			req.respond(0, rs, []byte(printFSMap(fm)))
		}
	case "mds stat":
		if len(s.current.Filesystems) > 0 || len(s.current.StandbyDaemons) > 0 {
			req.respond(errno(syscall.EOPNOTSUPP), "kelp-mon cannot summarize file systems yet", nil)
			return true
		}
		if isJSON(f) {
			first, _ := s.v.firstCommitted()
			last, _ := s.v.lastCommitted()
			o := newOrderedObject()
			o.set("fsmap", dumpFSMap(s.current))
			o.set("mdsmap_first_committed", first)
			o.set("mdsmap_last_committed", last)
			req.replyJSON(0, "", o, f)
		} else {
			// FSMap::print_summary prints nothing without file systems
			// or standbys.
			req.respond(0, "", nil)
		}
	default:
		return false
	}
	return true
}

// compatString prints a CompatSet as CompatSet's operator<< does.
func compatString(c fsmap.CompatSet) string {
	set := func(fs fsmap.FeatureSet) string {
		parts := []string{}
		for _, id := range slices.Sorted(maps.Keys(fs)) {
			parts = append(parts, fmt.Sprintf("%d=%s", id, fs[id]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return "compat=" + set(c.Compat) + ",rocompat=" + set(c.ROCompat) + ",incompat=" + set(c.Incompat)
}

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

// printFSMap is FSMap::print for a map without file systems.
func printFSMap(fm *fsmap.FSMap) string {
	var b strings.Builder
	fmt.Fprintf(&b, "e%d\n", fm.Epoch)
	fmt.Fprintf(&b, "enable_multiple, ever_enabled_multiple: %d,%d\n", b01(fm.EnableMultiple), b01(fm.EverEnabledMultiple))
	fmt.Fprintf(&b, "default compat: %s\n", compatString(fm.Compat))
	fmt.Fprintf(&b, "legacy client fscid: %d\n", fm.LegacyClientFSCID)
	b.WriteString(" \n")
	if len(fm.Filesystems) == 0 {
		b.WriteString("No filesystems configured\n")
	}
	return b.String()
}

// dumpFSMap is FSMap::dump for a map without file systems.
func dumpFSMap(fm *fsmap.FSMap) *orderedObject {
	features := func(fs fsmap.FeatureSet) *orderedObject {
		o := newOrderedObject()
		for _, id := range slices.Sorted(maps.Keys(fs)) {
			o.set("feature_"+strconv.FormatUint(id, 10), fs[id])
		}
		return o
	}
	compat := newOrderedObject()
	compat.set("compat", features(fm.Compat.Compat))
	compat.set("ro_compat", features(fm.Compat.ROCompat))
	compat.set("incompat", features(fm.Compat.Incompat))
	flags := newOrderedObject()
	flags.set("enable_multiple", fm.EnableMultiple)
	flags.set("ever_enabled_multiple", fm.EverEnabledMultiple)
	o := newOrderedObject()
	o.set("epoch", fm.Epoch)
	o.set("default_fscid", fm.LegacyClientFSCID)
	o.set("compat", compat)
	o.set("feature_flags", flags)
	o.set("standbys", []any{})
	o.set("filesystems", []any{})
	return o
}

// Status pieces for `ceph -s`.

// fsSummary returns the FSMap epoch and the number of file systems and
// standby daemons.
func (s *mdsMon) fsSummary() (epoch uint32, filesystems, standbys int) {
	if s.current == nil {
		return 0, 0, 0
	}
	return s.current.Epoch, len(s.current.Filesystems), len(s.current.StandbyDaemons)
}
