package mon

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// configPrefix holds the central configuration: key "WHO/NAME", where WHO
// is a section ("global", "osd", "osd.3") with optional masks
// ("osd/class:ssd"), value the option's text (ConfigMonitor).
const configPrefix = "config"

// configMon is ConfigMonitor: the cluster's central configuration, served
// to daemons and clients in MConfig and edited with `config set/rm`.
// Each version records what it changed (for `config log`) in the
// service's numbered keys.
type configMon struct {
	m       *Monitor
	v       versions
	version uint64
	// values maps "WHO/NAME" to the option's value.
	values map[string]string
	// pending maps "WHO/NAME" to a new value, or nil for a removal.
	pending map[string]*string
	// sent remembers the config last sent to each session, so changes
	// are pushed only when they change what a session sees.
	sent map[*Session]map[string]string
}

func newConfigMon(m *Monitor) *configMon {
	return &configMon{m: m, v: versions{prefix: "config", st: m.store}, values: map[string]string{},
		pending: map[string]*string{}, sent: map[*Session]map[string]string{}}
}

func (s *configMon) name() string { return "config" }

func (s *configMon) createInitial() error { return nil }

func (s *configMon) refresh() error {
	last, err := s.v.lastCommitted()
	if err != nil || last == s.version {
		return err
	}
	values := map[string]string{}
	err = s.m.store.Iterate(configPrefix, "", func(k string, v []byte) bool {
		// The service's own version keys share the prefix; settings are
		// the keys with a '/'.
		if _, _, ok := splitKey(k); ok {
			values[k] = string(v)
		}
		return true
	})
	if err != nil {
		return err
	}
	s.values, s.version = values, last
	s.applyToSelf()
	for sess := range s.sent {
		s.checkSub(sess, "config")
	}
	return nil
}

// configChange is one version's record: when, and each key's new value or
// removal.
type configChange struct {
	stamp   encoding.UTime
	changes map[string]*string
}

func encodeConfigChange(c configChange) []byte {
	var e encoding.Encoder
	st := e.Start(1, 1)
	e.UTime(c.stamp)
	e.Count(len(c.changes))
	for _, k := range slices.Sorted(maps.Keys(c.changes)) {
		e.Str(k)
		encoding.Optional(&e, c.changes[k], encoding.EncStr)
	}
	e.End(st)
	return e.Bytes()
}

func decodeConfigChange(b []byte) (configChange, error) {
	d := encoding.NewDecoder(b)
	st := d.Start(1)
	c := configChange{stamp: d.UTime(), changes: map[string]*string{}}
	n := d.Count(5)
	for range n {
		k := d.Str()
		c.changes[k] = encoding.DecodeOptional(d, encoding.DecStr)
	}
	d.End(st)
	return c, d.Done()
}

func (s *configMon) encodePending(tx *store.Transaction) (bool, error) {
	if len(s.pending) == 0 {
		return false, nil
	}
	ver := s.version + 1
	s.v.put(tx, ver, encodeConfigChange(configChange{encoding.UTimeOf(time.Now()), s.pending}))
	if err := s.v.putLastCommitted(tx, ver); err != nil {
		return false, err
	}
	for k, v := range s.pending {
		if v == nil {
			tx.Erase(configPrefix, k)
		} else {
			tx.Put(configPrefix, k, []byte(*v))
		}
	}
	s.pending = map[string]*string{}
	return true, nil
}

// configTarget is a parsed WHO: a section and its masks.
type configTarget struct {
	section string // "global", a type ("osd") or an entity ("osd.3")
	masks   []string
}

var configTypes = []string{"mon", "mgr", "osd", "mds", "client"}

// parseTarget parses WHO as ConfigMonitor does ("global", "osd",
// "osd.3", "osd/class:ssd", "osd/host:foo").
func parseTarget(who string) (configTarget, bool) {
	parts := strings.Split(who, "/")
	t := configTarget{section: parts[0], masks: parts[1:]}
	for _, m := range t.masks {
		if k, v, ok := strings.Cut(m, ":"); !ok || k == "" || v == "" {
			return t, false
		}
	}
	if t.section == "global" || slices.Contains(configTypes, t.section) {
		return t, true
	}
	typ, _, ok := strings.Cut(t.section, ".")
	return t, ok && slices.Contains(configTypes, typ)
}

func (t configTarget) who() string {
	return strings.Join(append([]string{t.section}, t.masks...), "/")
}

// splitKey splits a stored "WHO/NAME" key.
func splitKey(k string) (configTarget, string, bool) {
	i := strings.LastIndexByte(k, '/')
	if i < 0 {
		return configTarget{}, "", false
	}
	t, ok := parseTarget(k[:i])
	return t, k[i+1:], ok
}

// setting is one stored option value with where it applies.
type setting struct {
	target configTarget
	name   string
	value  string
}

// settings lists the stored values in `config dump` order: global, then
// each type followed by its entities (ConfigMonitor's dump order), and
// options by name within a section.
func (s *configMon) settings() []setting {
	var all []setting
	for k, v := range s.values {
		t, name, _ := splitKey(k)
		all = append(all, setting{t, name, v})
	}
	rank := func(sec string) (int, string) {
		if sec == "global" {
			return 0, ""
		}
		typ, id, _ := strings.Cut(sec, ".")
		i := slices.Index(configTypes, typ)
		if id == "" {
			return 1 + 2*i, ""
		}
		return 2 + 2*i, sec
	}
	slices.SortFunc(all, func(a, b setting) int {
		ra, sa := rank(a.target.section)
		rb, sb := rank(b.target.section)
		if ra != rb {
			return ra - rb
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.target.who(), b.target.who())
	})
	return all
}

// applies reports whether a setting applies to an entity, and how
// specific it is (0 global, 1 type, 2 entity). A masked setting applies
// when the entity's place matches every mask: its device class
// ("class:ssd") and its CRUSH location ("host:h1", "rack:r1"), which the
// monitor knows for OSDs from the CRUSH map (ConfigMap::generate_entity_map).
func applies(t configTarget, name encoding.EntityName, loc map[string]string, class string) (bool, int) {
	for _, mask := range t.masks {
		k, v, _ := strings.Cut(mask, ":")
		if k == "class" {
			if class != v {
				return false, 0
			}
		} else if loc[k] != v {
			return false, 0
		}
	}
	switch t.section {
	case "global":
		return true, 0
	case name.Type.String():
		return true, 1
	case name.String():
		return true, 2
	}
	return false, 0
}

// placement returns an OSD's CRUSH location (type -> bucket name, up its
// ancestry) and device class; nothing for other entities.
func (s *configMon) placement(name encoding.EntityName) (map[string]string, string) {
	if name.Type != encoding.EntityOSD || s.m.osd == nil || s.m.osd.osdmap == nil {
		return nil, ""
	}
	cm, err := s.m.osd.osdmap.CrushMap()
	if err != nil || cm == nil {
		return nil, ""
	}
	id, ok := cm.ItemID(name.String())
	if !ok {
		return nil, ""
	}
	class, _ := cm.ItemClass(id)
	loc := map[string]string{}
	for cur, n := id, 0; n < 64; n++ {
		parent, ok := cm.ImmediateParent(cur)
		if !ok {
			break
		}
		if b := cm.Bucket(parent); b != nil {
			pname, _ := cm.ItemName(parent)
			loc[cm.TypeNames[int32(b.Type)]] = pname
		}
		cur = parent
	}
	return loc, class
}

// effective is the configuration an entity sees: for each option the most
// specific setting.
func (s *configMon) effective(name encoding.EntityName) map[string]setting {
	out := map[string]setting{}
	level := map[string]int{}
	loc, class := s.placement(name)
	for _, st := range s.settings() {
		ok, l := applies(st.target, name, loc, class)
		if !ok {
			continue
		}
		if cur, seen := level[st.name]; !seen || l >= cur {
			out[st.name], level[st.name] = st, l
		}
	}
	return out
}

// checkSub serves "config" subscriptions: the session's configuration
// now, and again whenever it changes (ConfigMonitor::check_sub).
func (s *configMon) checkSub(sess *Session, what string) bool {
	if what != "config" {
		return false
	}
	if sess.subs.get(what) == nil {
		delete(s.sent, sess)
		return true
	}
	cfg := map[string]string{}
	for name, st := range s.effective(sess.Entity) {
		cfg[name] = st.value
	}
	if prev, ok := s.sent[sess]; ok && maps.Equal(prev, cfg) {
		return true
	}
	s.sent[sess] = cfg
	sess.send(&msg.Config{Config: cfg})
	if sess.subs.get(what).onetime {
		sess.subs.del(what)
		delete(s.sent, sess)
	}
	return true
}

// forget drops a closed session.
func (s *configMon) forget(sess *Session) { delete(s.sent, sess) }

func (s *configMon) command(req *request) bool {
	switch req.prefix {
	case "config set":
		s.set(req)
	case "config rm":
		who, _ := req.str("who")
		name, _ := req.str("name")
		t, ok := parseTarget(who)
		if !ok {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("unrecognized config target '%s'", who), nil)
			return true
		}
		key := t.who() + "/" + conf.NormalizeName(name)
		if _, exists := s.values[key]; !exists {
			if _, pend := s.pending[key]; !pend {
				req.respond(0, "", nil)
				return true
			}
		}
		s.pending[key] = nil
		s.m.proposeReply(req, 0, "", nil)
	case "config get":
		s.get(req)
	case "config dump":
		s.dump(req)
	case "config log":
		s.logCmd(req)
	case "config ls":
		names := []string{}
		schemaOnce.Do(func() { schema, schemaErr = loadSchema() })
		for _, n := range slices.Sorted(maps.Keys(schema)) {
			names = append(names, n)
		}
		if f := req.formatOf(fmtPlain); isJSON(f) {
			req.replyJSON(0, "", names, f)
		} else {
			req.respond(0, "", []byte(strings.Join(names, "\n")+"\n"))
		}
	case "config help":
		key, _ := req.str("key")
		o, ok := lookupOption(key)
		if !ok {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("Option %s not found", key), nil)
			return true
		}
		if f := req.formatOf(fmtPlain); isJSON(f) {
			raw, _ := optionHelp(o.Name)
			req.replyJSON(0, "", raw, f)
		} else {
			req.respond(0, "", []byte(fmt.Sprintf("%s\n  (%s, %s)\n  Default: %s\n  Can update at runtime: %t\n",
				o.Name, o.Type, o.Level, o.Default, o.Runtime)))
		}
	case "config generate-minimal-conf":
		mm := s.m.monmap.current
		var hosts []string
		for _, n := range mm.Ranks {
			hosts = append(hosts, mm.Mons[n].PublicAddrs.String())
		}
		out := fmt.Sprintf("# minimal ceph.conf for %s\n[global]\n\tfsid = %s\n\tmon_host = %s\n",
			mm.FSID, mm.FSID, strings.Join(hosts, " "))
		req.respond(0, "", []byte(out))
	default:
		return false
	}
	return true
}

// set is `config set WHO NAME VALUE` (ConfigMonitor::prepare_command).
func (s *configMon) set(req *request) {
	who, _ := req.str("who")
	name, _ := req.str("name")
	value, _ := req.str("value")
	t, ok := parseTarget(who)
	if !ok {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("unrecognized config target '%s'", who), nil)
		return
	}
	opt, ok := lookupOption(name)
	if !ok {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("unrecognized config option '%s'", name), nil)
		return
	}
	v, err := opt.Parse(value)
	if err != nil {
		req.respond(errno(syscall.EINVAL), "error parsing value: "+err.Error(), nil)
		return
	}
	if opt.HasFlag("no_mon_update") {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("%s is special and cannot be stored by the mon", opt.Name), nil)
		return
	}
	text := value
	if opt.Subsys {
		text = v.String()
	}
	key := t.who() + "/" + opt.Name
	s.pending[key] = &text
	s.m.proposeReply(req, 0, "", nil)
}

// schemaFor returns the schema of a stored option, or a plain one for an
// option the schema does not know (stored by a newer Ceph).
func schemaFor(name string) *conf.Option {
	if o, ok := lookupOption(name); ok {
		return o
	}
	return &conf.Option{Name: name, Level: conf.LevelAdvanced, Runtime: true}
}

func maskText(t configTarget) string { return strings.Join(t.masks, "/") }

// configRow is one line of `config dump -f json`.
type configRow struct {
	Section       string `json:"section"`
	Name          string `json:"name"`
	Value         string `json:"value"`
	Level         string `json:"level"`
	Runtime       bool   `json:"can_update_at_runtime"`
	Mask          string `json:"mask"`
	DeviceClass   string `json:"device_class,omitempty"`
	LocationType  string `json:"location_type,omitempty"`
	LocationValue string `json:"location_value,omitempty"`
}

func rowFor(st setting) configRow {
	o := schemaFor(st.name)
	r := configRow{Section: st.target.section, Name: st.name, Value: st.value, Level: o.Level.String(),
		Runtime: o.Runtime, Mask: maskText(st.target)}
	for _, m := range st.target.masks {
		k, v, _ := strings.Cut(m, ":")
		if k == "class" {
			r.DeviceClass = v
		} else {
			r.LocationType, r.LocationValue = k, v
		}
	}
	return r
}

func roMark(o *conf.Option) string {
	if o.Runtime {
		return ""
	}
	return "*"
}

func (s *configMon) dump(req *request) {
	sts := s.settings()
	if f := req.formatOf(fmtPlain); isJSON(f) {
		rows := []configRow{}
		for _, st := range sts {
			rows = append(rows, rowFor(st))
		}
		req.replyJSON(0, "", rows, f)
		return
	}
	tbl := [][]string{{"WHO", "MASK", "LEVEL", "OPTION", "VALUE", "RO"}}
	for _, st := range sts {
		indent := ""
		if st.target.section != "global" {
			indent = "  "
			if strings.Contains(st.target.section, ".") {
				indent = "    "
			}
		}
		o := schemaFor(st.name)
		tbl = append(tbl, []string{indent + st.target.section, maskText(st.target), o.Level.String(), st.name, st.value, roMark(o)})
	}
	req.respond(0, "", []byte(textTable(tbl)))
}

func (s *configMon) get(req *request) {
	who, _ := req.str("who")
	t, ok := parseTarget(who)
	name, err := encoding.ParseEntityName(t.section)
	if !ok || err != nil || len(t.masks) > 0 {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("unrecognized entity '%s'", who), nil)
		return
	}
	eff := s.effective(name)
	f := req.formatOf(fmtPlain)
	if key, ok := req.str("key"); ok && key != "" {
		opt, known := lookupOption(key)
		if !known {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("unrecognized key '%s'", key), nil)
			return
		}
		var val string
		if st, set := eff[opt.Name]; set {
			val = st.value
		} else if opt.Name == "fsid" {
			val = s.m.monmap.current.FSID.String()
		} else {
			val = opt.DefaultFor(name.Type != encoding.EntityClient)
		}
		// One value is its text and a newline in every format
		// (ConfigMonitor::preprocess_command appends it unformatted).
		req.respond(0, "", []byte(val+"\n"))
		return
	}
	names := slices.Sorted(maps.Keys(eff))
	if isJSON(f) {
		out := newOrderedObject()
		for _, n := range names {
			st := eff[n]
			out.set(n, struct {
				Value   string         `json:"value"`
				Section string         `json:"section"`
				Mask    map[string]any `json:"mask"`
				Runtime bool           `json:"can_update_at_runtime"`
			}{st.value, st.target.section, map[string]any{}, schemaFor(n).Runtime})
		}
		req.replyJSON(0, "", out, f)
		return
	}
	tbl := [][]string{{"WHO", "MASK", "LEVEL", "OPTION", "VALUE", "RO"}}
	for _, n := range names {
		st := eff[n]
		o := schemaFor(n)
		tbl = append(tbl, []string{st.target.section, maskText(st.target), o.Level.String(), n, st.value, roMark(o)})
	}
	req.respond(0, "", []byte(textTable(tbl)))
}

// logCmd is `config log [N]`: the last N changes, newest first.
func (s *configMon) logCmd(req *request) {
	n, ok := req.int("num")
	if !ok {
		n = 1 << 30
	}
	first, err := s.v.firstCommitted()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	type entry struct {
		Version uint64           `json:"version"`
		Time    string           `json:"timestamp"`
		Name    string           `json:"name"`
		Changes []map[string]any `json:"changes"`
	}
	var out []entry
	var b strings.Builder
	for v := s.version; v >= max(first, 1) && v > 0 && int64(len(out)) < n; v-- {
		raw, err := s.v.get(v)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		c, err := decodeConfigChange(raw)
		if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return
		}
		e := entry{Version: v, Time: c.stamp.String(), Name: "", Changes: []map[string]any{}}
		fmt.Fprintf(&b, "--- %d --- %s ---\n", v, c.stamp)
		for _, k := range slices.Sorted(maps.Keys(c.changes)) {
			if val := c.changes[k]; val != nil {
				fmt.Fprintf(&b, "+ %s = %s\n", k, *val)
				e.Changes = append(e.Changes, map[string]any{"name": k, "new_value": *val})
			} else {
				fmt.Fprintf(&b, "- %s\n", k)
				e.Changes = append(e.Changes, map[string]any{"name": k, "previous_value": ""})
			}
		}
		out = append(out, e)
	}
	if f := req.formatOf(fmtPlain); isJSON(f) {
		if out == nil {
			out = []entry{}
		}
		req.replyJSON(0, "", out, f)
		return
	}
	req.respond(0, "", []byte(b.String()))
}

// textTable renders rows as Ceph's TextTable does: every cell padded to
// its column's width, columns separated by two spaces.
func textTable(rows [][]string) string { return renderTable(rows, false) }

// textTableAligned is textTable with every column but the first aligned
// right, as Ceph's df tables are.
func textTableAligned(rows [][]string) string { return renderTable(rows, true) }

func renderTable(rows [][]string, alignRight bool) string {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-len(c))
			if alignRight && i > 0 {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// applyToSelf gives the monitor's own configuration the central values
// for mon.NAME, at the "mon" level: below the conf file and the command
// line, as a daemon's md_config_t ranks them.
func (s *configMon) applyToSelf() {
	cfg := s.m.opts.Conf
	if cfg == nil {
		return
	}
	eff := s.effective(encoding.EntityName{Type: encoding.EntityMon, ID: s.m.name})
	for _, o := range conf.Options() {
		if st, ok := eff[o.Name]; ok {
			if err := cfg.Set(o.Name, st.value, conf.SourceMon); err != nil {
				s.m.log.Warn("central config value does not apply", "option", o.Name, "err", err)
			}
		} else {
			cfg.Unset(o.Name, conf.SourceMon)
		}
	}
}
