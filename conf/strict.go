package conf

import (
	"errors"
	"math"
)

// Exported forms of the strict parsers, for monitor commands that parse
// their values the way Ceph's monitors do (OSDMonitor's `osd pool set`
// reports these texts to the user).

// StrictStrtoll is strict_strtoll in base 10.
func StrictStrtoll(s string) (int64, error) { return strictStrtoll(s) }

// StrictStrtod is strict_strtod.
func StrictStrtod(s string) (float64, error) { return strictStrtod(s) }

// StrictSICastInt64 is strict_si_cast<int64_t>.
func StrictSICastInt64(s string) (int64, error) {
	n, _, err := strictSICast(s, true)
	return n, err
}

// StrictSICastUint64 is strict_si_cast<uint64_t>.
func StrictSICastUint64(s string) (uint64, error) {
	_, n, err := strictSICast(s, false)
	return n, err
}

// StrictIECStrtoll is strict_iecstrtoll (strict_iec_cast<uint64_t>).
func StrictIECStrtoll(s string) (uint64, error) { return strictIECStrtoll(s) }

// StrictIECCastInt64 is strict_iec_cast<int64_t> (src/common/strtol.cc):
// as strict_iecstrtoll but signed, so a negative value is allowed and the
// range is checked against int64_t shifted by the unit. A number that
// does not parse reports strict_strtoll's error.
func StrictIECCastInt64(s string) (int64, error) {
	ll, m, err := splitIEC(s)
	if err != nil {
		return 0, err
	}
	if ll < math.MinInt64>>m {
		return 0, errors.New("strict_iecstrtoll: value seems to be too small")
	}
	if ll > math.MaxInt64>>m {
		return 0, errors.New("strict_iecstrtoll: value seems to be too large")
	}
	return ll << m, nil
}
