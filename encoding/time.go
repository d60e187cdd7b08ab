package encoding

import (
	"fmt"
	"strconv"
	"time"
)

// UTime is Ceph's utime_t (src/include/utime.h), also the layout of
// ceph_timespec: u32 seconds and u32 nanoseconds since the Unix epoch.
type UTime struct {
	Sec  uint32
	Nsec uint32
}

// UTimeOf converts t, truncating to what utime_t can hold.
func UTimeOf(t time.Time) UTime {
	if t.IsZero() {
		return UTime{}
	}
	return UTime{Sec: uint32(t.Unix()), Nsec: uint32(t.Nanosecond())}
}

// Time returns u as a time.Time in UTC; the zero UTime gives the zero Time.
func (u UTime) Time() time.Time {
	if u == (UTime{}) {
		return time.Time{}
	}
	return time.Unix(int64(u.Sec), int64(u.Nsec)).UTC()
}

// IsZero reports whether u is 0.000000.
func (u UTime) IsZero() bool { return u == UTime{} }

// String formats u as Ceph prints a utime_t in JSON and logs: local-less
// ISO 8601 with microseconds and the UTC offset, e.g.
// 2026-11-23T10:52:44.123456+0000.
func (u UTime) String() string {
	t := time.Unix(int64(u.Sec), int64(u.Nsec)).UTC()
	return fmt.Sprintf("%s.%06d+0000", t.Format("2006-01-02T15:04:05"), u.Nsec/1000)
}

func (e *Encoder) UTime(u UTime) {
	e.U32(u.Sec)
	e.U32(u.Nsec)
}

func (d *Decoder) UTime() UTime {
	return UTime{Sec: d.U32(), Nsec: d.U32()}
}

// GMTime formats u as utime_t::gmtime does in its non-legacy form, the
// shape Ceph's JSON dumps use: 2026-11-23T10:52:44.123456Z.
func (u UTime) GMTime() string {
	t := time.Unix(int64(u.Sec), int64(u.Nsec)).UTC()
	return fmt.Sprintf("%s.%06dZ", t.Format("2006-01-02T15:04:05"), u.Nsec/1000)
}

// TimespanStr prints a duration as timespan_str (src/common/ceph_time.cc)
// does, e.g. the age of a quorum in `ceph -s`: float seconds under 2s,
// then whole seconds under 120s, minutes under 120m, hours under 48h,
// days under 14d, weeks under 12w, 30-day months under 24M, then years.
func TimespanStr(d time.Duration) string {
	if d < 0 {
		d = 0 // to_timespan clamps a negative span
	}
	if d < 2*time.Second {
		// (float)nsec / 1000000000, printed with the stream's six digits
		return strconv.FormatFloat(float64(float32(d.Nanoseconds())/1e9), 'g', 6, 32) + "s"
	}
	sec := int64(d / time.Second)
	min, hr, day := sec/60, sec/3600, sec/86400
	switch {
	case sec < 120:
		return fmt.Sprintf("%ds", sec)
	case min < 120:
		return fmt.Sprintf("%dm", min)
	case hr < 48:
		return fmt.Sprintf("%dh", hr)
	case day < 14:
		return fmt.Sprintf("%dd", day)
	case day/7 < 12:
		return fmt.Sprintf("%dw", day/7)
	case day/30 < 24:
		return fmt.Sprintf("%dM", day/30)
	}
	return fmt.Sprintf("%dy", day/365)
}
