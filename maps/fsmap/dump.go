package fsmap

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kelp-ceph/kelp/internal/cephjson"
)

// The shapes Pacific's FSMap::dump/print, MDSMap::dump/print and
// mds_info_t::dump give `ceph fs dump`, `fs get` and `mds stat`.

func (f FeatureSet) dump() *cephjson.Object {
	o := cephjson.NewObject()
	for _, id := range slices.Sorted(maps.Keys(f)) {
		o.Set("feature_"+strconv.FormatUint(id, 10), f[id])
	}
	return o
}

// Dump is CompatSet::dump.
func (c CompatSet) Dump() *cephjson.Object {
	return cephjson.NewObject().Set("compat", c.Compat.dump()).Set("ro_compat", c.ROCompat.dump()).
		Set("incompat", c.Incompat.dump())
}

func ranksJSON(s []int32) []int32 {
	if s == nil {
		return []int32{}
	}
	return s
}

// Dump is mds_info_t::dump.
func (in *MDSInfo) Dump() *cephjson.Object {
	o := cephjson.NewObject()
	o.Set("gid", in.GID)
	o.Set("name", in.Name)
	o.Set("rank", in.Rank)
	o.Set("incarnation", in.Inc)
	o.Set("state", in.State.String())
	o.Set("state_seq", in.StateSeq)
	o.Set("addr", in.Addrs.LegacyOrFront().LegacyString())
	o.Set("addrs", in.Addrs.JSON())
	o.Set("join_fscid", in.JoinFSCID)
	if in.Laggy() {
		o.Set("laggy_since", in.LaggySince.String())
	}
	o.Set("export_targets", ranksJSON(in.ExportTargets))
	o.Set("features", in.Features)
	o.Set("flags", in.Flags)
	if in.Compat != nil {
		o.Set("compat", in.Compat.Dump())
	} else {
		o.Set("compat", CompatSet{}.Dump())
	}
	return o
}

// Dump is MDSMap::dump as Pacific prints it.
func (m *MDSMap) Dump() *cephjson.Object {
	o := cephjson.NewObject()
	o.Set("epoch", m.Epoch)
	o.Set("flags", m.Flags)
	o.Set("ever_allowed_features", m.EverAllowedFeatures)
	o.Set("explicitly_allowed_features", m.ExplicitlyAllowedFeatures)
	o.Set("created", m.Created.String())
	o.Set("modified", m.Modified.String())
	o.Set("tableserver", m.Tableserver)
	o.Set("root", m.Root)
	o.Set("session_timeout", m.SessionTimeout)
	o.Set("session_autoclose", m.SessionAutoclose)
	req := cephjson.NewObject()
	for _, bit := range featureBits(m.RequiredClientFeatures) {
		req.Set("feature_"+strconv.Itoa(bit), ClientFeatureName(bit))
	}
	o.Set("required_client_features", req)
	o.Set("max_file_size", m.MaxFileSize)
	o.Set("last_failure", m.LastFailure)
	o.Set("last_failure_osd_epoch", m.LastFailureOSDEpoch)
	o.Set("compat", m.Compat.Dump())
	o.Set("max_mds", m.MaxMDS)
	o.Set("in", ranksJSON(m.In))
	up := cephjson.NewObject()
	for _, r := range slices.Sorted(maps.Keys(m.Up)) {
		up.Set(fmt.Sprintf("mds_%d", r), m.Up[r])
	}
	o.Set("up", up)
	o.Set("failed", ranksJSON(m.Failed))
	o.Set("damaged", ranksJSON(m.Damaged))
	o.Set("stopped", ranksJSON(m.Stopped))
	info := cephjson.NewObject()
	for _, gid := range m.Daemons() {
		info.Set(fmt.Sprintf("gid_%d", gid), m.Info[gid].Dump())
	}
	o.Set("info", info)
	pools := m.DataPools
	if pools == nil {
		pools = []int64{}
	}
	o.Set("data_pools", pools)
	o.Set("metadata_pool", m.MetadataPool)
	o.Set("enabled", m.Enabled)
	o.Set("fs_name", m.FSName)
	o.Set("balancer", m.Balancer)
	o.Set("standby_count_wanted", max(0, m.StandbyCountWanted))
	return o
}

// Dump is Filesystem::dump.
func (f *Filesystem) Dump() *cephjson.Object {
	o := cephjson.NewObject().Set("mdsmap", f.MDSMap.Dump()).Set("id", f.FSCID)
	if f.Mirror.Mirrored {
		peers := cephjson.NewObject()
		for _, p := range f.Mirror.Peers {
			remote := cephjson.NewObject().Set("client_name", p.ClientName).
				Set("cluster_name", p.ClusterName).Set("fs_name", p.FSName)
			peers.Set(p.UUID, cephjson.NewObject().Set("remote", remote))
		}
		o.Set("mirror_info", cephjson.NewObject().Set("peers", peers))
	}
	return o
}

// Dump is FSMap::dump.
func (m *FSMap) Dump() *cephjson.Object {
	o := cephjson.NewObject()
	o.Set("epoch", m.Epoch)
	o.Set("default_fscid", m.LegacyClientFSCID)
	o.Set("compat", m.Compat.Dump())
	o.Set("feature_flags", cephjson.NewObject().Set("enable_multiple", m.EnableMultiple).
		Set("ever_enabled_multiple", m.EverEnabledMultiple))
	standbys := []any{}
	for _, gid := range slices.Sorted(maps.Keys(m.StandbyDaemons)) {
		standbys = append(standbys, m.StandbyDaemons[gid].Dump().Set("epoch", m.StandbyEpochs[gid]))
	}
	o.Set("standbys", standbys)
	fss := []any{}
	for _, id := range m.FSCIDs() {
		fss = append(fss, m.Filesystems[id].Dump())
	}
	o.Set("filesystems", fss)
	return o
}

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Print is MDSMap::print as Pacific prints it.
func (m *MDSMap) Print() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fs_name\t%s\n", m.FSName)
	fmt.Fprintf(&b, "epoch\t%d\n", m.Epoch)
	fmt.Fprintf(&b, "flags\t%x\n", m.Flags)
	fmt.Fprintf(&b, "created\t%s\n", m.Created)
	fmt.Fprintf(&b, "modified\t%s\n", m.Modified)
	fmt.Fprintf(&b, "tableserver\t%d\n", m.Tableserver)
	fmt.Fprintf(&b, "root\t%d\n", m.Root)
	fmt.Fprintf(&b, "session_timeout\t%d\n", m.SessionTimeout)
	fmt.Fprintf(&b, "session_autoclose\t%d\n", m.SessionAutoclose)
	fmt.Fprintf(&b, "max_file_size\t%d\n", m.MaxFileSize)
	fmt.Fprintf(&b, "required_client_features\t%s\n", clientFeaturesString(m.RequiredClientFeatures))
	fmt.Fprintf(&b, "last_failure\t%d\n", m.LastFailure)
	fmt.Fprintf(&b, "last_failure_osd_epoch\t%d\n", m.LastFailureOSDEpoch)
	fmt.Fprintf(&b, "compat\t%s\n", m.Compat)
	fmt.Fprintf(&b, "max_mds\t%d\n", m.MaxMDS)
	fmt.Fprintf(&b, "in\t%s\n", rankSetString(m.In))
	up := []string{}
	for _, r := range slices.Sorted(maps.Keys(m.Up)) {
		up = append(up, fmt.Sprintf("%d=%d", r, m.Up[r]))
	}
	fmt.Fprintf(&b, "up\t{%s}\n", strings.Join(up, ","))
	fmt.Fprintf(&b, "failed\t%s\n", rankSetString(m.Failed))
	fmt.Fprintf(&b, "damaged\t%s\n", rankSetString(m.Damaged))
	fmt.Fprintf(&b, "stopped\t%s\n", rankSetString(m.Stopped))
	pools := []string{}
	for _, p := range m.DataPools {
		pools = append(pools, strconv.FormatInt(p, 10))
	}
	fmt.Fprintf(&b, "data_pools\t[%s]\n", strings.Join(pools, ","))
	fmt.Fprintf(&b, "metadata_pool\t%d\n", m.MetadataPool)
	inline := "disabled"
	if m.InlineDataEnabled {
		inline = "enabled"
	}
	fmt.Fprintf(&b, "inline_data\t%s\n", inline)
	fmt.Fprintf(&b, "balancer\t%s\n", m.Balancer)
	fmt.Fprintf(&b, "standby_count_wanted\t%d\n", max(0, m.StandbyCountWanted))
	// Daemons by rank, then by incarnation.
	gids := m.Daemons()
	slices.SortStableFunc(gids, func(a, c uint64) int {
		x, y := m.Info[a], m.Info[c]
		if x.Rank != y.Rank {
			return cmp.Compare(x.Rank, y.Rank)
		}
		return cmp.Compare(uint32(x.Inc-1), uint32(y.Inc-1))
	})
	for _, gid := range gids {
		b.WriteString(m.Info[gid].String() + "\n")
	}
	return b.String()
}

// Print is Filesystem::print.
func (f *Filesystem) Print() string {
	s := fmt.Sprintf("Filesystem '%s' (%d)\n", f.MDSMap.FSName, f.FSCID) + f.MDSMap.Print()
	if f.Mirror.Mirrored {
		peers := []string{}
		for _, p := range f.Mirror.Peers {
			peers = append(peers, fmt.Sprintf("[uuid=%s, remote=[client_name=%s, cluster_name=%s, fs_name=%s]\n]",
				p.UUID, p.ClientName, p.ClusterName, p.FSName))
		}
		s += "[peers={" + strings.Join(peers, ",") + "}]\n"
	}
	return s
}

// Print is FSMap::print, the text of `ceph fs dump`.
func (m *FSMap) Print() string {
	var b strings.Builder
	fmt.Fprintf(&b, "e%d\n", m.Epoch)
	fmt.Fprintf(&b, "enable_multiple, ever_enabled_multiple: %d,%d\n", b01(m.EnableMultiple), b01(m.EverEnabledMultiple))
	fmt.Fprintf(&b, "default compat: %s\n", m.Compat)
	fmt.Fprintf(&b, "legacy client fscid: %d\n", m.LegacyClientFSCID)
	b.WriteString(" \n")
	if len(m.Filesystems) == 0 {
		b.WriteString("No filesystems configured\n")
	}
	for _, id := range m.FSCIDs() {
		b.WriteString(m.Filesystems[id].Print())
		b.WriteString(" \n \n")
	}
	if len(m.StandbyDaemons) > 0 {
		b.WriteString("Standby daemons:\n \n")
	}
	for _, gid := range slices.Sorted(maps.Keys(m.StandbyDaemons)) {
		b.WriteString(m.StandbyDaemons[gid].String() + "\n")
	}
	return b.String()
}

// featureBits lists the set bits of a feature_bitset_t.
func featureBits(blocks []uint64) []int {
	var bits []int
	for i, blk := range blocks {
		for j := range 64 {
			if blk&(1<<j) != 0 {
				bits = append(bits, i*64+j)
			}
		}
	}
	return bits
}

// clientFeatureNames are Pacific's (16.2.15) CephFS client features
// (src/mds/cephfs_features.h), by bit: bits 0 to 4 are reserved, jewel is
// bit 5, as `ceph fs feature ls` lists them.
var clientFeatureNames = []string{"reserved", "reserved", "reserved", "reserved", "reserved",
	"jewel", "kraken", "luminous", "mimic", "reply_encoding", "reclaim_client", "lazy_caps_wanted",
	"multi_reconnect", "deleg_ino", "metric_collect", "alternate_name", "notify_session_state",
	"op_getvxattr", "32bits_retry_fwd"}

// ClientFeatureName is cephfs_feature_name.
func ClientFeatureName(bit int) string {
	if bit >= 0 && bit < len(clientFeatureNames) {
		return clientFeatureNames[bit]
	}
	return "unknown"
}

// clientFeaturesString is cephfs_stringify_features: {bit=name,...}.
func clientFeaturesString(blocks []uint64) string {
	parts := []string{}
	for _, bit := range featureBits(blocks) {
		parts = append(parts, fmt.Sprintf("%d=%s", bit, ClientFeatureName(bit)))
	}
	return "{" + strings.Join(parts, ",") + "}"
}
