//go:build interop

package harness

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestStartMonAndOSD(t *testing.T) {
	t.Parallel()
	c := StartMon(t, Options{OSDs: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := c.Ceph(ctx, "mon", "dump", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var dump struct {
		FSID string `json:"fsid"`
		Mons []struct {
			Name string `json:"name"`
		} `json:"mons"`
	}
	if err := json.Unmarshal([]byte(out), &dump); err != nil {
		t.Fatal(err)
	}
	if dump.FSID != c.FSID.String() || len(dump.Mons) != 1 || dump.Mons[0].Name != "a" {
		t.Fatalf("mon dump: %s", out)
	}
	for {
		out, err := c.Ceph(ctx, "osd", "stat", "--format", "json")
		if err == nil && strings.Contains(out, `"num_up_osds":1`) {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("osd.0 never came up: %s %v\n%s", out, err, c.LogTail("osd.0"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestNoAuthCluster(t *testing.T) {
	t.Parallel()
	c := StartMon(t, Options{Auth: "none"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Ceph(ctx, "status"); err != nil {
		t.Fatal(err)
	}
}
