package quorum

import (
	"bytes"
	"slices"
	"time"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// ProbeConfig is what probing needs of the monitor.
type ProbeConfig struct {
	Name string // this monitor's name
	// MaxJoinDrift is paxos_max_join_drift (Pacific: 10): a peer more
	// versions ahead than this makes us sync before electing.
	MaxJoinDrift uint64
	// Timeout is mon_probe_timeout (Pacific: 2s): probing starts over
	// when nothing was decided by then.
	Timeout time.Duration
	// MonRelease is ceph_release() of this monitor (16: pacific).
	MonRelease uint8
	// RequiredFeatures are the monitor features the cluster requires;
	// a probe from a peer without them gets a missing_features reply.
	RequiredFeatures uint64
}

// DefaultProbeConfig returns Pacific's defaults for a monitor name.
func DefaultProbeConfig(name string) ProbeConfig {
	return ProbeConfig{Name: name, MaxJoinDrift: 10, Timeout: 2 * time.Second, MonRelease: 16}
}

// ProbeState is what the monitor currently is, as probes report it.
type ProbeState struct {
	MonMap        *monmap.MonMap
	MonMapBytes   []byte // MonMap encoded (what we send and compare)
	PaxosFirst    uint64
	PaxosLast     uint64
	HasEverJoined bool
	Quorum        []int // empty unless in a quorum
	// Leader is the monitor's leader field as Ceph keeps it: a real
	// monitor reports 0 before its first election and the last leader
	// after that, with or without a quorum (seen in captured replies).
	Leader int
}

// ProbeEnvelope is a probe message for the monitor of rank To.
type ProbeEnvelope struct {
	To  int
	Msg *msg.MonProbe
}

// ProbeOutcome is what a probing call decided. At most one of Elect,
// Sync, Join, NewMonMap and Restart is set.
type ProbeOutcome struct {
	Messages []ProbeEnvelope
	// Elect: enough monitors are around: start an election
	// (elector.Elector.Start).
	Elect bool
	// Sync: a peer is too far ahead; sync the store from it (StartSync)
	// and probe again afterwards.
	Sync *SyncFrom
	// Join: a quorum exists but we are not in its monmap: send MMonJoin
	// (our name and addresses) to this rank and keep probing.
	Join *int
	// NewMonMap: a peer that has joined a quorum has a newer monmap (or
	// we never joined): adopt it and start probing again.
	NewMonMap []byte
	// Restart: the probe timeout passed: start probing again
	// (Monitor::probe_timeout calls bootstrap).
	Restart bool
}

// SyncFrom says whom to sync from and how.
type SyncFrom struct {
	Rank int
	Full bool // the peer trimmed past our last version: copy everything
}

// Prober is the probing phase of Monitor::bootstrap and handle_probe: it
// sends probes to every other monitor of the monmap and reads their
// replies until it can elect, must sync or must join.
type Prober struct {
	cfg     ProbeConfig
	st      ProbeState
	probing bool
	outside map[string]bool // Monitor::outside_quorum
	expire  time.Time
}

// NewProber returns an idle Prober.
func NewProber(cfg ProbeConfig) *Prober {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	return &Prober{cfg: cfg}
}

// Probing reports whether a probe round is under way.
func (p *Prober) Probing() bool { return p.probing }

// NextDeadline is when Tick must be called (zero: not probing).
func (p *Prober) NextDeadline() time.Time { return p.expire }

// Stop ends probing (an election or a sync starts).
func (p *Prober) Stop() { p.probing, p.expire = false, time.Time{} }

func (p *Prober) rank() int {
	if p.st.MonMap == nil {
		return -1
	}
	return p.st.MonMap.Rank(p.cfg.Name)
}

// Start begins probing (Monitor::bootstrap) with the monitor's state. A
// monmap of one monitor, this one, elects at once.
func (p *Prober) Start(now time.Time, st ProbeState) ProbeOutcome {
	p.st = st
	p.probing = true
	p.outside = map[string]bool{}
	var out ProbeOutcome
	me := p.rank()
	if st.MonMap != nil && len(st.MonMap.Ranks) == 1 && me == 0 {
		p.Stop()
		out.Elect = true
		return out
	}
	p.expire = now.Add(p.cfg.Timeout)
	if me >= 0 {
		p.outside[p.cfg.Name] = true
	}
	if st.MonMap == nil {
		return out
	}
	for r := range st.MonMap.Ranks {
		if m := p.ProbeTo(r); m != nil {
			out.Messages = append(out.Messages, ProbeEnvelope{To: r, Msg: m})
		}
	}
	return out
}

// ProbeTo returns the probe for the monitor of rank to while probing, or
// nil. Start sends one to every peer; the monitor sends another to a
// peer whose connection comes up later, when the first was lost for
// want of one.
func (p *Prober) ProbeTo(to int) *msg.MonProbe {
	if !p.probing || p.st.MonMap == nil || to < 0 || to >= len(p.st.MonMap.Ranks) || to == p.rank() {
		return nil
	}
	return ProbeMessage(p.cfg, p.st.MonMap.FSID, p.st.HasEverJoined)
}

// ProbeMessage is the probe a monitor sends (Monitor::bootstrap's
// MMonProbe OP_PROBE): its name, release and whether it ever joined.
func ProbeMessage(cfg ProbeConfig, fsid encoding.UUID, hasEverJoined bool) *msg.MonProbe {
	return &msg.MonProbe{FSID: fsid, Op: msg.ProbeOpProbe, Name: cfg.Name,
		HasEverJoined: hasEverJoined, MonRelease: cfg.MonRelease, Leader: -1}
}

// Tick restarts probing when the probe timeout passed.
func (p *Prober) Tick(now time.Time) ProbeOutcome {
	if !p.probing || p.expire.IsZero() || now.Before(p.expire) {
		return ProbeOutcome{}
	}
	p.Stop()
	return ProbeOutcome{Restart: true}
}

// Reply answers a probe in any state (Monitor::handle_probe_probe): our
// quorum, leader, monmap and Paxos versions. It returns nil for a probe
// of another cluster. peerFeatures are the probing connection's
// features.
func Reply(cfg ProbeConfig, st ProbeState, m *msg.MonProbe, peerFeatures uint64) *msg.MonProbe {
	if st.MonMap == nil || m.FSID != st.MonMap.FSID {
		return nil
	}
	r := &msg.MonProbe{FSID: st.MonMap.FSID, Name: cfg.Name, HasEverJoined: st.HasEverJoined,
		MonRelease: cfg.MonRelease, Leader: -1}
	if req := cfg.RequiredFeatures; peerFeatures&req != req {
		r.Op = msg.ProbeOpMissingFeatures
		r.RequiredFeatures = req
		return r
	}
	r.Op = msg.ProbeOpReply
	for _, q := range st.Quorum {
		r.Quorum = append(r.Quorum, int32(q))
	}
	slices.Sort(r.Quorum)
	r.Leader = int32(st.Leader)
	r.MonMap = st.MonMapBytes
	r.PaxosFirstVersion, r.PaxosLastVersion = st.PaxosFirst, st.PaxosLast
	return r
}

// HandleReply reads a probe reply from the monitor of rank from
// (Monitor::handle_probe_reply).
func (p *Prober) HandleReply(now time.Time, from int, m *msg.MonProbe) ProbeOutcome {
	var out ProbeOutcome
	if !p.probing || m.Op != msg.ProbeOpReply || p.st.MonMap == nil || m.FSID != p.st.MonMap.FSID {
		return out
	}
	// A newer monmap from a monitor that has been in a quorum wins.
	if len(m.MonMap) > 0 && !bytes.Equal(m.MonMap, p.st.MonMapBytes) {
		if peer, err := monmap.Decode(m.MonMap); err == nil && m.HasEverJoined &&
			(peer.Epoch > p.st.MonMap.Epoch || !p.st.HasEverJoined) {
			p.Stop()
			out.NewMonMap = m.MonMap
			return out
		}
	}
	// Too far behind: sync first.
	if p.st.PaxosLast < m.PaxosFirstVersion && m.PaxosFirstVersion > 1 {
		p.Stop()
		out.Sync = &SyncFrom{Rank: from, Full: true}
		return out
	}
	if p.st.PaxosLast+p.cfg.MaxJoinDrift < m.PaxosLastVersion {
		p.Stop()
		out.Sync = &SyncFrom{Rank: from, Full: false}
		return out
	}
	if len(m.Quorum) > 0 {
		// A quorum exists: join its next election, or ask to be added.
		if p.rank() >= 0 {
			p.Stop()
			out.Elect = true
		} else {
			r := from
			out.Join = &r
		}
		return out
	}
	if p.st.MonMap.Rank(m.Name) < 0 {
		return out // not one of ours
	}
	p.outside[m.Name] = true
	if len(p.outside) >= len(p.st.MonMap.Ranks)/2+1 && p.outside[p.cfg.Name] {
		p.Stop()
		out.Elect = true
	}
	return out
}
