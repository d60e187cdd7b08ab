package mon

import "time"

// perfCounters are the monitor's counters that `perf dump` shows, in the
// shapes of Ceph's PerfCounters: plain u64 values and time averages
// ({avgcount, sum, avgtime}). They are guarded by the monitor's lock.
type perfCounters struct {
	sessionAdd, sessionRm uint64
	commits               uint64
	commitSum             time.Duration
	commands              uint64
}

// perf types (PERFCOUNTER_* in src/common/perf_counters.h).
const (
	perfTime    = 0x1
	perfU64     = 0x2
	perfLongAvg = 0x4
	perfCounter = 0x8
)

type timeAvg struct {
	AvgCount uint64  `json:"avgcount"`
	Sum      float64 `json:"sum"`
	AvgTime  float64 `json:"avgtime"`
}

func (p *perfCounters) dump() map[string]map[string]any {
	avg := timeAvg{AvgCount: p.commits, Sum: p.commitSum.Seconds()}
	if p.commits > 0 {
		avg.AvgTime = avg.Sum / float64(p.commits)
	}
	return map[string]map[string]any{
		"mon": {
			"session_add":  p.sessionAdd,
			"session_rm":   p.sessionRm,
			"num_sessions": p.sessionAdd - p.sessionRm,
			"commands":     p.commands,
		},
		"paxos": {
			"commit":         p.commits,
			"commit_latency": avg,
		},
	}
}

type schemaEntry struct {
	Type        int    `json:"type"`
	MetricType  string `json:"metric_type"`
	ValueType   string `json:"value_type"`
	Description string `json:"description"`
	Nick        string `json:"nick"`
	Priority    int    `json:"priority"`
	Units       string `json:"units"`
}

func (p *perfCounters) schema() map[string]map[string]schemaEntry {
	counter := func(desc string) schemaEntry {
		return schemaEntry{perfU64 | perfCounter, "counter", "integer", desc, "", 0, "none"}
	}
	return map[string]map[string]schemaEntry{
		"mon": {
			"session_add":  counter("Sessions added"),
			"session_rm":   counter("Sessions removed"),
			"num_sessions": {perfU64, "gauge", "integer", "Open sessions", "sess", 0, "none"},
			"commands":     counter("Commands handled"),
		},
		"paxos": {
			"commit":         counter("Commits"),
			"commit_latency": {perfTime | perfLongAvg, "gauge", "real-integer-pair", "Commit latency", "clat", 0, "none"},
		},
	}
}
