package mon

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
)

// The admin socket (src/common/admin_socket.cc) answers `ceph daemon
// mon.NAME CMD` and `ceph --admin-daemon PATH CMD`: a request is a JSON
// command ending in a NUL byte, the reply a big-endian u32 length and the
// output (JSON, pretty-printed as Ceph's daemons do). The CLI first asks
// for get_command_descriptions and validates against it.

// asokCommand is one admin socket command: its signature (words, then
// argument descriptors) and help.
type asokCommand struct {
	sig  []any
	help string
}

func asokArg(name, typ string, extra ...string) map[string]string {
	a := map[string]string{"name": name, "type": typ}
	for i := 0; i+1 < len(extra); i += 2 {
		a[extra[i]] = extra[i+1]
	}
	return a
}

// asokCommands lists what kelp-mon's admin socket serves, with Ceph's
// signatures and help texts.
var asokCommands = []asokCommand{
	{[]any{"config", "get", asokArg("var", "CephString")}, "config get <field>: get the config value"},
	{[]any{"config", "set", asokArg("var", "CephString"), asokArg("val", "CephString", "n", "N")}, "config set <field> <val> [<val> ...]: set a config variable"},
	{[]any{"config", "show"}, "dump current config settings"},
	{[]any{"get_command_descriptions"}, "list available commands"},
	{[]any{"git_version"}, "get git sha1"},
	{[]any{"help"}, "list available commands"},
	{[]any{"mon_status"}, "report status of monitors"},
	{[]any{"perf", "dump", asokArg("logger", "CephString", "req", "false"), asokArg("counter", "CephString", "req", "false")}, "dump perfcounters value"},
	{[]any{"perf", "schema"}, "dump perfcounters schema"},
	{[]any{"sessions"}, "list existing sessions"},
	{[]any{"version"}, "get ceph version"},
}

func (c asokCommand) prefix() string {
	var words []string
	for _, w := range c.sig {
		if s, ok := w.(string); ok {
			words = append(words, s)
		}
	}
	return strings.Join(words, " ")
}

// serveAdminSocket listens on path until the monitor stops.
func (m *Monitor) serveAdminSocket(path string) error {
	if path == "" {
		return nil
	}
	_ = os.Remove(path) // a stale socket from a previous run
	l, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("mon: admin socket %s: %w", path, err)
	}
	m.asok = l
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go m.asokConn(c)
		}
	}()
	return nil
}

func (m *Monitor) asokConn(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	// A request is at most 64 KiB and ends at a NUL (or at EOF).
	req, err := bufio.NewReader(io.LimitReader(c, 64<<10)).ReadString(0)
	if err != nil && (!errors.Is(err, io.EOF) || req == "") {
		return
	}
	out := m.asokHandle(strings.TrimSuffix(req, "\x00"))
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(out)))
	_, _ = c.Write(append(hdr[:], out...))
}

func (m *Monitor) asokHandle(raw string) []byte {
	var cmd map[string]any
	if strings.HasPrefix(strings.TrimSpace(raw), "{") {
		if err := json.Unmarshal([]byte(raw), &cmd); err != nil {
			return []byte("ERROR: invalid JSON: " + err.Error())
		}
	} else {
		cmd = map[string]any{"prefix": strings.TrimSpace(raw)}
	}
	prefix, _ := cmd["prefix"].(string)
	switch prefix {
	case "get_command_descriptions":
		out := newOrderedObject()
		for i, c := range asokCommands {
			out.set(fmt.Sprintf("cmd%03d", i), struct {
				Sig  []any  `json:"sig"`
				Help string `json:"help"`
			}{c.sig, c.help})
		}
		return mustPretty(out)
	case "help":
		out := newOrderedObject()
		for _, c := range asokCommands {
			out.set(c.prefix(), c.help)
		}
		return mustPretty(out)
	case "version":
		return mustPretty(map[string]string{"version": cephVersion, "release": "pacific", "release_type": "stable"})
	case "git_version":
		return mustPretty(map[string]string{"git_version": kelpRevision()})
	}
	// Everything else reads monitor state: ask the monitor's loop.
	reply := make(chan []byte, 1)
	select {
	case m.events <- func() { reply <- m.asokState(prefix, cmd) }:
	case <-time.After(10 * time.Second):
		return []byte("ERROR: monitor busy")
	}
	select {
	case out := <-reply:
		return out
	case <-time.After(10 * time.Second):
		return []byte("ERROR: monitor busy")
	}
}

// asokState answers the commands that read the monitor's state, on the
// monitor's loop.
func (m *Monitor) asokState(prefix string, cmd map[string]any) []byte {
	cfg := m.opts.Conf
	switch prefix {
	case "mon_status":
		return mustPretty(m.monStatus())
	case "sessions":
		return mustPretty(m.sessionsJSON())
	case "perf dump":
		return mustPretty(m.perf.dump())
	case "perf schema":
		return mustPretty(m.perf.schema())
	case "config show":
		if cfg == nil {
			return mustPretty(map[string]string{})
		}
		out := newOrderedObject()
		out.set("name", cfg.Name.String())
		out.set("cluster", cfg.Cluster)
		for _, o := range conf.Options() {
			if v, err := cfg.String(o.Name); err == nil {
				out.set(o.Name, v)
			}
		}
		return mustPretty(out)
	case "config get":
		name, _ := cmd["var"].(string)
		if cfg == nil {
			return []byte("ERROR: no configuration")
		}
		v, err := cfg.String(conf.NormalizeName(name))
		if err != nil {
			return []byte(fmt.Sprintf("ERROR: (2) No such file or directory\nerror getting '%s': (2) No such file or directory", name))
		}
		return mustPretty(map[string]string{name: v})
	case "config set":
		name, _ := cmd["var"].(string)
		var vals []string
		switch v := cmd["val"].(type) {
		case []any:
			for _, x := range v {
				vals = append(vals, fmt.Sprint(x))
			}
		case string:
			vals = []string{v}
		}
		if cfg == nil {
			return []byte("ERROR: no configuration")
		}
		if err := cfg.Set(conf.NormalizeName(name), strings.Join(vals, " "), conf.SourceOverride); err != nil {
			return []byte(fmt.Sprintf("ERROR: (2) No such file or directory\nerror setting '%s' to '%s': %v", name, strings.Join(vals, " "), err))
		}
		return mustPretty(map[string]string{"success": ""})
	}
	return []byte(fmt.Sprintf("ERROR: unknown command '%s'", prefix))
}

func mustPretty(v any) []byte {
	b, err := renderJSON(v, fmtJSONPretty)
	if err != nil {
		return []byte("ERROR: " + err.Error())
	}
	return b
}

// cephVersion is the Ceph release kelp-mon is compatible with and reports
// where clients expect Ceph's version.
const cephVersion = "16.2.15"

// kelpRevision is the VCS revision kelp was built from, when known.
func kelpRevision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}

// monStatusJSON is `mon_status` (Monitor::_mon_status).
type monStatusJSON struct {
	Name            string       `json:"name"`
	Rank            int          `json:"rank"`
	State           string       `json:"state"`
	ElectionEpoch   uint32       `json:"election_epoch"`
	Quorum          []int        `json:"quorum"`
	QuorumAge       int64        `json:"quorum_age"`
	Features        featuresJSON `json:"features"`
	OutsideQuorum   []string     `json:"outside_quorum"`
	ExtraProbePeers []string     `json:"extra_probe_peers"`
	SyncProvider    []string     `json:"sync_provider"`
	Monmap          monmap.JSON  `json:"monmap"`
	FeatureMap      any          `json:"feature_map"`
	StretchMode     bool         `json:"stretch_mode"`
}

type featuresJSON struct {
	RequiredCon string   `json:"required_con"`
	RequiredMon []string `json:"required_mon"`
	QuorumCon   string   `json:"quorum_con"`
	QuorumMon   []string `json:"quorum_mon"`
}

// monRequiredFeatures is what a Pacific monitor requires of its peers
// (Monitor::required_features): the server release bits of the persistent
// monitor features, OSDMAP_ENC and CEPHX_V2 — 0x2200008010314004, as a
// 16.2.15 mon reports it.
var monRequiredFeatures = uint64(encoding.FeatureServerPacific | encoding.FeatureServerOctopus |
	encoding.FeatureServerNautilus | encoding.FeatureServerMimic | encoding.FeatureServerLuminous |
	encoding.FeatureServerKraken | encoding.FeatureServerJewel | encoding.FeatureOSDMapEnc |
	encoding.FeatureCephxV2)

func (m *Monitor) features() featuresJSON {
	mon := m.monmap.current.PersistentFeatures.Names()
	return featuresJSON{
		RequiredCon: fmt.Sprint(monRequiredFeatures),
		RequiredMon: mon,
		QuorumCon:   fmt.Sprint(encoding.FeaturesPacific),
		QuorumMon:   mon,
	}
}

func (m *Monitor) monStatus() monStatusJSON {
	state := m.stateName()
	return monStatusJSON{
		Name: m.name, Rank: m.rank(), State: state, ElectionEpoch: m.electionEpoch,
		Quorum: m.quorumRanks(), QuorumAge: int64(time.Since(m.quorumSince).Seconds()),
		Features: m.features(), OutsideQuorum: []string{}, ExtraProbePeers: []string{},
		SyncProvider: []string{}, Monmap: m.monmap.current.Dump(), FeatureMap: m.featureMap(false),
	}
}

// featureMap counts connected peers by type and features as
// FeatureMap::dump prints them (src/mon/Session.h): entity types in their
// numeric order, feature sets ascending, each with its release and count.
// quorum counts the monitors in quorum too, as the "features" command
// does (Monitor::get_combined_feature_map).
func (m *Monitor) featureMap(quorum bool) *orderedObject {
	type key struct {
		typ      encoding.EntityType
		features uint64
	}
	counts := map[key]int{}
	for _, s := range m.sessions {
		counts[key{s.Entity.Type, s.Features}]++
	}
	if quorum {
		counts[key{encoding.EntityMon, encoding.FeaturesPacific}] += len(m.quorum)
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.features, b.features))
	})
	out := newOrderedObject()
	var list []*orderedObject
	for i, k := range keys {
		list = append(list, newOrderedObjectFrom("features", fmt.Sprintf("%#x", k.features), "release", "luminous", "num", counts[k]))
		if i == len(keys)-1 || keys[i+1].typ != k.typ {
			out.set(k.typ.String(), list)
			list = nil
		}
	}
	return out
}

func (m *Monitor) sessionsJSON() []map[string]any {
	out := []map[string]any{}
	for _, s := range m.sessions {
		caps := "allow *"
		if s.authInfo != nil && !s.authInfo.Caps.AllowAll {
			caps, _ = s.authInfo.Caps.CapString()
		}
		out = append(out, map[string]any{
			"name":                 s.Entity.Type.String() + "." + fmt.Sprint(s.GlobalID),
			"entity_name":          s.Entity.String(),
			"addrs":                s.Addrs.JSON(),
			"con_type":             s.Entity.Type.String(),
			"con_features":         s.Features,
			"con_features_hex":     fmt.Sprintf("%x", s.Features),
			"con_features_release": encoding.FeaturesRelease(s.Features).String(),
			"open":                 true,
			"caps":                 map[string]string{"text": caps},
			"authenticated":        true,
			"global_id":            s.GlobalID,
		})
	}
	return out
}

// stateName is the monitor's state as mon_status reports it: a single
// monitor always leads; several follow the quorum state machine.
func (m *Monitor) stateName() string {
	if m.q != nil {
		return m.q.state.String()
	}
	if m.leader == m.rank() {
		return "leader"
	}
	return "peon"
}
