package osdmap

import (
	"strings"
	"testing"
	"time"
)

// The real-e45.* files are what a Pacific mon answered (via librados
// mon_command) for the map in real-e45.bin.
func TestPrintMatchesMon(t *testing.T) {
	m, err := Decode(readGolden(t, "real-e45.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		got  string
	}{
		{"real-e45.osd-dump.txt", m.Print()},
		{"real-e45.pool-ls-detail.txt", m.PoolLsDetail()},
		{"real-e45.pool-ls.txt", m.PoolLs()},
		{"real-e45.osd-ls.txt", m.OSDLs()},
		{"real-e45.osd-ls.json", m.OSDLsJSON() + "\n"},
		{"real-e45.osd-stat.json", m.StatJSON()},
	} {
		want := string(readGolden(t, c.file))
		if c.got != want {
			t.Errorf("%s:\nwant %q\ngot  %q", c.file, want, c.got)
		}
	}
	// osd stat prints ages; the mon answered 18 minutes after the last
	// up/in changes.
	want := string(readGolden(t, "real-e45.osd-stat.txt"))
	now := m.LastUpChange.Time().Add(18*time.Minute + 30*time.Second)
	if got := m.Stat(now); got != want {
		t.Errorf("osd stat:\nwant %q\ngot  %q", want, got)
	}
}

func TestFlagString(t *testing.T) {
	if got := FlagString(FlagNoOut | FlagSortBitwise | FlagNoDeepScrub); got != "noout,nodeep-scrub,sortbitwise" {
		t.Fatal(got)
	}
	if !strings.Contains(StateNamesJoined(StateExists|StateUp), "exists,up") {
		t.Fatal(StateNamesJoined(StateExists | StateUp))
	}
}

func StateNamesJoined(s uint32) string { return strings.Join(StateNames(s), ",") }
