//go:build interop

package moncap

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kelp-ceph/kelp/interop/harness"
)

// TestInteropParseMatchesRealMon: every cap string of parseCases is
// offered to a real ceph-mon (`ceph auth get-or-create ... mon CAP`, which
// validates it with MonCap::parse); the mon must accept exactly what kelp
// parses.
func TestInteropParseMatchesRealMon(t *testing.T) {
	c := harness.StartMon(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	results := make([]error, len(parseCases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, pc := range parseCases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_, results[i] = c.Ceph(ctx, "auth", "get-or-create", fmt.Sprintf("client.cap%d", i), "mon", pc.cap)
		}()
	}
	wg.Wait()
	var mismatches []string
	for i, pc := range parseCases {
		err := results[i]
		real := err == nil
		if err != nil && !strings.Contains(err.Error(), "EINVAL") && !strings.Contains(err.Error(), "Invalid argument") {
			t.Fatalf("%q: unexpected failure %v", pc.cap, err)
		}
		_, kerr := Parse(pc.cap)
		if real != (kerr == nil) || real != pc.ok {
			mismatches = append(mismatches, fmt.Sprintf("%q: real mon %v, kelp %v (%v), table %v", pc.cap, real, kerr == nil, kerr, pc.ok))
		}
	}
	if len(mismatches) > 0 {
		t.Fatalf("%d mismatches:\n%s", len(mismatches), strings.Join(mismatches, "\n"))
	}
}
