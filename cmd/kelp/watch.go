package main

import (
	"context"
	"fmt"
	"io"

	"github.com/kelp-ceph/kelp/client"
	"github.com/kelp-ceph/kelp/maps/mgrmap"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/maps/osdmap"
)

// watch prints a line for each map the monitors publish, until
// interrupted: osdmap epochs (with their pools and OSDs), monmaps and
// mgrmaps.
func watch(ctx context.Context, a *cliArgs, stdout, stderr io.Writer) int {
	cl, code := connect(ctx, a, stderr)
	if cl == nil {
		return code
	}
	defer cl.Close()
	merged := make(chan client.Update)
	for _, what := range []string{"monmap", "mgrmap", "osdmap"} {
		ch, err := cl.Subscribe(ctx, what)
		if err != nil {
			fmt.Fprintln(stderr, "kelp:", err)
			return 1
		}
		go func() {
			for u := range ch {
				select {
				case merged <- u:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for {
		select {
		case <-ctx.Done():
			return 0
		case u := <-merged:
			fmt.Fprintln(stdout, describe(u))
			if f, ok := stdout.(interface{ Sync() error }); ok {
				f.Sync()
			}
		}
	}
}

// describe is one line about a map.
func describe(u client.Update) string {
	switch m := u.Map.(type) {
	case *osdmap.OSDMap:
		up, in := 0, 0
		n := 0
		for i := range m.MaxOSD {
			if m.OSDState[i]&osdmap.StateExists == 0 {
				continue
			}
			n++
			if m.OSDState[i]&osdmap.StateUp != 0 {
				up++
			}
			if m.OSDWeight[i] != 0 {
				in++
			}
		}
		return fmt.Sprintf("osdmap e%d: %d pools, %d osds: %d up, %d in", m.Epoch, len(m.Pools), n, up, in)
	case *monmap.MonMap:
		return fmt.Sprintf("monmap e%d: %d mons %v", m.Epoch, len(m.Mons), m.Ranks)
	case *mgrmap.MgrMap:
		active := m.ActiveName
		if active == "" {
			active = "none"
		}
		return fmt.Sprintf("mgrmap e%d: active %s, %d standbys", m.Epoch, active, len(m.Standbys))
	}
	return fmt.Sprintf("%s e%d", u.What, u.Epoch)
}
