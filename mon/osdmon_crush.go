package mon

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/kelp-ceph/kelp/maps/crush"
)

// CRUSH and erasure-code-profile writes (OSDMonitor::prepare_command:
// osd crush add-bucket/move/create-or-move/set-device-class/rm/reweight,
// osd crush rule create-replicated, osd erasure-code-profile set/rm).

func (s *osdMon) crushCommand(req *request) bool {
	switch req.prefix {
	case "osd crush add-bucket", "osd crush move", "osd crush create-or-move", "osd crush set-device-class",
		"osd crush rm", "osd crush remove", "osd crush unlink", "osd crush reweight", "osd crush rule create-replicated",
		"osd crush rule rm":
		cm, err := s.pendingCrush()
		if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return true
		}
		s.crushWrite(req, cm)
	case "osd erasure-code-profile set":
		s.ecProfileSet(req)
	case "osd erasure-code-profile rm":
		s.ecProfileRm(req)
	default:
		return false
	}
	return true
}

// locString prints a location as Ceph prints a map<string,string>:
// {host=a,root=default}.
func locString(l crush.Location) string {
	parts := []string{}
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, k+"="+l[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// fmtWeight prints a weight as a float is streamed by Ceph (%g).
func fmtWeight(w float64) string { return ostreamFloat(w) }

// ostreamFloat prints a double as a C++ ostream does by default (six
// significant digits, %g).
func ostreamFloat(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// crushErr answers a failed CRUSH change with Ceph's errno for it.
func crushErr(req *request, err error) {
	code := syscall.EINVAL
	switch {
	case errors.Is(err, crush.ErrNotFound):
		code = syscall.ENOENT
	case errors.Is(err, crush.ErrExists):
		code = syscall.EEXIST
	case errors.Is(err, crush.ErrNotEmpty):
		code = syscall.ENOTEMPTY
	case errors.Is(err, crush.ErrBusy):
		code = syscall.EBUSY
	}
	req.respond(errno(code), err.Error(), nil)
}

func (s *osdMon) crushWrite(req *request, cm *crush.CrushMap) {
	changed := func(rs string) {
		s.setPendingCrush(cm)
		s.commit(req, rs)
	}
	switch req.prefix {
	case "osd crush add-bucket":
		name, _ := req.str("name")
		typ, _ := req.str("type")
		if cm.NameExists(name) {
			req.respond(0, fmt.Sprintf("item %s already exists", name), nil)
			return
		}
		tid, ok := cm.TypeID(typ)
		if !ok {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("type '%s' does not exist", typ), nil)
			return
		}
		loc, err := crush.ParseLocation(req.strs("args"))
		if err != nil {
			req.respond(errno(syscall.EINVAL), err.Error(), nil)
			return
		}
		id, err := cm.AddBucket(0, 0, tid, name)
		if err != nil {
			crushErr(req, err)
			return
		}
		rs := fmt.Sprintf("added bucket %s type %s to crush map", name, typ)
		if len(loc) > 0 {
			if err := cm.MoveBucket(id, loc); err != nil {
				crushErr(req, err)
				return
			}
			rs = fmt.Sprintf("added bucket %s type %s to location %s", name, typ, locString(loc))
		}
		changed(rs)
	case "osd crush move":
		name, _ := req.str("name")
		loc, err := crush.ParseLocation(req.strs("args"))
		if err != nil {
			req.respond(errno(syscall.EINVAL), err.Error(), nil)
			return
		}
		id, ok := cm.ItemID(name)
		if !ok {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("item %s does not exist", name), nil)
			return
		}
		if id >= 0 {
			w, _ := cm.ItemWeight(id)
			moved, err := cm.CreateOrMoveItem(id, w, name, loc)
			if err != nil {
				crushErr(req, err)
				return
			}
			if !moved {
				req.respond(0, fmt.Sprintf("no need to move item id %d name '%s' to location %s in crush map", id, name, locString(loc)), nil)
				return
			}
		} else {
			if p, ok := cm.ImmediateParent(id); ok && locMatches(cm, p, loc) {
				req.respond(0, fmt.Sprintf("no need to move item id %d name '%s' to location %s in crush map", id, name, locString(loc)), nil)
				return
			}
			if err := cm.MoveBucket(id, loc); err != nil {
				crushErr(req, err)
				return
			}
		}
		changed(fmt.Sprintf("moved item id %d name '%s' to location %s in crush map", id, name, locString(loc)))
	case "osd crush create-or-move":
		id, _ := req.int("id")
		o := int32(id)
		w, _ := req.args["weight"].(float64)
		loc, err := crush.ParseLocation(req.strs("args"))
		if err != nil {
			req.respond(errno(syscall.EINVAL), err.Error(), nil)
			return
		}
		name := fmt.Sprintf("osd.%d", o)
		if !s.pendingOSDMap().Exists(o) {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("unable to set item id %d name '%s' weight %s at location %s: does not exist",
				o, name, fmtWeight(w), locString(loc)), nil)
			return
		}
		moved, err := cm.CreateOrMoveItem(o, crush.WeightFixed(w), name, loc)
		if err != nil {
			crushErr(req, err)
			return
		}
		if !moved {
			req.respond(0, fmt.Sprintf("create-or-move updated item name '%s' weight %s at location %s to crush map",
				name, fmtWeight(w), locString(loc)), nil)
			return
		}
		changed(fmt.Sprintf("create-or-move updating item name '%s' weight %s at location %s to crush map",
			name, fmtWeight(w), locString(loc)))
	case "osd crush set-device-class":
		s.setDeviceClass(req, cm)
	case "osd crush rm", "osd crush remove", "osd crush unlink":
		name, _ := req.str("name")
		id, ok := cm.ItemID(name)
		if !ok {
			req.respond(0, fmt.Sprintf("device '%s' does not appear in the crush map", name), nil)
			return
		}
		if anc, ok := req.str("ancestor"); ok && anc != "" {
			req.respond(errno(syscall.EOPNOTSUPP), "kelp-mon does not remove items from one ancestor yet", nil)
			return
		}
		if err := cm.RemoveItem(id, req.prefix == "osd crush unlink"); err != nil {
			crushErr(req, err)
			return
		}
		verb := "removed"
		if req.prefix == "osd crush unlink" {
			verb = "unlinked"
		}
		changed(fmt.Sprintf("%s item id %d name '%s' from crush map", verb, id, name))
	case "osd crush reweight":
		name, _ := req.str("name")
		w, _ := req.args["weight"].(float64)
		id, ok := cm.ItemID(name)
		if !ok {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("device '%s' does not appear in the crush map", name), nil)
			return
		}
		if id < 0 {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("device '%s' is not a leaf in the crush map", name), nil)
			return
		}
		if err := cm.AdjustItemWeight(id, crush.WeightFixed(w)); err != nil {
			crushErr(req, err)
			return
		}
		changed(fmt.Sprintf("reweighted item id %d name '%s' to %s in crush map", id, name, fmtWeight(w)))
	case "osd crush rule create-replicated":
		name, _ := req.str("name")
		root, _ := req.str("root")
		typ, _ := req.str("type")
		class := req.strOr("class", "")
		if _, ok := cm.RuleID(name); ok {
			req.respond(0, fmt.Sprintf("rule %s already exists", name), nil)
			return
		}
		if class != "" {
			if _, ok := cm.ClassID(class); !ok {
				req.respond(errno(syscall.ENOENT), fmt.Sprintf("device class %s does not exist", class), nil)
				return
			}
		}
		if _, err := cm.AddSimpleRule(name, root, typ, class, "firstn", crush.RuleReplicated, -1); err != nil {
			crushErr(req, err)
			return
		}
		changed("")
	case "osd crush rule rm":
		name, _ := req.str("name")
		id, ok := cm.RuleID(name)
		if !ok {
			req.respond(0, fmt.Sprintf("rule %s does not exist", name), nil)
			return
		}
		for pid, p := range s.pendingOSDMap().Pools {
			if int(p.CrushRule) == id {
				req.respond(errno(syscall.EBUSY), fmt.Sprintf("crush rule %s (%d) is in use by pool %d", name, id, pid), nil)
				return
			}
		}
		if err := cm.RemoveRule(id); err != nil {
			crushErr(req, err)
			return
		}
		changed("")
	}
}

// locMatches reports whether bucket p sits where loc says (its own type
// and name appear in loc).
func locMatches(cm *crush.CrushMap, p int32, loc crush.Location) bool {
	b := cm.Bucket(p)
	if b == nil {
		return false
	}
	name, _ := cm.ItemName(p)
	return loc[cm.TypeNames[int32(b.Type)]] == name
}

// setDeviceClass is `osd crush set-device-class CLASS ID...`.
func (s *osdMon) setDeviceClass(req *request, cm *crush.CrushMap) {
	class, _ := req.str("class")
	pm := s.pendingOSDMap()
	ids, err := parseOSDIDs(pm, req.strs("ids"))
	if err != nil {
		req.respond(errno(syscall.EINVAL), err.Error(), nil)
		return
	}
	var rs strings.Builder
	var updated []string
	for _, o := range ids {
		if !pm.Exists(o) {
			fmt.Fprintf(&rs, "osd.%d does not exist. ", o)
			continue
		}
		if old, ok := cm.ItemClass(o); ok {
			if old == class {
				fmt.Fprintf(&rs, "osd.%d already set to class %s. ", o, class)
				continue
			}
			req.respond(errno(syscall.EBUSY), fmt.Sprintf("osd.%d has already bound to class '%s', can not reset class to '%s'; "+
				"use 'ceph osd crush rm-device-class <id>' to remove old class first", o, old, class), nil)
			return
		}
		if !cm.ItemExists(o) {
			if err := cm.SetItemName(o, fmt.Sprintf("osd.%d", o)); err != nil {
				crushErr(req, err)
				return
			}
		}
		if _, err := cm.UpdateDeviceClass(o, class); err != nil {
			crushErr(req, err)
			return
		}
		updated = append(updated, strconv.Itoa(int(o)))
	}
	if len(updated) == 0 {
		req.respond(0, strings.TrimSpace(rs.String()), nil)
		return
	}
	fmt.Fprintf(&rs, "set osd(s) %s to class '%s'", strings.Join(updated, ","), class)
	s.setPendingCrush(cm)
	s.commit(req, rs.String())
}

// ecProfileSet is `osd erasure-code-profile set NAME [k=v ...] [--force]`.
// The jerasure plugin's defaults are filled in as the plugin's init does.
func (s *osdMon) ecProfileSet(req *request) {
	name, _ := req.str("name")
	p := parseProfile(req.strs("profile"))
	if p["plugin"] == "" {
		p["plugin"] = "jerasure"
	}
	if p["plugin"] != "jerasure" {
		req.respond(errno(syscall.EOPNOTSUPP), fmt.Sprintf("kelp-mon knows only the jerasure plugin, not %s", p["plugin"]), nil)
		return
	}
	for k, v := range map[string]string{"technique": "reed_sol_van", "k": "2", "m": "2", "w": "8",
		"crush-root": "default", "crush-failure-domain": "host", "crush-device-class": "",
		"jerasure-per-chunk-alignment": "false"} {
		if _, ok := p[k]; !ok {
			p[k] = v
		}
	}
	pm := s.pendingOSDMap()
	if old, ok := pm.ErasureCodeProfiles[name]; ok {
		if maps.Equal(old, p) {
			req.respond(0, "", nil)
			return
		}
		if !req.bool("force") {
			req.respond(errno(syscall.EPERM), fmt.Sprintf("will not override erasure code profile %s because the existing "+
				"profile %s is different from the proposed profile %s", name, profileString(old), profileString(p)), nil)
			return
		}
	}
	inc := s.pendingInc()
	if inc.NewECProfiles == nil {
		inc.NewECProfiles = map[string]map[string]string{}
	}
	inc.NewECProfiles[name] = p
	s.commit(req, "")
}

func profileString(p map[string]string) string {
	parts := []string{}
	for _, k := range slices.Sorted(maps.Keys(p)) {
		parts = append(parts, k+"="+p[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func (s *osdMon) ecProfileRm(req *request) {
	name, _ := req.str("name")
	pm := s.pendingOSDMap()
	if _, ok := pm.ErasureCodeProfiles[name]; !ok {
		req.respond(0, fmt.Sprintf("erasure-code-profile %s does not exist", name), nil)
		return
	}
	for id, p := range pm.Pools {
		if p.ErasureCodeProfile == name {
			req.respond(errno(syscall.EBUSY), fmt.Sprintf("%s: found in use by pool %s", name, pm.PoolNames[id]), nil)
			return
		}
	}
	inc := s.pendingInc()
	delete(inc.NewECProfiles, name)
	inc.OldECProfiles = append(inc.OldECProfiles, name)
	s.commit(req, "")
}
