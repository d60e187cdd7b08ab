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

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestQuorumMonDown stops one monitor of three, ceph-mon's and kelp-mon's
// alike: `ceph health detail` on the two left raises MON_DOWN with
// Ceph's summary ("1/3 mons down, quorum a,b") and detail line, the
// check's JSON of the same shape; when the monitor is back it clears.
func TestQuorumMonDown(t *testing.T) {
	var raw [2]string
	for i, kind := range []harness.MonKind{harness.CephMon, harness.KelpMon} {
		t.Run(kind.String(), func(t *testing.T) { raw[i] = checkMonDown(t, kind) })
	}
	if t.Failed() {
		return
	}
	if err := SameShape([]byte(raw[0]), []byte(raw[1])); err != nil {
		t.Errorf("health detail with a monitor down differs in shape: %v\nceph-mon: %s\nkelp-mon: %s", err, raw[0], raw[1])
	}
}

func checkMonDown(t *testing.T, kind harness.MonKind) string {
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
	var raw string
	for {
		var h struct {
			Status string `json:"status"`
			Checks map[string]struct {
				Severity string `json:"severity"`
				Summary  struct {
					Message string `json:"message"`
					Count   int    `json:"count"`
				} `json:"summary"`
				Detail []struct {
					Message string `json:"message"`
				} `json:"detail"`
			} `json:"checks"`
		}
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
				raw = string(all.Checks["MON_DOWN"])
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
