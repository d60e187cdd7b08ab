package conf

import "testing"

// TestStrictCasts checks the exported casts against what Pacific's
// ceph-mon answered to `osd pool set` with these values.
func TestStrictCasts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		err  string
	}{
		{"4096", 4096, ""},
		{"1M", 1 << 20, ""},
		{"64Ki", 64 << 10, ""},
		{"64K", 64 << 10, ""},
		{"-5", -5, ""},
		{"1KiB", 0, "strict_iecstrtoll: illegal prefix (length > 2)"},
		{"1Q", 0, "strict_iecstrtoll: unit prefix not recognized"},
		{"4k", 0, "strict_iecstrtoll: unit prefix not recognized"},
		{"8E", 0, "strict_iecstrtoll: value seems to be too large"},
		{"x", 0, "strict_iecstrtoll: unit prefix not recognized"},
		{"", 0, "strict_iecstrtoll: value not specified"},
	} {
		got, err := StrictIECCastInt64(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("StrictIECCastInt64(%q) = %d, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("StrictIECCastInt64(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	if n, err := StrictSICastInt64("10K"); err != nil || n != 10000 {
		t.Errorf("StrictSICastInt64(10K) = %d, %v", n, err)
	}
	if _, err := StrictStrtoll("x"); err == nil || err.Error() != "Expected option value to be integer, got 'x'" {
		t.Errorf("StrictStrtoll(x): %v", err)
	}
	if _, err := StrictStrtod("x"); err == nil || err.Error() != "strict_strtod: expected double, got: 'x'" {
		t.Errorf("StrictStrtod(x): %v", err)
	}
}
