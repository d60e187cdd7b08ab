package monmap

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenRoundTrip(t *testing.T) {
	for _, name := range []string{"monmaptool-3mons", "ceph-mon-getmap"} {
		t.Run(name, func(t *testing.T) {
			in := readGolden(t, name+".bin")
			m, err := Decode(in)
			if err != nil {
				t.Fatal(err)
			}
			if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(out, in) {
				t.Fatalf("re-encoded bytes differ\n got %x\nwant %x", out, in)
			}
			if got, want := m.Print(), string(readGolden(t, name+".print")); got != want {
				t.Fatalf("print differs\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestGoldenContent(t *testing.T) {
	m, err := Decode(readGolden(t, "monmaptool-3mons.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if m.FSID.String() != "8f7c1a4e-2b6d-4c3a-9e1f-0a1b2c3d4e5f" || len(m.Mons) != 3 {
		t.Fatalf("fsid %s, %d mons", m.FSID, len(m.Mons))
	}
	// monmaptool orders ranks by legacy address: 10.0.0.3 < 127.0.0.1 < 127.0.0.2.
	if strings.Join(m.Ranks, ",") != "c,a,b" {
		t.Fatalf("ranks %v", m.Ranks)
	}
	ranks := m.Ranks
	m.CalcLegacyRanks()
	if strings.Join(m.Ranks, ",") != strings.Join(ranks, ",") {
		t.Fatalf("CalcLegacyRanks gives %v, monmaptool gave %v", m.Ranks, ranks)
	}
	if a := m.Mons["a"].PublicAddrs; a.String() != "[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]" {
		t.Fatal(a)
	}
}

func TestDumpMatchesCephMonDump(t *testing.T) {
	m, err := Decode(readGolden(t, "ceph-mon-getmap.bin"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(m.Dump())
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(readGolden(t, "ceph-mon-getmap.json"), &want); err != nil {
		t.Fatal(err)
	}
	delete(want, "quorum") // added by the mon command, not MonMap::dump
	wantB, _ := json.Marshal(want)
	var gotM map[string]any
	_ = json.Unmarshal(got, &gotM)
	gotB, _ := json.Marshal(gotM)
	if !bytes.Equal(gotB, wantB) {
		t.Fatalf("dump differs\n got %s\nwant %s", gotB, wantB)
	}
}

func TestLegacyEncodingsDecode(t *testing.T) {
	m, err := Decode(readGolden(t, "monmaptool-3mons.bin"))
	if err != nil {
		t.Fatal(err)
	}
	// Each older layout keeps what it can carry: legacy addresses and names.
	luminous := encoding.FeaturesPacific &^ uint64(encoding.FeatureServerNautilus)
	for name, features := range map[string]uint64{
		"v1":       0,
		"v2":       uint64(encoding.FeatureMonNames),
		"luminous": luminous,
	} {
		m2, err := Decode(m.Encode(features))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m2.FSID != m.FSID || len(m2.Mons) != 3 || len(m2.Ranks) != 3 {
			t.Fatalf("%s: lost monitors: %+v", name, m2)
		}
		if name != "v1" && m2.Mons["a"].PublicAddrs.Legacy() != m.Mons["a"].PublicAddrs.Legacy() {
			t.Fatalf("%s: legacy addr %v", name, m2.Mons["a"].PublicAddrs)
		}
	}
}

func TestTruncatedInputsFail(t *testing.T) {
	for _, name := range []string{"monmaptool-3mons.bin", "ceph-mon-getmap.bin"} {
		in := readGolden(t, name)
		for i := range len(in) {
			if _, err := Decode(in[:i]); err == nil {
				t.Fatalf("%s: prefix of %d bytes decoded", name, i)
			}
		}
	}
}

func TestNewerCompatRefused(t *testing.T) {
	in := readGolden(t, "monmaptool-3mons.bin")
	in = append([]byte(nil), in...)
	in[1] = 10 // compat 10: needs a decoder newer than v9
	_, err := Decode(in)
	var ie *encoding.IncompatError
	if !errors.As(err, &ie) {
		t.Fatalf("want IncompatError, got %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"monmaptool-3mons.bin", "ceph-mon-getmap.bin"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode and decode to the same map.
		m2, err := Decode(m.Encode(encoding.FeaturesPacific))
		if err != nil {
			t.Fatalf("re-encoded map does not decode: %v", err)
		}
		if m2.Print() != m.Print() {
			t.Fatalf("round trip changed the map:\n%s\n%s", m.Print(), m2.Print())
		}
	})
}

// TestCloneIsDeep: a clone encodes as the original does, and changing
// the clone's monitors, addresses and sets leaves the original as it was.
func TestCloneIsDeep(t *testing.T) {
	in := readGolden(t, "ceph-mon-getmap.bin")
	m, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Clone()
	if out := c.Encode(encoding.FeaturesPacific); !bytes.Equal(out, in) {
		t.Fatalf("clone encodes differently\n got %x\nwant %x", out, in)
	}
	name := m.Ranks[0]
	c.Mons[name].PublicAddrs[0].Nonce = 7
	c.Mons[name].CrushLoc = map[string]string{"host": "x"}
	c.DisallowedLeaders = append(c.DisallowedLeaders, name)
	if err := c.Remove(m.Ranks[len(m.Ranks)-1]); err != nil {
		t.Fatal(err)
	}
	c.Epoch++
	if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(out, in) {
		t.Fatalf("changing the clone changed the original")
	}
}
