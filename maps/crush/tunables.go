package crush

import "fmt"

// SetTunablesProfile applies a tunables profile as `osd crush tunables
// PROFILE` does (CrushWrapper::set_tunables_*): legacy|argonaut, bobtail,
// firefly, hammer, jewel, optimal or default. Only legacy/argonaut,
// optimal and default also set straw_calc_version (to 0, 1 and 1).
func (m *CrushMap) SetTunablesProfile(profile string) error {
	t := &m.Tunables
	set := func(local, fallback, total, descend uint32, varyR, stable uint8, algs uint32) {
		t.ChooseLocalTries, t.ChooseLocalFallbackTries, t.ChooseTotalTries = local, fallback, total
		t.ChooseLeafDescendOnce, t.ChooseLeafVaryR, t.ChooseLeafStable = descend, varyR, stable
		t.AllowedBucketAlgs = algs
	}
	switch profile {
	case "legacy", "argonaut":
		set(2, 5, 19, 0, 0, 0, LegacyAllowedBucketAlgs)
		t.StrawCalcVersion = 0
	case "bobtail":
		set(0, 0, 50, 1, 0, 0, LegacyAllowedBucketAlgs)
	case "firefly":
		set(0, 0, 50, 1, 1, 0, LegacyAllowedBucketAlgs)
	case "hammer":
		set(0, 0, 50, 1, 1, 0, DefaultAllowedBucketAlgs)
	case "jewel":
		set(0, 0, 50, 1, 1, 1, DefaultAllowedBucketAlgs)
	case "optimal", "default":
		set(0, 0, 50, 1, 1, 1, DefaultAllowedBucketAlgs)
		t.StrawCalcVersion = 1
	default:
		return fmt.Errorf("%w: unknown tunables profile %q", ErrInvalid, profile)
	}
	return nil
}

// SetTunable sets one tunable by name (`osd crush set-tunable NAME VALUE`
// knows straw_calc_version; crushtool's --set-* options the others).
func (m *CrushMap) SetTunable(name string, v uint32) error {
	t := &m.Tunables
	switch name {
	case "choose_local_tries":
		t.ChooseLocalTries = v
	case "choose_local_fallback_tries":
		t.ChooseLocalFallbackTries = v
	case "choose_total_tries":
		t.ChooseTotalTries = v
	case "chooseleaf_descend_once":
		t.ChooseLeafDescendOnce = v
	case "chooseleaf_vary_r":
		t.ChooseLeafVaryR = uint8(v)
	case "chooseleaf_stable":
		t.ChooseLeafStable = uint8(v)
	case "straw_calc_version":
		t.StrawCalcVersion = uint8(v)
	case "allowed_bucket_algs":
		t.AllowedBucketAlgs = v
	default:
		return fmt.Errorf("%w: unknown tunable %q", ErrInvalid, name)
	}
	return nil
}
