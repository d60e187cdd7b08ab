package mon

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon/store"
)

// Where mkfs leaves the initial monmap for the first leader to commit
// (Monitor::mkfs and MonmapMonitor::create_initial).
const (
	mkfsPrefix    = "mkfs"
	mkfsMonmapKey = "monmap"
)

// monmapMon is MonmapMonitor: every version is a whole MonMap whose epoch
// is the version.
type monmapMon struct {
	m       *Monitor
	v       versions
	current *monmap.MonMap
	pending *monmap.MonMap // nil when nothing is pending
}

func newMonmapMon(m *Monitor) *monmapMon {
	return &monmapMon{m: m, v: versions{prefix: "monmap", st: m.store}}
}

func (s *monmapMon) name() string { return "monmap" }

// createInitial proposes the map mkfs stored as epoch 1.
func (s *monmapMon) createInitial() error {
	b, err := s.m.store.Get(mkfsPrefix, mkfsMonmapKey)
	if err != nil {
		return fmt.Errorf("mon: no initial monmap from mkfs: %w", err)
	}
	mm, err := monmap.Decode(b)
	if err != nil {
		return fmt.Errorf("mon: mkfs monmap: %w", err)
	}
	mm.Epoch = 1
	s.pending = mm
	return nil
}

func (s *monmapMon) refresh() error {
	var have uint64
	if s.current != nil {
		have = uint64(s.current.Epoch)
	}
	m, ver, err := latestMap(s.v, have, monmap.Decode)
	if err != nil || ver == 0 {
		return err
	}
	s.current = m
	s.m.notifySubscribers("monmap")
	return nil
}

func (s *monmapMon) encodePending(tx *store.Transaction) (bool, error) {
	if s.pending == nil {
		return false, nil
	}
	if err := s.v.putWhole(tx, uint64(s.pending.Epoch), s.pending.Encode(encoding.FeaturesPacific)); err != nil {
		return false, err
	}
	s.pending = nil
	return true, nil
}

// mapAt returns the monmap of an epoch, or the current one for 0.
func (s *monmapMon) mapAt(epoch uint64) (*monmap.MonMap, error) {
	if epoch == 0 || (s.current != nil && epoch == uint64(s.current.Epoch)) {
		if s.current == nil {
			return nil, store.ErrNotFound
		}
		return s.current, nil
	}
	b, err := s.v.get(epoch)
	if err != nil {
		return nil, err
	}
	return monmap.Decode(b)
}

func (s *monmapMon) command(req *request) bool {
	switch req.prefix {
	case "mon dump", "mon getmap":
		epoch, _ := req.int("epoch")
		mm, err := s.mapAt(uint64(max(epoch, 0)))
		if errors.Is(err, store.ErrNotFound) {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("there is no map for epoch %d", epoch), nil)
			return true
		} else if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return true
		}
		if req.prefix == "mon getmap" {
			req.respond(0, fmt.Sprintf("got monmap epoch %d", mm.Epoch),
				mm.Encode(req.session.featuresOr(encoding.FeaturesPacific)))
			return true
		}
		rs := fmt.Sprintf("dumped monmap epoch %d", mm.Epoch)
		if f := req.formatOf(fmtPlain); isJSON(f) {
			req.replyJSONVia(streamed, 0, rs, monDumpJSON{mm.Dump(), s.m.quorumRanks()}, f)
		} else {
			req.respond(0, rs, []byte(mm.Print()))
		}
	case "mon stat":
		s.stat(req)
	case "mon add", "mon rm", "mon remove":
		s.prepare(req)
	case "mon set election_strategy", "mon add disallowed_leader", "mon rm disallowed_leader":
		s.prepareElection(req)
	default:
		return false
	}
	return true
}

// monDumpJSON is `mon dump -f json`: the map and the quorum.
type monDumpJSON struct {
	monmap.JSON
	Quorum []int `json:"quorum"`
}

func (s *monmapMon) stat(req *request) {
	mm := s.current
	q := s.m.quorumRanks()
	if f := req.formatOf(fmtPlain); isJSON(f) {
		type rankName struct {
			Rank int    `json:"rank"`
			Name string `json:"name"`
		}
		out := struct {
			Epoch             uint32     `json:"epoch"`
			MinMonReleaseName string     `json:"min_mon_release_name"`
			NumMons           int        `json:"num_mons"`
			Leader            string     `json:"leader"`
			Quorum            []rankName `json:"quorum"`
		}{Epoch: mm.Epoch, MinMonReleaseName: mm.MinMonRelease.String(), NumMons: len(mm.Mons),
			Leader: s.m.leaderName(), Quorum: []rankName{}}
		for _, r := range q {
			out.Quorum = append(out.Quorum, rankName{r, mm.Ranks[r]})
		}
		req.replyJSONVia(streamed, 0, "", out, f)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "e%d: %d mons at {", mm.Epoch, len(mm.Mons))
	for i, name := range slices.Sorted(maps.Keys(mm.Mons)) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%s", name, mm.Mons[name].PublicAddrs)
	}
	removed := make([]string, len(mm.RemovedRanks))
	for i, r := range mm.RemovedRanks {
		removed[i] = fmt.Sprint(r)
	}
	fmt.Fprintf(&b, "} removed_ranks: {%s}", strings.Join(removed, ","))
	if len(mm.DisallowedLeaders) > 0 {
		fmt.Fprintf(&b, " disallowed_leaders: {%s}", strings.Join(mm.DisallowedLeaders, ","))
	}
	fmt.Fprintf(&b, ", election epoch %d, leader %d %s, quorum %s %s\n",
		s.m.electionEpoch, s.m.leader, s.m.leaderName(), joinInts(q, ","), strings.Join(s.m.quorumNames(), ","))
	req.respond(0, "", []byte(b.String()))
}

// checkSub serves "monmap" subscriptions (MonmapMonitor::check_sub).
func (s *monmapMon) checkSub(sess *Session, what string) bool {
	if what != "monmap" {
		return false
	}
	sub := sess.subs.get(what)
	if epoch := uint64(s.current.Epoch); sub.next <= epoch {
		s.m.sendMonmap(sess)
		s.m.advanceSub(sess, what, epoch+1)
	}
	return true
}
