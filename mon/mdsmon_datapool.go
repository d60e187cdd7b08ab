package mon

import (
	"fmt"
	"math"
	"strconv"
	"syscall"

	"github.com/kelp-ceph/kelp/maps/fsmap"
)

// `fs add_data_pool`, `fs rm_data_pool` and `fs flag set`: AddDataPoolHandler,
// RemoveDataPoolHandler and FlagSetHandler of src/mon/FSCommands.cc as
// Pacific has them. Like every file system command that succeeds, each
// commits a new FSMap epoch even when it changed nothing.

// fsPoolArg resolves a pool given by name or, failing that, by number
// (strict_strtol: the whole string, within an int).
func (s *mdsMon) fsPoolArg(req *request) (int64, *fsError) {
	name, _ := req.str("pool")
	if id, ok := s.m.osd.osdmap.LookupPool(name); ok {
		return id, nil
	}
	n, err := strconv.ParseInt(name, 10, 64)
	if err != nil || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, fsErrorf(syscall.ENOENT, "pool '%s' does not exist", name)
	}
	return n, nil
}

// fsAddDataPool is AddDataPoolHandler: the pool must pass _check_pool as an
// extra data pool; it gets the cephfs application with key "data".
func (s *mdsMon) fsAddDataPool(req *request, f *fsmap.Filesystem) {
	id, ferr := s.fsPoolArg(req)
	if ferr != nil {
		req.respond(errno(ferr.code), ferr.msg, nil)
		return
	}
	warn, ferr := checkFSPool(s.m.osd.osdmap, id, fsPoolDataExtra, false)
	if ferr != nil {
		req.respond(errno(ferr.code), warn+ferr.msg, nil)
		return
	}
	name := f.MDSMap.FSName
	if f.MDSMap.HasDataPool(id) {
		s.pendingMap()
		s.commit(req, warn+fmt.Sprintf("data pool %d is already on fs %s", id, name))
		return
	}
	s.tagPool(id, "data", name, nil)
	s.pendingMap().ModifyFilesystem(f.FSCID, s.now(), func(mm *fsmap.MDSMap) {
		mm.DataPools = append(mm.DataPools, id)
	})
	s.commit(req, warn+fmt.Sprintf("added data pool %d to fsmap", id))
}

// fsRmDataPool is RemoveDataPoolHandler. A pool the file system does not
// use (or that does not exist) is removed in silence; the first data pool
// never is. The pool keeps its application tag.
func (s *mdsMon) fsRmDataPool(req *request, f *fsmap.Filesystem) {
	id, ferr := s.fsPoolArg(req)
	if ferr != nil {
		req.respond(errno(ferr.code), ferr.msg, nil)
		return
	}
	if id < 0 {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("invalid pool id '%d'", id), nil)
		return
	}
	if len(f.MDSMap.DataPools) > 0 && f.MDSMap.DataPools[0] == id {
		req.respond(errno(syscall.EINVAL), "cannot remove default data pool", nil)
		return
	}
	removed := false
	s.pendingMap().ModifyFilesystem(f.FSCID, s.now(), func(mm *fsmap.MDSMap) {
		for i, p := range mm.DataPools {
			if p == id {
				mm.DataPools = append(mm.DataPools[:i:i], mm.DataPools[i+1:]...)
				removed = true
				break
			}
		}
	})
	if !removed {
		s.commit(req, "")
		return
	}
	s.commit(req, fmt.Sprintf("removed data pool %d from fsmap", id))
}

// fsFlagSet is FlagSetHandler; enable_multiple is the only flag. Turning it
// on is remembered in ever_enabled_multiple (FSMap::set_enable_multiple).
func (s *mdsMon) fsFlagSet(req *request) {
	flag, _ := req.str("flag_name")
	val, _ := req.str("val")
	if flag != "enable_multiple" {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("Unknown flag '%s'", flag), nil)
		return
	}
	on, err := parseFSBool(val)
	if err != nil {
		req.respond(errno(syscall.EINVAL), err.Error()+fmt.Sprintf("Invalid boolean value '%s'", val), nil)
		return
	}
	fm := s.pendingMap()
	fm.EnableMultiple = on
	if on {
		fm.EverEnabledMultiple = true
	}
	s.commit(req, "")
}
