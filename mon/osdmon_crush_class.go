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

// The device-class commands of OSDMonitor: `osd crush class ls` and
// `ls-osd` (preprocess_command) and `osd crush class create|rm|rename`
// (prepare_command_impl), src/mon/OSDMonitor.cc.

func (s *osdMon) crushClassCommand(req *request) bool {
	switch req.prefix {
	case "osd crush class ls", "osd crush class ls-osd":
		cm, err := s.osdmap.CrushMap()
		if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return true
		}
		s.crushClassRead(req, cm)
	case "osd crush class create":
		s.crushClassCreate(req)
	case "osd crush class rm":
		s.crushClassRm(req)
	case "osd crush class rename":
		s.crushClassRename(req)
	default:
		return false
	}
	return true
}

func (s *osdMon) crushClassRead(req *request, cm *crush.CrushMap) {
	if req.prefix == "osd crush class ls" {
		// Always a Formatter, json-pretty unless JSON was asked for.
		f := req.formatOf(fmtJSONPretty)
		if !isJSON(f) {
			f = fmtJSONPretty
		}
		req.replyJSON(0, "", nonNilStrs(cm.Classes()), f)
		return
	}
	class, _ := req.str("class")
	devs := cm.DevicesByClass(class)
	if f := req.formatOf(fmtPlain); isJSON(f) {
		if devs == nil {
			devs = []int32{}
		}
		req.replyJSON(0, "", devs, f)
		return
	}
	var b strings.Builder
	for i, d := range devs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(strconv.Itoa(int(d)))
	}
	req.respond(0, "", streamLines([]byte(b.String())))
}

// haveCrushChange reports whether the pending incremental carries a CRUSH
// map (_have_pending_crush).
func (s *osdMon) haveCrushChange() bool { return s.pending != nil && len(s.pending.Crush) > 0 }

func (s *osdMon) crushClassCreate(req *request) {
	class, _ := req.str("class")
	stable, err := s.base().CrushMap()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	if !s.haveCrushChange() && stable.ClassExists(class) {
		req.respond(0, fmt.Sprintf("class '%s' already exists", class), nil)
		return
	}
	cm, err := s.pendingCrush()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	if cm.ClassExists(class) {
		// Already made by a change still pending: answer once it commits.
		s.commit(req, fmt.Sprintf("class '%s' already exists", class))
		return
	}
	id := cm.CreateClass(class)
	s.setPendingCrush(cm)
	s.commit(req, fmt.Sprintf("created class %s with id %d to crush map", class, id))
}

func (s *osdMon) crushClassRm(req *request) {
	class, _ := req.str("class")
	stable, err := s.base().CrushMap()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	if !stable.ClassExists(class) {
		req.respond(0, "", nil)
		return
	}
	cm, err := s.pendingCrush()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	id, ok := cm.ClassID(class)
	if !ok {
		// Removed by a change still pending: answer once it commits.
		s.commit(req, "")
		return
	}
	if rules := cm.ClassRules(id); len(rules) > 0 {
		req.respond(errno(syscall.EBUSY), fmt.Sprintf("class '%s' still referenced by crush_rule(s): '%s'",
			class, strings.Join(rules, "','")), nil)
		return
	}
	if users := s.ecProfilesWithClass(class); len(users) > 0 {
		req.respond(errno(syscall.EBUSY), fmt.Sprintf("class '%s' is still referenced by erasure-code-profile(s): %s",
			class, strings.Join(users, ",")), nil)
		return
	}
	devs := cm.DevicesByClass(class)
	for _, d := range devs {
		if err := cm.RemoveDeviceClass(d); err != nil {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("osd.%d does not have a name", d), nil)
			return
		}
	}
	if len(devs) == 0 {
		if err := cm.RemoveClassName(class); err != nil {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("class '%s' cannot be removed '%s'", class, cppStrerror(syscall.ENOENT)), nil)
			return
		}
	}
	s.setPendingCrush(cm)
	s.commit(req, fmt.Sprintf("removed class %s with id %d from crush map", class, id))
}

// ecProfilesWithClass names the erasure-code profiles whose
// crush-device-class is class, sorted: those of the committed map and
// those the pending incremental adds, as OSDMonitor merges them (a profile
// pending removal still counts).
func (s *osdMon) ecProfilesWithClass(class string) []string {
	profiles := maps.Clone(s.base().ErasureCodeProfiles)
	if profiles == nil {
		profiles = map[string]map[string]string{}
	}
	if s.pending != nil {
		maps.Copy(profiles, s.pending.NewECProfiles)
	}
	var users []string
	for _, name := range slices.Sorted(maps.Keys(profiles)) {
		if profiles[name]["crush-device-class"] == class {
			users = append(users, name)
		}
	}
	return users
}

func (s *osdMon) crushClassRename(req *request) {
	src, _ := req.str("srcname")
	dst, _ := req.str("dstname")
	cm, err := s.pendingCrush()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	if !cm.ClassExists(src) && cm.ClassExists(dst) {
		req.respond(0, fmt.Sprintf("already renamed to '%s'", dst), nil)
		return
	}
	if err := cm.RenameClass(src, dst); err != nil {
		code := syscall.EINVAL
		switch {
		case errors.Is(err, crush.ErrNotFound):
			code = syscall.ENOENT
		case errors.Is(err, crush.ErrExists):
			code = syscall.EEXIST
		}
		req.respond(errno(code), fmt.Sprintf("fail to rename '%s' to '%s' : %s", src, dst, cppStrerror(code)), nil)
		return
	}
	s.setPendingCrush(cm)
	s.commit(req, fmt.Sprintf("rename class '%s' to '%s'", src, dst))
}

// cppStrerror is Ceph's cpp_strerror: "(N) " and glibc's message, which
// for the errnos the monitor's commands print is Go's with a capital.
func cppStrerror(e syscall.Errno) string {
	msg := e.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return fmt.Sprintf("(%d) %s", int(e), msg)
}
