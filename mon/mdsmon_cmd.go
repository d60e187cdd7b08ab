package mon

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/kelp-ceph/kelp/maps/fsmap"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/mon/store"
)

// The MDSMonitor's commands: the reads of MDSMonitor::preprocess_command
// and the file system commands of src/mon/FSCommands.cc as Pacific has
// them.

// maxMDS is MAX_MDS, the most ranks a file system may have.
const maxMDS = 0x100

func (s *mdsMon) command(req *request) bool {
	if s.current == nil {
		return false
	}
	switch req.prefix {
	case "fs ls":
		s.fsLs(req)
	case "fs dump":
		s.fsDump(req)
	case "fs get":
		name, _ := req.str("fs_name")
		f := s.current.FilesystemByName(name)
		switch format := req.formatOf(fmtPlain); {
		case f == nil:
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("filesystem '%s' not found", name), nil)
		case isJSON(format):
			req.replyJSONVia(streamed, 0, "", f.Dump(), format)
		default:
			req.respond(0, "", []byte(f.Print()))
		}
	case "mds stat":
		if f := req.formatOf(fmtPlain); isJSON(f) {
			first, _ := s.v.firstCommitted()
			last, _ := s.v.lastCommitted()
			o := newOrderedObject()
			o.set("fsmap", s.current.Dump())
			o.set("mdsmap_first_committed", first)
			o.set("mdsmap_last_committed", last)
			req.replyJSONVia(streamed, 0, "", o, f)
		} else {
			if sum := s.current.SummaryText(); sum != "" {
				req.respond(0, "", []byte(sum+"\n"))
			} else {
				req.respond(0, "", nil)
			}
		}
	case "fs new":
		s.fsNew(req)
	case "fs rm":
		s.fsRm(req)
	case "fs flag set":
		s.fsFlagSet(req)
	case "fs fail", "fs set", "fs add_data_pool", "fs rm_data_pool":
		// FileSystemCommandHandler::is_op_allowed: the named file
		// system must exist.
		name, _ := req.str("fs_name")
		f := s.view().FilesystemByName(name)
		if f == nil {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("Filesystem not found: '%s'", name), nil)
			return true
		}
		switch req.prefix {
		case "fs fail":
			s.fsFail(req, f)
		case "fs set":
			s.fsSet(req, f)
		case "fs add_data_pool":
			s.fsAddDataPool(req, f)
		case "fs rm_data_pool":
			s.fsRmDataPool(req, f)
		}
	default:
		return false
	}
	return true
}

// fsLsJSON is one file system in `fs ls --format json`.
type fsLsJSON struct {
	Name           string   `json:"name"`
	MetadataPool   string   `json:"metadata_pool"`
	MetadataPoolID int64    `json:"metadata_pool_id"`
	DataPoolIDs    []int64  `json:"data_pool_ids"`
	DataPools      []string `json:"data_pools"`
}

func (s *mdsMon) fsLs(req *request) {
	om := s.m.osd.osdmap
	var list []fsLsJSON
	for _, id := range s.current.FSCIDs() {
		mm := s.current.Filesystems[id].MDSMap
		e := fsLsJSON{Name: mm.FSName, MetadataPool: om.PoolNames[mm.MetadataPool],
			MetadataPoolID: mm.MetadataPool, DataPoolIDs: append([]int64{}, mm.DataPools...), DataPools: []string{}}
		for _, p := range mm.DataPools {
			e.DataPools = append(e.DataPools, om.PoolNames[p])
		}
		list = append(list, e)
	}
	if f := req.formatOf(fmtPlain); isJSON(f) {
		if list == nil {
			list = []fsLsJSON{}
		}
		req.replyJSONVia(streamed, 0, "", list, f)
		return
	}
	if len(list) == 0 {
		req.respond(0, "", []byte("No filesystems enabled\n"))
		return
	}
	var b strings.Builder
	for _, e := range list {
		fmt.Fprintf(&b, "name: %s, metadata pool: %s, data pools: [", e.Name, e.MetadataPool)
		for _, p := range e.DataPools {
			b.WriteString(p + " ")
		}
		b.WriteString("]\n")
	}
	req.respond(0, "", []byte(b.String()))
}

func (s *mdsMon) fsDump(req *request) {
	fm := s.current
	if e, ok := req.int("epoch"); ok && e > 0 && e != int64(fm.Epoch) {
		b, err := s.v.get(uint64(e))
		if errors.Is(err, store.ErrNotFound) {
			req.respond(errno(syscall.ENOENT), "", nil)
			return
		}
		if err == nil {
			fm, err = fsmap.Decode(b)
		}
		if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return
		}
		fm.Normalize()
	}
	rs := fmt.Sprintf("dumped fsmap epoch %d", fm.Epoch)
	if f := req.formatOf(fmtPlain); isJSON(f) {
		req.replyJSONVia(streamed, 0, rs, fm.Dump(), f)
	} else {
		req.respond(0, rs, []byte(fm.Print()))
	}
}

// commit proposes the pending changes and answers req once committed. As
// MDSMonitor::prepare_command does, every command that succeeds commits
// a new epoch, even one that changed nothing.
func (s *mdsMon) commit(req *request, rs string) {
	s.m.proposeReply(req, 0, rs, nil)
}

// fsNew is FsNewHandler.
func (s *mdsMon) fsNew(req *request) {
	om := s.m.osd.osdmap
	metaName, _ := req.str("metadata")
	meta, ok := om.LookupPool(metaName)
	if !ok {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("pool '%s' does not exist", metaName), nil)
		return
	}
	dataName, _ := req.str("data")
	data, ok := om.LookupPool(dataName)
	if !ok {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("pool '%s' does not exist", dataName), nil)
		return
	}
	if data == 0 {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("pool '%s' has id 0, which CephFS does not allow. "+
			"Use another pool or recreate it to get a non-zero pool id.", dataName), nil)
		return
	}
	name, _ := req.str("fs_name")
	if name == "" {
		req.respond(errno(syscall.EINVAL), "Filesystem name may not be empty", nil)
		return
	}
	fm := s.view()
	if f := fm.FilesystemByName(name); f != nil {
		if f.MDSMap.DataPools[0] == data && f.MDSMap.MetadataPool == meta {
			s.pendingMap()
			s.commit(req, fmt.Sprintf("filesystem '%s' already exists", name))
		} else {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("filesystem already exists with name '%s'", name), nil)
		}
		return
	}
	force := req.bool("force")
	// The metadata pool must hold no objects unless forced; kelp keeps
	// no PG statistics (no manager), and a ceph-mon without them skips
	// the check too.
	if len(fm.Filesystems) > 0 && !fm.EnableMultiple {
		req.respond(errno(syscall.EINVAL), "Creation of multiple filesystems is disabled.  To enable this "+
			"experimental feature, use 'ceph fs flag set enable_multiple true'", nil)
		return
	}
	for _, id := range fm.FSCIDs() {
		mm := fm.Filesystems[id].MDSMap
		if (mm.HasDataPool(data) || mm.MetadataPool == meta) && !req.bool("allow_dangerous_metadata_overlay") {
			req.respond(errno(syscall.EEXIST), fmt.Sprintf("Filesystem '%s' is already using one of the specified RADOS pools. "+
				"This should ONLY be done in emergencies and after careful reading of the documentation. "+
				"Pass --allow-dangerous-metadata-overlay to permit this.", name), nil)
			return
		}
	}
	fscid := fsmap.FSClusterIDNone
	if id, ok := req.int("fscid"); ok {
		if !force {
			req.respond(errno(syscall.EINVAL), "Pass --force to create a file system with a specific ID", nil)
			return
		}
		if _, taken := fm.Filesystems[int32(id)]; taken {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("filesystem already exists with id '%d'", id), nil)
			return
		}
		fscid = int32(id)
	}
	warn, err := checkFSPool(om, data, fsPoolDataDefault, force)
	if err != nil {
		req.respond(errno(err.code), warn+err.msg, nil)
		return
	}
	if _, err := checkFSPool(om, meta, fsPoolMetadata, force); err != nil {
		req.respond(errno(err.code), warn+err.msg, nil)
		return
	}
	f := s.pendingMap().CreateFilesystem(name, meta, data, fscid, s.now())
	if req.bool("recover") {
		// Rank 0 exists but failed, so that no MDS goes into creating.
		f.MDSMap.In = []int32{0}
		f.MDSMap.Failed = []int32{0}
		f.MDSMap.Flags |= fsmap.FlagNotJoinable
	}
	s.tagPool(data, "data", name, nil)
	s.tagPool(meta, "metadata", name, func(p *osdmap.PGPool) {
		p.Opts.Set(osdmap.PoolOpt{Key: osdmap.OptRecoveryPriority, Type: osdmap.PoolOptInt, Int: 5})
		p.Opts.Set(osdmap.PoolOpt{Key: osdmap.OptPGNumMin, Type: osdmap.PoolOptInt, Int: 16})
		p.Opts.Set(osdmap.PoolOpt{Key: osdmap.OptPGAutoscaleBias, Type: osdmap.PoolOptDouble, Double: 4})
	})
	s.commit(req, warn+fmt.Sprintf("new fs with metadata pool %d and data pool %d", meta, data))
}

// tagPool enables the "cephfs" application on a pool and sets its key to
// the file system's name, replacing the key's value if the application
// already has it (OSDMonitor::do_application_enable with force, as the file
// system commands call it), then applies more, in the OSD monitor's
// pending incremental.
func (s *mdsMon) tagPool(pool int64, key, fsName string, more func(*osdmap.PGPool)) {
	name := s.m.osd.pendingOSDMap().PoolNames[pool]
	id, p, ok := s.m.osd.pendingPool(name)
	if !ok {
		return
	}
	if p.ApplicationMetadata == nil {
		p.ApplicationMetadata = map[string]map[string]string{}
	}
	if p.ApplicationMetadata["cephfs"] == nil {
		p.ApplicationMetadata["cephfs"] = map[string]string{}
	}
	p.ApplicationMetadata["cephfs"][key] = fsName
	if more != nil {
		more(p)
	}
	s.m.osd.putPool(id, p)
}

// fsPoolType is what a pool is to be for a file system (the POOL_*
// values of FileSystemCommandHandler).
type fsPoolType int

const (
	fsPoolMetadata    fsPoolType = iota // POOL_METADATA
	fsPoolDataDefault                   // POOL_DATA_DEFAULT, the first data pool
	fsPoolDataExtra                     // POOL_DATA_EXTRA, one more data pool
)

func (t fsPoolType) String() string {
	switch t {
	case fsPoolMetadata:
		return "metadata"
	case fsPoolDataDefault:
		return "default data"
	case fsPoolDataExtra:
		return "extra data"
	}
	return fmt.Sprintf("fsPoolType(%d)", int(t))
}

// fsError is a refusal with the errno Ceph answers it with.
type fsError struct {
	code syscall.Errno
	msg  string
}

func fsErrorf(code syscall.Errno, format string, args ...any) *fsError {
	return &fsError{code: code, msg: fmt.Sprintf(format, args...)}
}

// checkFSPool is FileSystemCommandHandler::_check_pool as Pacific has it. A
// data pool the autoscaler manages without the bulk flag passes with a
// warning, which Ceph puts before the command's message.
func checkFSPool(om *osdmap.OSDMap, id int64, typ fsPoolType, force bool) (warn string, err *fsError) {
	p, ok := om.Pools[id]
	if !ok {
		return "", fsErrorf(syscall.ENOENT, "pool id '%d' does not exist", id)
	}
	name := om.PoolNames[id]
	if p.IsErasure() {
		switch {
		case typ == fsPoolMetadata:
			return "", fsErrorf(syscall.EINVAL, "pool '%s' (id '%d') is an erasure-coded pool.  Use of erasure-coded pools for CephFS metadata is not permitted", name, id)
		case typ == fsPoolDataDefault && !force:
			return "", fsErrorf(syscall.EINVAL, "pool '%s' (id '%d') is an erasure-coded pool. Use of an EC pool for the default data pool "+
				"is discouraged; see the online CephFS documentation for more information. Use --force to override.", name, id)
		case p.Flags&osdmap.PoolFlagECOverwrites == 0 && (len(p.Tiers) == 0 || p.ReadTier < 0 || p.WriteTier < 0):
			return "", fsErrorf(syscall.EINVAL, "pool '%s' (id '%d') is an erasure-coded pool, with no overwrite support", name, id)
		}
	}
	if p.TierOf >= 0 {
		return "", fsErrorf(syscall.EINVAL, " pool '%s' (id '%d') is already in use as a cache tier.", name, id)
	}
	if _, cephfs := p.ApplicationMetadata["cephfs"]; !force && len(p.ApplicationMetadata) > 0 && !cephfs {
		return "", fsErrorf(syscall.EINVAL, " pool '%s' (id '%d') has a non-CephFS application enabled.", name, id)
	}
	if typ != fsPoolMetadata && p.PGAutoscaleMode == osdmap.AutoscaleOn && p.Flags&osdmap.PoolFlagBulk == 0 {
		warn = fmt.Sprintf("  Pool '%s' (id '%d') has pg autoscale mode 'on' but is not marked as bulk.\n"+
			"  Consider setting the flag by running\n    # ceph osd pool set %s bulk true\n", name, id, name)
	}
	return warn, nil
}

// fsRm is RemoveFilesystemHandler.
func (s *mdsMon) fsRm(req *request) {
	name, _ := req.str("fs_name")
	f := s.view().FilesystemByName(name)
	if f == nil {
		s.pendingMap()
		s.commit(req, fmt.Sprintf("filesystem '%s' does not exist", name))
		return
	}
	if f.MDSMap.NumUp() > 0 {
		req.respond(errno(syscall.EINVAL), "all MDS daemons must be inactive/failed before removing filesystem. See `ceph fs fail`.", nil)
		return
	}
	if !req.bool("yes_i_really_mean_it") {
		req.respond(errno(syscall.EPERM), "this is a DESTRUCTIVE operation and will make data in your filesystem "+
			"permanently inaccessible.  Add --yes-i-really-mean-it if you are sure you wish to continue.", nil)
		return
	}
	s.pendingMap().EraseFilesystem(f.FSCID)
	s.commit(req, "")
}

// fsFail is FailHandler: the file system stops accepting MDS daemons.
// Its daemons would be failed and blocklisted too; kelp's maps have none.
func (s *mdsMon) fsFail(req *request, f *fsmap.Filesystem) {
	s.pendingMap().ModifyFilesystem(f.FSCID, s.now(), func(mm *fsmap.MDSMap) { mm.Flags |= fsmap.FlagNotJoinable })
	s.commit(req, f.MDSMap.FSName+" marked not joinable; MDS cannot join the cluster. All MDS ranks marked failed.")
}
