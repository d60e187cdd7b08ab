package fsmap

import "testing"

// TestClientFeatureNames checks the names against what a real 16.2.15
// ceph-mon prints: `ceph fs required_client_features cephfs add 3` after
// `ceph fs set cephfs min_compat_client octopus` gives
// "required_client_features	{3=reserved,13=deleg_ino}" in `ceph fs get`.
func TestClientFeatureNames(t *testing.T) {
	if got, want := clientFeaturesString([]uint64{1<<3 | 1<<13}), "{3=reserved,13=deleg_ino}"; got != want {
		t.Errorf("clientFeaturesString = %q, want %q", got, want)
	}
	for bit, want := range map[int]string{5: "jewel", 7: "luminous", 12: "multi_reconnect", 18: "32bits_retry_fwd", 19: "unknown"} {
		if got := ClientFeatureName(bit); got != want {
			t.Errorf("ClientFeatureName(%d) = %q, want %q", bit, got, want)
		}
	}
}

// TestAllowFeature: allowing snapshots or standby-replay sets the flag and
// both allowed-features masks (a real mon shows flags 18 -> 50 and
// ever/explicitly_allowed_features 0 -> 32 after
// `fs set cephfs allow_standby_replay true`).
func TestAllowFeature(t *testing.T) {
	m := NewMDSMap()
	m.AllowFeature(FlagAllowStandbyReplay)
	if m.Flags != 50 || m.EverAllowedFeatures != 32 || m.ExplicitlyAllowedFeatures != 32 {
		t.Errorf("flags %d, ever %d, explicitly %d", m.Flags, m.EverAllowedFeatures, m.ExplicitlyAllowedFeatures)
	}
}
