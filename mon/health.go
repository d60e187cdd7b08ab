package mon

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/logentry"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// Health severities, ordered.
const (
	healthOK   = "HEALTH_OK"
	healthWarn = "HEALTH_WARN"
	healthErr  = "HEALTH_ERR"
)

func severityRank(s string) int { return slices.Index([]string{healthOK, healthWarn, healthErr}, s) }

// healthCheck is one raised check (health_check_t): severity, summary,
// how many things it counts, and detail lines.
type healthCheck struct {
	Severity string
	Summary  string
	Count    int
	Detail   []string
}

// healthReporter is implemented by services that raise health checks.
type healthReporter interface {
	healthChecks() map[string]healthCheck
}

// healthMute is a muted check (health_mute_t).
type healthMute struct {
	Code    string
	TTL     encoding.UTime // zero: forever
	Sticky  bool
	Summary string
	Count   int
}

// healthMon is HealthMonitor: it gathers the checks the services raise
// and keeps the operator's mutes ("health"/"mutes" in the store).
type healthMon struct {
	m *Monitor
	// last is what the previous tick saw, to log changes to the cluster
	// log as Ceph does ("Health check failed/cleared/update").
	last    map[string]healthCheck
	v       versions
	version uint64
	mutes   map[string]healthMute
	pending map[string]healthMute // nil when unchanged
}

func newHealthMon(m *Monitor) *healthMon {
	return &healthMon{m: m, v: versions{prefix: "health", st: m.store}, mutes: map[string]healthMute{}}
}

func (s *healthMon) name() string { return "health" }

func (s *healthMon) createInitial() error { return nil }

const keyMutes = "mutes"

func encodeMutes(mutes map[string]healthMute) []byte {
	var e encoding.Encoder
	e.Count(len(mutes))
	for _, code := range slices.Sorted(maps.Keys(mutes)) {
		mu := mutes[code]
		e.Str(code)
		st := e.Start(1, 1)
		e.Str(mu.Code)
		e.UTime(mu.TTL)
		e.Bool(mu.Sticky)
		e.Str(mu.Summary)
		e.I64(int64(mu.Count))
		e.End(st)
	}
	return e.Bytes()
}

func decodeMutes(b []byte) (map[string]healthMute, error) {
	d := encoding.NewDecoder(b)
	n := d.Count(4 + 6)
	out := make(map[string]healthMute, n)
	for range n {
		code := d.Str()
		st := d.StartNamed("health_mute_t", 1)
		mu := healthMute{Code: d.Str(), TTL: d.UTime(), Sticky: d.Bool(), Summary: d.Str(), Count: int(d.I64())}
		d.End(st)
		out[code] = mu
	}
	return out, d.Done()
}

func (s *healthMon) refresh() error {
	last, err := s.v.lastCommitted()
	if err != nil || last == s.version {
		return err
	}
	b, err := s.m.store.Get(s.v.prefix, keyMutes)
	if err != nil {
		return err
	}
	if s.mutes, err = decodeMutes(b); err != nil {
		return err
	}
	s.version = last
	return nil
}

func (s *healthMon) encodePending(tx *store.Transaction) (bool, error) {
	if s.pending == nil {
		return false, nil
	}
	ver := s.version + 1
	tx.Put(s.v.prefix, keyMutes, encodeMutes(s.pending))
	if err := s.v.putLastCommitted(tx, ver); err != nil {
		return false, err
	}
	s.pending = nil
	return true, nil
}

// checks gathers every service's checks.
func (s *healthMon) checks() map[string]healthCheck {
	all := map[string]healthCheck{}
	for _, svc := range s.m.services {
		if r, ok := svc.(healthReporter); ok {
			maps.Copy(all, r.healthChecks())
		}
	}
	return all
}

// muted reports whether a raised check is muted now.
func (s *healthMon) muted(code string, now time.Time) bool {
	mu, ok := s.mutes[code]
	return ok && (mu.TTL.IsZero() || mu.TTL.Time().After(now))
}

// overall is the cluster's status: the worst unmuted severity.
func (s *healthMon) overall(checks map[string]healthCheck, now time.Time) string {
	st := healthOK
	for code, c := range checks {
		if !s.muted(code, now) && severityRank(c.Severity) > severityRank(st) {
			st = c.Severity
		}
	}
	return st
}

// healthJSON is `health -f json` (health_check_map_t::dump plus mutes).
type healthJSON struct {
	Status string                     `json:"status"`
	Checks map[string]healthCheckJSON `json:"checks"`
	Mutes  []healthMuteJSON           `json:"mutes"`
}

type healthCheckJSON struct {
	Severity string `json:"severity"`
	Summary  struct {
		Message string `json:"message"`
		Count   int    `json:"count"`
	} `json:"summary"`
	// Detail is present (possibly empty) only in `health detail`.
	Detail *[]healthDetailJSON `json:"detail,omitempty"`
	Muted  bool                `json:"muted"`
}

type healthDetailJSON struct {
	Message string `json:"message"`
}

type healthMuteJSON struct {
	Code    string `json:"code"`
	TTL     string `json:"ttl,omitempty"`
	Sticky  bool   `json:"sticky"`
	Summary string `json:"summary"`
	Count   int    `json:"count"`
}

func (s *healthMon) report(detail bool, now time.Time) healthJSON {
	checks := s.checks()
	out := healthJSON{Status: s.overall(checks, now), Checks: map[string]healthCheckJSON{}, Mutes: []healthMuteJSON{}}
	for code, c := range checks {
		var j healthCheckJSON
		j.Severity = c.Severity
		j.Summary.Message = c.Summary
		j.Summary.Count = c.Count
		j.Muted = s.muted(code, now)
		if detail {
			lines := []healthDetailJSON{}
			for _, d := range c.Detail {
				lines = append(lines, healthDetailJSON{d})
			}
			j.Detail = &lines
		}
		out.Checks[code] = j
	}
	for _, code := range slices.Sorted(maps.Keys(s.mutes)) {
		mu := s.mutes[code]
		j := healthMuteJSON{Code: code, Sticky: mu.Sticky, Summary: mu.Summary, Count: mu.Count}
		if !mu.TTL.IsZero() {
			j.TTL = mu.TTL.String()
		}
		out.Mutes = append(out.Mutes, j)
	}
	return out
}

// text renders `health` and `health detail` as Ceph prints them.
func (s *healthMon) text(detail bool, now time.Time) string {
	checks := s.checks()
	status := s.overall(checks, now)
	codes := slices.Sorted(maps.Keys(checks))
	var summaries, mutedCodes []string
	for _, code := range codes {
		if s.muted(code, now) {
			mutedCodes = append(mutedCodes, code)
		} else {
			summaries = append(summaries, checks[code].Summary)
		}
	}
	var b strings.Builder
	b.WriteString(status)
	if len(summaries) > 0 {
		b.WriteString(" " + strings.Join(summaries, "; "))
	}
	if len(mutedCodes) > 0 {
		b.WriteString(" (muted: " + strings.Join(mutedCodes, " ") + ")")
	}
	b.WriteByte('\n')
	if detail {
		for _, code := range codes {
			c := checks[code]
			if s.muted(code, now) {
				b.WriteString("(MUTED) ")
			}
			sev := map[string]string{healthOK: "OK", healthWarn: "WRN", healthErr: "ERR"}[c.Severity]
			fmt.Fprintf(&b, "[%s] %s: %s\n", sev, code, c.Summary)
			for _, d := range c.Detail {
				b.WriteString("    " + d + "\n")
			}
		}
	}
	return b.String()
}

func (s *healthMon) command(req *request) bool {
	now := time.Now()
	switch req.prefix {
	case "health":
		detail := req.strOr("detail", "") == "detail"
		if f := req.formatOf(fmtPlain); isJSON(f) {
			req.replyJSON(0, "", s.report(detail, now), f)
		} else {
			req.respond(0, "", []byte(s.text(detail, now)))
		}
	case "health mute":
		code, _ := req.str("code")
		checks := s.checks()
		c, raised := checks[code]
		sticky := req.bool("sticky")
		if !raised && !sticky {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("health alert %s is not raised", code), nil)
			return true
		}
		mu := healthMute{Code: code, Sticky: sticky, Summary: c.Summary, Count: c.Count}
		if ttl, ok := req.str("ttl"); ok && ttl != "" {
			d, err := time.ParseDuration(ttl)
			if err != nil {
				req.respond(errno(syscall.EINVAL), fmt.Sprintf("unable to parse ttl '%s'", ttl), nil)
				return true
			}
			mu.TTL = encoding.UTimeOf(now.Add(d))
		}
		s.stage(func(p map[string]healthMute) { p[code] = mu })
		s.m.proposeReply(req, 0, "", nil)
	case "health unmute":
		code, _ := req.str("code")
		s.stage(func(p map[string]healthMute) {
			if code == "" {
				clear(p)
			} else {
				delete(p, code)
			}
		})
		s.m.proposeReply(req, 0, "", nil)
	default:
		return false
	}
	return true
}

// stage applies a change to the pending mutes.
func (s *healthMon) stage(fn func(map[string]healthMute)) {
	if s.pending == nil {
		s.pending = maps.Clone(s.mutes)
	}
	fn(s.pending)
}

// tick logs health changes to the cluster log (HealthMonitor's
// check_for_* and log_health): a check that appears, disappears or
// changes its summary.
func (s *healthMon) tick() {
	cur := s.checks()
	if s.last == nil {
		s.last = map[string]healthCheck{}
	}
	for _, code := range slices.Sorted(maps.Keys(cur)) {
		c := cur[code]
		prev, seen := s.last[code]
		prio := msg.ClogWarn
		if c.Severity == healthErr {
			prio = msg.ClogError
		}
		switch {
		case !seen:
			s.m.logm.clog(logentry.ChannelCluster, prio, fmt.Sprintf("Health check failed: %s (%s)", c.Summary, code))
		case prev.Summary != c.Summary:
			s.m.logm.clog(logentry.ChannelCluster, prio, fmt.Sprintf("Health check update: %s (%s)", c.Summary, code))
		}
	}
	for _, code := range slices.Sorted(maps.Keys(s.last)) {
		if _, still := cur[code]; !still {
			s.m.logm.clog(logentry.ChannelCluster, msg.ClogInfo,
				fmt.Sprintf("Health check cleared: %s (was: %s)", code, s.last[code].Summary))
		}
	}
	s.last = cur
}
