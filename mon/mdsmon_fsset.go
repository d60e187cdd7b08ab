package mon

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/fsmap"
)

// `fs set FS VAR VAL`: SetHandler and FileSystemCommandHandler::set_val of
// src/mon/FSCommands.cc as Pacific (16.2.15) has them. The CLI offers only
// the variables of the command's CephChoices; set_val knows the same ones.

// minStripeUnit is CEPH_MIN_STRIPE_UNIT, the smallest max_file_size.
const minStripeUnit = 65536

// parseFSBool is the parse_bool of FSCommands.cc, which takes exactly
// these spellings.
func parseFSBool(v string) (bool, error) {
	switch v {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, errors.New("value must be false|no|0 or true|yes|1")
}

// strictStrtoll is Ceph's strict_strtoll in base 10: the whole string
// must be an integer that fits in 64 bits, and the error says which way
// it is not.
func strictStrtoll(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("The option value '%s' seems to be invalid", v)
	case err != nil:
		return 0, fmt.Errorf("Expected option value to be integer, got '%s'", v)
	}
	return n, nil
}

// releaseByName is Pacific's ceph_release_from_name: the exact lower-case
// name of a release from argonaut to pacific.
func releaseByName(s string) (encoding.Release, bool) {
	for r := encoding.Release(1); r <= encoding.ReleasePacific; r++ {
		if r.String() == s {
			return r, true
		}
	}
	return encoding.ReleaseUnknown, false
}

// CephFS client feature bits (CEPHFS_FEATURE_* of src/mds/cephfs_features.h)
// that name a release's clients.
const (
	cephfsFeatureJewel    = 5
	cephfsFeatureKraken   = 6
	cephfsFeatureLuminous = 7
	cephfsFeatureMimic    = 8
	cephfsFeatureNautilus = 12
	cephfsFeatureOctopus  = 13
)

// The releases before luminous that set_min_compat_client tells apart
// (ceph_release_t).
const (
	releaseJewel  encoding.Release = 10
	releaseKraken encoding.Release = 11
)

// minCompatClientFeatures is MDSMap::set_min_compat_client: the one
// feature bit that stands for the newest release at or below r, as a
// feature_bitset_t (none before jewel).
func minCompatClientFeatures(r encoding.Release) []uint64 {
	bit := -1
	switch {
	case r >= encoding.ReleaseOctopus:
		bit = cephfsFeatureOctopus
	case r >= encoding.ReleaseNautilus:
		bit = cephfsFeatureNautilus
	case r >= encoding.ReleaseMimic:
		bit = cephfsFeatureMimic
	case r >= encoding.ReleaseLuminous:
		bit = cephfsFeatureLuminous
	case r >= releaseKraken:
		bit = cephfsFeatureKraken
	case r >= releaseJewel:
		bit = cephfsFeatureJewel
	}
	if bit < 0 {
		return nil
	}
	blocks := make([]uint64, bit/64+1)
	blocks[bit/64] |= 1 << (bit % 64)
	return blocks
}

// fsSet is SetHandler: every variable the command offers.
func (s *mdsMon) fsSet(req *request, f *fsmap.Filesystem) {
	v, _ := req.str("var")
	val, _ := req.str("val")
	name := f.MDSMap.FSName
	fail := func(e syscall.Errno, msg string) { req.respond(errno(e), msg, nil) }
	modify := func(rs string, fn func(mm *fsmap.MDSMap)) {
		s.pendingMap().ModifyFilesystem(f.FSCID, s.now(), fn)
		s.commit(req, rs)
	}
	n, interr := strictStrtoll(val)
	// The variables that take a count with a lower bound.
	counts := map[string]struct {
		min  int64
		code string
		set  func(mm *fsmap.MDSMap, n int64)
	}{
		"max_file_size": {minStripeUnit, fmt.Sprintf("must at least %d", minStripeUnit),
			func(mm *fsmap.MDSMap, n int64) { mm.MaxFileSize = uint64(n) }},
		"standby_count_wanted": {0, "must be non-negative",
			func(mm *fsmap.MDSMap, n int64) { mm.StandbyCountWanted = int32(n) }},
		"session_timeout": {30, "must be at least 30s",
			func(mm *fsmap.MDSMap, n int64) { mm.SessionTimeout = uint32(n) }},
		"session_autoclose": {30, "must be at least 30s",
			func(mm *fsmap.MDSMap, n int64) { mm.SessionAutoclose = uint32(n) }},
	}
	if c, ok := counts[v]; ok {
		switch {
		case interr != nil:
			fail(syscall.EINVAL, v+" requires an integer value")
		case n < c.min:
			fail(syscall.ERANGE, v+" "+c.code)
		default:
			modify("", func(mm *fsmap.MDSMap) { c.set(mm, n) })
		}
		return
	}
	switch v {
	case "max_mds":
		switch {
		case interr != nil:
			fail(syscall.EINVAL, interr.Error())
		case n <= 0:
			fail(syscall.EINVAL, "You must specify at least one MDS")
		case n > 1 && n > int64(f.MDSMap.MaxMDS) && f.MDSMap.EverAllowedFeatures&uint8(fsmap.FlagAllowSnaps) != 0 &&
			f.MDSMap.Flags&fsmap.FlagAllowMultiMDSSnaps == 0:
			fail(syscall.EINVAL, "multi-active MDS is not allowed while there are snapshots possibly created by pre-mimic MDS")
		case n > maxMDS:
			fail(syscall.EINVAL, fmt.Sprintf("may not have more than %d MDS ranks", maxMDS))
		default:
			modify("", func(mm *fsmap.MDSMap) {
				mm.Flags &^= fsmap.FlagNotJoinable
				mm.MaxMDS = int32(n)
			})
		}
	case "inline_data":
		on, err := parseFSBool(val)
		switch {
		case err != nil:
			fail(syscall.EINVAL, err.Error())
		case on && !req.bool("yes_i_really_really_mean_it"):
			fail(syscall.EPERM, "Inline data support is deprecated and will be removed in a future release. "+
				"Add --yes-i-really-really-mean-it if you are certain you want this enabled.")
		default:
			rs := "inline data disabled"
			if on {
				rs = "inline data enabled"
			}
			modify(rs, func(mm *fsmap.MDSMap) { mm.InlineDataEnabled = on })
		}
	case "balancer":
		rs := "unsetting the metadata load balancer"
		if val != "" {
			rs = "setting the metadata load balancer to " + val
		}
		modify(rs, func(mm *fsmap.MDSMap) { mm.Balancer = val })
	case "allow_new_snaps":
		on, err := parseFSBool(val)
		if err != nil {
			fail(syscall.EINVAL, err.Error())
			return
		}
		if on {
			modify("enabled new snapshots", func(mm *fsmap.MDSMap) { mm.AllowFeature(fsmap.FlagAllowSnaps) })
		} else {
			modify("disabled new snapshots", func(mm *fsmap.MDSMap) { mm.Flags &^= fsmap.FlagAllowSnaps })
		}
	case "allow_dirfrags":
		// Kept for old scripts: dirfrags are always on. The command still
		// commits an FSMap epoch but leaves the file system's map alone.
		s.pendingMap()
		s.commit(req, "Directory fragmentation is now permanently enabled. "+
			"This command is DEPRECATED and will be REMOVED from future releases.")
	case "down":
		down, err := parseFSBool(val)
		if err != nil {
			fail(syscall.EINVAL, err.Error())
			return
		}
		fm := s.pendingMap()
		fm.ModifyFilesystem(f.FSCID, s.now(), func(mm *fsmap.MDSMap) {
			switch {
			case down && mm.MaxMDS > 0:
				mm.OldMaxMDS, mm.MaxMDS = mm.MaxMDS, 0
			case !down && mm.OldMaxMDS > 0:
				mm.MaxMDS = mm.OldMaxMDS
			case !down:
				mm.MaxMDS = 1
			}
		})
		if down {
			s.commit(req, name+" marked down. ")
		} else {
			s.commit(req, fmt.Sprintf("%s marked up, max_mds = %d", name, fm.Filesystems[f.FSCID].MDSMap.MaxMDS))
		}
	case "joinable", "cluster_down":
		joinable, err := parseFSBool(val)
		if err != nil {
			fail(syscall.EINVAL, err.Error())
			return
		}
		if v == "cluster_down" {
			joinable = !joinable
		}
		rs := name + " marked not joinable; MDS cannot join as newly active."
		if joinable {
			rs = name + " marked joinable; MDS may join as newly active."
		}
		if v == "cluster_down" {
			rs += " WARNING: cluster_down flag is deprecated and will be removed in a future version. Please use \"joinable\"."
		}
		modify(rs, func(mm *fsmap.MDSMap) {
			if joinable {
				mm.Flags &^= fsmap.FlagNotJoinable
			} else {
				mm.Flags |= fsmap.FlagNotJoinable
			}
		})
	case "allow_standby_replay":
		// Turning it off would also fail the file system's standby-replay
		// daemons; kelp's maps hold no daemons.
		on, err := parseFSBool(val)
		if err != nil {
			fail(syscall.EINVAL, err.Error())
			return
		}
		modify("", func(mm *fsmap.MDSMap) {
			if on {
				mm.AllowFeature(fsmap.FlagAllowStandbyReplay)
			} else {
				mm.Flags &^= fsmap.FlagAllowStandbyReplay
			}
		})
	case "min_compat_client":
		r, ok := releaseByName(val)
		if !ok {
			fail(syscall.EINVAL, fmt.Sprintf("version %s is not recognized", val))
			return
		}
		modify("WARNING: setting min_compat_client is deprecated and may not do what you want.\n"+
			"The oldest release to set is octopus.\n"+
			"Please migrate to `ceph fs required_client_features ...`.", func(mm *fsmap.MDSMap) {
			mm.RequiredClientFeatures = minCompatClientFeatures(r)
		})
	default:
		fail(syscall.EINVAL, "unknown variable "+v)
	}
}
