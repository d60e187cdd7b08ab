package encoding

import (
	"testing"
	"time"
)

func TestTimespanStr(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{-time.Second, "0s"},
		{1500 * time.Millisecond, "1.5s"},
		{123456789 * time.Nanosecond, "0.123457s"},
		{2 * time.Second, "2s"},
		{75 * time.Second, "75s"},
		{119 * time.Second, "119s"},
		{120 * time.Second, "2m"},
		{119 * time.Minute, "119m"},
		{120 * time.Minute, "2h"},
		{47 * time.Hour, "47h"},
		{48 * time.Hour, "2d"},
		{13 * 24 * time.Hour, "13d"},
		{14 * 24 * time.Hour, "2w"},
		{83 * 24 * time.Hour, "11w"},
		{84 * 24 * time.Hour, "2M"},
		{719 * 24 * time.Hour, "23M"},
		{720 * 24 * time.Hour, "1y"},
	} {
		if got := TimespanStr(c.d); got != c.want {
			t.Errorf("TimespanStr(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
