//go:build interop

package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/client"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestQuorumMonHealth checks three monitors' reports on themselves,
// ceph-mon's and kelp-mon's alike. Metadata: `mon metadata` on a peon
// lists all three (the leader collects it with the election's acks and
// commits it), the JSON of the same shape. Time checks: the leader's first round
// after the election measures every monitor's clock, and
// `time-sync-status` on a peon (which learns the results from the
// leader's report) shows all three, healthy, the JSON of the same shape.
// MON_DOWN: with one monitor stopped, `ceph health detail` on the two
// left raises it with Ceph's summary ("1/3 mons down, quorum a,b") and
// detail line, the check's JSON of the same shape; when the monitor is
// back it clears.
func TestQuorumMonHealth(t *testing.T) {
	var raw [2]monHealthRaw
	for i, kind := range []harness.MonKind{harness.CephMon, harness.KelpMon} {
		t.Run(kind.String(), func(t *testing.T) { raw[i] = checkMonHealth(t, kind) })
	}
	if t.Failed() {
		return
	}
	if err := SameShape([]byte(raw[0].timeSync), []byte(raw[1].timeSync)); err != nil {
		t.Errorf("time-sync-status differs in shape: %v\nceph-mon: %s\nkelp-mon: %s", err, raw[0].timeSync, raw[1].timeSync)
	}
	if err := SameShape([]byte(raw[0].metadata), []byte(raw[1].metadata)); err != nil {
		t.Errorf("mon metadata differs in shape: %v\nceph-mon: %s\nkelp-mon: %s", err, raw[0].metadata, raw[1].metadata)
	}
	if err := SameShape([]byte(raw[0].monDown), []byte(raw[1].monDown)); err != nil {
		t.Errorf("health detail with a monitor down differs in shape: %v\nceph-mon: %s\nkelp-mon: %s", err, raw[0].monDown, raw[1].monDown)
	}
}

// monHealthRaw is what one kind of monitor answered, for the shape
// comparison.
type monHealthRaw struct{ timeSync, monDown, metadata string }

func checkMonHealth(t *testing.T, kind harness.MonKind) monHealthRaw {
	conf := maps.Clone(harness.FastFailover)
	// The check waits this long after the monmap's creation; a test
	// cluster is seconds old.
	conf["mon down mkfs grace"] = "0"
	q := harness.StartQuorum(t, kind, harness.QuorumOptions{Conf: conf})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	var dump struct {
		Mons []struct {
			Name string `json:"name"`
			Rank int    `json:"rank"`
		} `json:"mons"`
	}
	out, err := q.Ceph(ctx, "", "mon", "dump", "-f", "json")
	if err := errors.Join(err, json.Unmarshal([]byte(out), &dump)); err != nil || len(dump.Mons) != 3 {
		t.Fatalf("mon dump: %v: %s", err, out)
	}
	var raw monHealthRaw
	// Every monitor's metadata, from a peon: the leader collected it
	// from the election acks and committed it.
	for {
		var md []map[string]string
		out, err := q.Ceph(ctx, dump.Mons[2].Name, "mon", "metadata", "-f", "json")
		if err == nil && json.Unmarshal([]byte(out), &md) == nil && len(md) == 3 {
			for i, m := range md {
				addrs, _ := encoding.ParseAddrVec(q.Addrs[m["name"]])
				if m["name"] != dump.Mons[i].Name || m["addrs"] != addrs.String() || m["ceph_version_short"] != "16.2.15" {
					t.Fatalf("%v: mon metadata entry %d: %v", kind, i, m)
				}
			}
			raw.metadata = out
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%v: mon metadata on a peon: %v %s", kind, err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for {
		var ts struct {
			Skews map[string]struct {
				Skew    float64 `json:"skew"`
				Latency float64 `json:"latency"`
				Health  string  `json:"health"`
			} `json:"time_skew_status"`
			Checks struct {
				Round       int    `json:"round"`
				RoundStatus string `json:"round_status"`
			} `json:"timechecks"`
		}
		out, err := q.Ceph(ctx, dump.Mons[2].Name, "time-sync-status", "-f", "json")
		if err == nil && json.Unmarshal([]byte(out), &ts) == nil && len(ts.Skews) == 3 && ts.Checks.RoundStatus == "finished" {
			for name, sk := range ts.Skews {
				if sk.Health != "HEALTH_OK" || sk.Latency < 0 || sk.Skew > 0.05 || sk.Skew < -0.05 {
					t.Fatalf("%v: time-sync-status on mon.%s: mon.%s %+v\n%s", kind, dump.Mons[2].Name, name, sk, out)
				}
			}
			raw.timeSync = out
			t.Logf("%v: time-sync-status on a peon after round %d: %+v", kind, ts.Checks.Round, ts.Skews)
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%v: no finished time check round on a peon: %v %s\n%s", kind, err, out, q.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The highest rank is a peon: stopping it needs no election.
	down := dump.Mons[2]
	q.Kill(down.Name)
	rest := slices.DeleteFunc(slices.Clone(q.Names), func(n string) bool { return n == down.Name })
	q.WaitQuorum(ctx, rest...)

	addrs, err := encoding.ParseAddrVec(q.Addrs[down.Name])
	if err != nil {
		t.Fatal(err)
	}
	var quorum []string // by rank
	for _, m := range dump.Mons[:2] {
		quorum = append(quorum, m.Name)
	}
	wantSummary := fmt.Sprintf("1/3 mons down, quorum %s", strings.Join(quorum, ","))
	wantDetail := fmt.Sprintf("mon.%s (rank %d) addr %s is down (out of quorum)", down.Name, down.Rank, addrs)
	for {
		var h client.Health
		out, err := q.Ceph(ctx, rest[0], "health", "detail", "-f", "json")
		if err == nil && json.Unmarshal([]byte(out), &h) == nil {
			if c, ok := h.Checks["MON_DOWN"]; ok {
				if c.Severity != "HEALTH_WARN" || c.Summary.Message != wantSummary || c.Summary.Count != 1 ||
					len(c.Detail) != 1 || c.Detail[0].Message != wantDetail || h.Status != "HEALTH_WARN" {
					t.Fatalf("%v: MON_DOWN is %+v (status %s), want %q, count 1, detail %q", kind, c, h.Status, wantSummary, wantDetail)
				}
				var all struct {
					Checks map[string]json.RawMessage `json:"checks"`
				}
				if err := json.Unmarshal([]byte(out), &all); err != nil {
					t.Fatal(err)
				}
				raw.monDown = string(all.Checks["MON_DOWN"])
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("%v: no MON_DOWN with mon.%s down: %v %s\n%s", kind, down.Name, err, out, q.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("%v: %s; %s", kind, wantSummary, wantDetail)

	q.Start(down.Name)
	restarted := time.Now()
	q.WaitQuorum(ctx, q.Names...)
	rejoined := time.Since(restarted)
	for {
		out, err := q.Ceph(ctx, "", "health", "-f", "json")
		if err == nil && !strings.Contains(out, "MON_DOWN") {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%v: MON_DOWN stays with every monitor back: %v %s", kind, err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("%v: mon.%s back in quorum %v after its restart, MON_DOWN cleared after %v", kind, down.Name,
		rejoined.Round(time.Millisecond), time.Since(restarted).Round(time.Millisecond))
	return raw
}
