package encoding

import (
	"fmt"
	"strings"
)

// Feature is a CEPH_FEATUREMASK_* value from src/include/ceph_features.h:
// the feature's bit plus the marker bits of its incarnation. Bits that Ceph
// retired and reused mean the new feature only when the marker bits are
// also set, so always test with HasFeature (Ceph's HAVE_FEATURE), never a
// bare AND with the bit.
type Feature uint64

// Incarnation markers: a reused bit means its new feature only alongside
// these bits.
const (
	incarnation1 = 0
	incarnation2 = 1 << 57       // SERVER_JEWEL
	incarnation3 = 1<<57 | 1<<28 // SERVER_MIMIC
)

// Ceph's features, by name. Overlapping names share a bit, as in Ceph.
const (
	FeatureUID                    Feature = 1<<0 | incarnation1
	FeatureNoSrcAddr              Feature = 1<<1 | incarnation1
	FeatureServerNautilus         Feature = 1<<2 | incarnation3
	FeatureFlock                  Feature = 1<<3 | incarnation1
	FeatureSubscribe2             Feature = 1<<4 | incarnation1
	FeatureMonNames               Feature = 1<<5 | incarnation1
	FeatureReconnectSeq           Feature = 1<<6 | incarnation1
	FeatureDirLayoutHash          Feature = 1<<7 | incarnation1
	FeatureObjectLocator          Feature = 1<<8 | incarnation1
	FeaturePGID64                 Feature = 1<<9 | incarnation1
	FeatureIncSubOSDMap           Feature = 1<<10 | incarnation1
	FeaturePGPool3                Feature = 1<<11 | incarnation1
	FeatureOSDReplyMux            Feature = 1<<12 | incarnation1
	FeatureOSDEnc                 Feature = 1<<13 | incarnation1
	FeatureServerKraken           Feature = 1<<14 | incarnation2
	FeatureMonEnc                 Feature = 1<<15 | incarnation1
	FeatureServerOctopus          Feature = 1<<16 | incarnation3
	FeatureOSDRepopMLCOD          Feature = 1<<16 | incarnation3
	FeatureOSPerfStatNS           Feature = 1<<17 | incarnation3
	FeatureCrushTunables          Feature = 1<<18 | incarnation1
	FeatureOSDPGLogHardLimit      Feature = 1<<19 | incarnation2
	FeatureServerPacific          Feature = 1<<20 | incarnation3
	FeatureServerLuminous         Feature = 1<<21 | incarnation2
	FeatureResendOnSplit          Feature = 1<<21 | incarnation2
	FeatureRadosBackoff           Feature = 1<<21 | incarnation2
	FeatureOSDMapPGUpmap          Feature = 1<<21 | incarnation2
	FeatureCrushChooseArgs        Feature = 1<<21 | incarnation2
	FeatureOSDFixedCollectionList Feature = 1<<22 | incarnation2
	FeatureMsgAuth                Feature = 1<<23 | incarnation1
	FeatureRecoveryReservation2   Feature = 1<<24 | incarnation2
	FeatureCrushTunables2         Feature = 1<<25 | incarnation1
	FeatureCreatePoolID           Feature = 1<<26 | incarnation1
	FeatureReplyCreateInode       Feature = 1<<27 | incarnation1
	FeatureServerMimic            Feature = 1<<28 | incarnation2
	FeatureMDSEnc                 Feature = 1<<29 | incarnation1
	FeatureOSDHashPSPool          Feature = 1<<30 | incarnation1
	FeatureMonSinglePaxos         Feature = 1<<31 | incarnation1 // deprecated; Pacific still advertises it
	FeatureServerReef             Feature = 1<<31 | incarnation3
	FeatureStretchMode            Feature = 1<<32 | incarnation3
	FeatureServerQuincy           Feature = 1<<33 | incarnation3
	FeatureRangeBlocklist         Feature = 1<<34 | incarnation3
	FeatureOSDCachePool           Feature = 1<<35 | incarnation1
	FeatureCrushV2                Feature = 1<<36 | incarnation1
	FeatureExportPeer             Feature = 1<<37 | incarnation1
	FeatureOSDMapEnc              Feature = 1<<39 | incarnation1
	FeatureMDSInlineData          Feature = 1<<40 | incarnation1
	FeatureCrushTunables3         Feature = 1<<41 | incarnation1
	FeatureOSDPrimaryAffinity     Feature = 1<<41 | incarnation1
	FeatureMsgrKeepalive2         Feature = 1<<42 | incarnation1
	FeatureOSDPoolResend          Feature = 1<<43 | incarnation1
	FeatureOSDFadviseFlags        Feature = 1<<46 | incarnation1
	FeatureMDSQuota               Feature = 1<<47 | incarnation1
	FeatureCrushV4                Feature = 1<<48 | incarnation1
	FeatureServerSquid            Feature = 1<<49 | incarnation2
	FeatureNewOSDOpEncoding       Feature = 1<<56 | incarnation1
	FeatureMonStatefulSub         Feature = 1<<57 | incarnation1
	FeatureServerJewel            Feature = 1<<57 | incarnation1
	FeatureCrushTunables5         Feature = 1<<58 | incarnation1
	FeatureNewOSDOpReplyEncoding  Feature = 1<<58 | incarnation1
	FeatureFSFileLayoutV2         Feature = 1<<58 | incarnation1
	FeatureFSBtime                Feature = 1<<59 | incarnation1
	FeatureFSChangeAttr           Feature = 1<<59 | incarnation1
	FeatureMsgAddr2               Feature = 1<<59 | incarnation1
	FeatureOSDRecoveryDeletes     Feature = 1<<60 | incarnation1
	FeatureCephxV2                Feature = 1<<61 | incarnation1
	FeatureReserved               Feature = 1<<62 | incarnation1
)

// HasFeature reports whether a peer's feature bits include f
// (HAVE_FEATURE in Ceph).
func HasFeature(features uint64, f Feature) bool {
	return features&uint64(f) == uint64(f)
}

// featureNames lists one name per distinct mask, for printing.
var featureNames = []struct {
	f    Feature
	name string
}{
	{FeatureUID, "uid"}, {FeatureNoSrcAddr, "nosrcaddr"}, {FeatureServerNautilus, "server_nautilus"},
	{FeatureFlock, "flock"}, {FeatureSubscribe2, "subscribe2"}, {FeatureMonNames, "monnames"},
	{FeatureReconnectSeq, "reconnect_seq"}, {FeatureDirLayoutHash, "dirlayouthash"},
	{FeatureObjectLocator, "objectlocator"}, {FeaturePGID64, "pgid64"}, {FeatureIncSubOSDMap, "incsubosdmap"},
	{FeaturePGPool3, "pgpool3"}, {FeatureOSDReplyMux, "osdreplymux"}, {FeatureOSDEnc, "osdenc"},
	{FeatureServerKraken, "server_kraken"}, {FeatureMonEnc, "monenc"}, {FeatureServerOctopus, "server_octopus"},
	{FeatureOSPerfStatNS, "os_perf_stat_ns"}, {FeatureCrushTunables, "crush_tunables"},
	{FeatureOSDPGLogHardLimit, "osd_pglog_hardlimit"}, {FeatureServerPacific, "server_pacific"},
	{FeatureServerLuminous, "server_luminous"}, {FeatureOSDFixedCollectionList, "osd_fixed_collection_list"},
	{FeatureMsgAuth, "msg_auth"}, {FeatureRecoveryReservation2, "recovery_reservation_2"},
	{FeatureCrushTunables2, "crush_tunables2"}, {FeatureCreatePoolID, "createpoolid"},
	{FeatureReplyCreateInode, "reply_create_inode"}, {FeatureServerMimic, "server_mimic"},
	{FeatureMDSEnc, "mdsenc"}, {FeatureOSDHashPSPool, "osdhashpspool"}, {FeatureServerReef, "server_reef"},
	{FeatureMonSinglePaxos, "mon_single_paxos"}, {FeatureStretchMode, "stretch_mode"},
	{FeatureServerQuincy, "server_quincy"}, {FeatureRangeBlocklist, "range_blocklist"},
	{FeatureOSDCachePool, "osd_cachepool"}, {FeatureCrushV2, "crush_v2"}, {FeatureExportPeer, "export_peer"},
	{FeatureOSDMapEnc, "osdmap_enc"}, {FeatureMDSInlineData, "mds_inline_data"},
	{FeatureCrushTunables3, "crush_tunables3"}, {FeatureMsgrKeepalive2, "msgr_keepalive2"},
	{FeatureOSDPoolResend, "osd_poolresend"}, {FeatureOSDFadviseFlags, "osd_fadvise_flags"},
	{FeatureMDSQuota, "mds_quota"}, {FeatureCrushV4, "crush_v4"}, {FeatureServerSquid, "server_squid"},
	{FeatureNewOSDOpEncoding, "new_osdop_encoding"}, {FeatureServerJewel, "server_jewel"},
	{FeatureCrushTunables5, "crush_tunables5"}, {FeatureFSBtime, "fs_btime"},
	{FeatureOSDRecoveryDeletes, "osd_recovery_deletes"}, {FeatureCephxV2, "cephx_v2"},
}

// FeatureNames lists the names of the features present in features.
func FeatureNames(features uint64) []string {
	var out []string
	for _, n := range featureNames {
		if HasFeature(features, n.f) {
			out = append(out, n.name)
		}
	}
	return out
}

// FeaturesPacific is CEPH_FEATURES_ALL of Ceph 16.2.15 (Pacific): what a
// Pacific daemon or client announces (`ceph features` shows
// 0x3f01cfbdfffdffff), and what kelp announces. Late Pacific releases carry
// RANGE_BLOCKLIST, backported from Quincy, and still advertise bit 31
// (MON_SINGLE_PAXOS).
const FeaturesPacific uint64 = uint64(FeatureUID | FeatureNoSrcAddr | FeatureFlock |
	FeatureSubscribe2 | FeatureMonNames | FeatureReconnectSeq | FeatureDirLayoutHash |
	FeatureObjectLocator | FeaturePGID64 | FeatureIncSubOSDMap | FeaturePGPool3 |
	FeatureOSDReplyMux | FeatureOSDEnc | FeatureMonEnc | FeatureCrushTunables |
	FeatureMsgAuth | FeatureCrushTunables2 | FeatureCreatePoolID | FeatureReplyCreateInode |
	FeatureMDSEnc | FeatureOSDHashPSPool | FeatureMonSinglePaxos | FeatureNewOSDOpEncoding |
	FeatureNewOSDOpReplyEncoding | FeatureOSDCachePool | FeatureCrushV2 | FeatureExportPeer |
	FeatureOSDMapEnc | FeatureMDSInlineData | FeatureCrushTunables3 | FeatureOSDPrimaryAffinity |
	FeatureMsgrKeepalive2 | FeatureOSDPoolResend | FeatureOSDFadviseFlags | FeatureMDSQuota |
	FeatureCrushV4 | FeatureMonStatefulSub | FeatureCrushTunables5 | FeatureServerJewel |
	FeatureFSFileLayoutV2 | FeatureServerKraken | FeatureFSBtime | FeatureFSChangeAttr |
	FeatureMsgAddr2 | FeatureServerLuminous | FeatureResendOnSplit | FeatureRadosBackoff |
	FeatureOSDRecoveryDeletes | FeatureServerMimic | FeatureRecoveryReservation2 |
	FeatureServerNautilus | FeatureCephxV2 | FeatureOSDPGLogHardLimit | FeatureServerOctopus |
	FeatureStretchMode | FeatureOSDRepopMLCOD | FeatureServerPacific | FeatureOSDFixedCollectionList |
	FeatureRangeBlocklist)

// Release is ceph_release_t (src/common/ceph_releases.h).
type Release uint8

const (
	ReleaseUnknown  Release = 0
	ReleaseLuminous Release = 12
	ReleaseMimic    Release = 13
	ReleaseNautilus Release = 14
	ReleaseOctopus  Release = 15
	ReleasePacific  Release = 16
	ReleaseQuincy   Release = 17
	ReleaseReef     Release = 18
	ReleaseSquid    Release = 19
)

var releaseNames = []string{"unknown", "argonaut", "bobtail", "cuttlefish", "dumpling",
	"emperor", "firefly", "giant", "hammer", "infernalis", "jewel", "kraken", "luminous",
	"mimic", "nautilus", "octopus", "pacific", "quincy", "reef", "squid", "tentacle"}

func (r Release) String() string {
	if int(r) < len(releaseNames) {
		return releaseNames[r]
	}
	return fmt.Sprintf("release(%d)", r)
}

// ParseRelease maps a release name ("pacific") to its number.
func ParseRelease(s string) (Release, bool) {
	for i, n := range releaseNames {
		if strings.EqualFold(n, s) && i > 0 {
			return Release(i), true
		}
	}
	return ReleaseUnknown, false
}

// FeaturesRelease returns the newest release whose server feature the bits
// announce, for the releases from luminous on (older peers give unknown).
// SERVER_REEF reuses bit 31, which Pacific still advertises as
// MON_SINGLE_PAXOS, so Reef and later also need the Quincy bit.
func FeaturesRelease(features uint64) Release {
	if !HasFeature(features, FeatureServerQuincy) {
		features &^= 1 << 31
	}
	for _, c := range []struct {
		f Feature
		r Release
	}{
		{FeatureServerSquid, ReleaseSquid}, {FeatureServerReef, ReleaseReef},
		{FeatureServerQuincy, ReleaseQuincy}, {FeatureServerPacific, ReleasePacific},
		{FeatureServerOctopus, ReleaseOctopus}, {FeatureServerNautilus, ReleaseNautilus},
		{FeatureServerMimic, ReleaseMimic}, {FeatureServerLuminous, ReleaseLuminous},
	} {
		if HasFeature(features, c.f) {
			return c.r
		}
	}
	return ReleaseUnknown
}
