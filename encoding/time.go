package encoding

import (
	"fmt"
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
