package msg

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// TimeCheckOp is an MTimeCheck2 op (src/messages/MTimeCheck2.h).
type TimeCheckOp int32

const (
	TimeCheckPing   TimeCheckOp = 1 // leader: what time is it?
	TimeCheckPong   TimeCheckOp = 2 // peon: this
	TimeCheckReport TimeCheckOp = 3 // leader: everyone's skew and latency
)

func (o TimeCheckOp) String() string {
	switch o {
	case TimeCheckPing:
		return "ping"
	case TimeCheckPong:
		return "pong"
	case TimeCheckReport:
		return "report"
	}
	return "???"
}

// TimeCheck2 is MTimeCheck2 (HEAD_VERSION 1): the leader's clock-skew
// rounds (Monitor::timecheck_*). Skews and latencies are in seconds,
// keyed by rank.
type TimeCheck2 struct {
	msgr2.MsgBase
	Op        TimeCheckOp
	Epoch     uint64
	Round     uint64
	Timestamp encoding.UTime
	Skews     map[int32]float64
	Latencies map[int32]float64
}

func (*TimeCheck2) Type() uint16              { return TypeTimeCheck2 }
func (*TimeCheck2) Version() (uint16, uint16) { return 1, 1 }

func encF64(e *encoding.Encoder, v float64) { e.F64(v) }
func decF64(d *encoding.Decoder) float64    { return d.F64() }

func (m *TimeCheck2) EncodePayload(uint64) ([]byte, []byte, []byte) {
	var e encoding.Encoder
	e.I32(int32(m.Op))
	e.U64(m.Epoch)
	e.U64(m.Round)
	e.UTime(m.Timestamp)
	encoding.Map(&e, m.Skews, encoding.EncI32, encF64)
	encoding.Map(&e, m.Latencies, encoding.EncI32, encF64)
	return e.Bytes(), nil, nil
}

func (m *TimeCheck2) DecodePayload(_ uint64, front, _, _ []byte) error {
	d := encoding.NewDecoder(front)
	m.Op = TimeCheckOp(d.I32())
	m.Epoch = d.U64()
	m.Round = d.U64()
	m.Timestamp = d.UTime()
	m.Skews = encoding.DecodeMap(d, 12, encoding.DecI32, decF64)
	m.Latencies = encoding.DecodeMap(d, 12, encoding.DecI32, decF64)
	return finish(d)
}

// String prints m as MTimeCheck2::print does (without the timestamp's
// formatting).
func (m *TimeCheck2) String() string {
	s := fmt.Sprintf("time_check( %s e %d r %d", m.Op, m.Epoch, m.Round)
	if m.Op == TimeCheckReport {
		s += fmt.Sprintf(" #skews %d #latencies %d", len(m.Skews), len(m.Latencies))
	}
	return s + " )"
}
