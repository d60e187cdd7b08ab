package osdmap

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// formatOSDs prints a set as Ceph's operator<< for vector<int> does.
func formatOSDs(v []int32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, o := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, o)
	}
	b.WriteByte(']')
	return b.String()
}

// markUpIn does what osdmaptool --mark-up-in does before mapping.
func markUpIn(m *OSDMap) {
	for o := range m.MaxOSD {
		m.OSDState[o] |= StateUp
		m.OSDWeight[o] = WeightIn
		m.OSDState[o] |= StateExists
	}
}

// checkPGsDumpAll compares every PG line of `osdmaptool --test-map-pgs-dump-all`
// output with kelp's mapping.
func checkPGsDumpAll(t *testing.T, m *OSDMap, dump []byte) {
	t.Helper()
	mp, err := m.NewMapper()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(dump))
	for sc.Scan() {
		line := sc.Text()
		pgs, _, ok := strings.Cut(line, " raw (")
		if !ok {
			continue
		}
		pg, err := ParsePG(pgs)
		if err != nil {
			t.Fatal(err)
		}
		raw, rawPrimary := mp.RawOSDs(pg)
		mapping := mp.Map(pg)
		got := fmt.Sprintf("%s raw (%s, p%d) up (%s, p%d) acting (%s, p%d)", pg,
			formatOSDs(raw), rawPrimary, formatOSDs(mapping.Up), mapping.UpPrimary,
			formatOSDs(mapping.Acting), mapping.ActingPrimary)
		if got != line {
			t.Errorf("osdmaptool: %s\nkelp:       %s", line, got)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no PG lines in the dump")
	}
}

func TestMappingMatchesOsdmaptool(t *testing.T) {
	for _, c := range []struct {
		mapFile, dump string
		upIn          bool
	}{
		{"real-e37.bin", "real-e37.pgs-dump-all.txt", false},
		{"real-e44.bin", "real-e44.pgs-dump-all.txt", false},
		{"createsimple-10.bin", "createsimple-10.mark-up-in.pgs-dump-all.txt", true},
	} {
		t.Run(c.mapFile, func(t *testing.T) {
			m, err := Decode(readGolden(t, c.mapFile))
			if err != nil {
				t.Fatal(err)
			}
			if c.upIn {
				markUpIn(m)
			}
			checkPGsDumpAll(t, m, readGolden(t, c.dump))
		})
	}
}

func TestObjectMappingMatchesOsdmaptool(t *testing.T) {
	m, err := Decode(readGolden(t, "real-e37.bin"))
	if err != nil {
		t.Fatal(err)
	}
	mp, err := m.NewMapper()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(readGolden(t, "real-e37.map-object.txt")))
	n := 0
	for sc.Scan() {
		// " object 'NAME' -> PG -> [..]"
		var name string
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, " object '")
		if !ok {
			continue
		}
		name, rest, _ = strings.Cut(rest, "' -> ")
		pgs, _, _ := strings.Cut(rest, " -> ")
		want, err := ParsePG(pgs)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := m.ObjectToPG(int64(want.Pool), name, "", "")
		if err != nil {
			t.Fatal(err)
		}
		pg := m.Pools[int64(want.Pool)].RawPGToPG(raw)
		got := fmt.Sprintf(" object '%s' -> %s -> %s", name, pg, formatOSDs(mp.Map(pg).Acting))
		if got != line {
			t.Errorf("osdmaptool: %s\nkelp:       %s", line, got)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no object lines")
	}
}
