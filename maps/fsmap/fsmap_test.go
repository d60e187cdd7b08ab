package fsmap

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func readGolden(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func golden(t testing.TB) []byte { return readGolden(t, "fsmap-e1.bin") }

// goldenMaps are every binary FSMap in testdata.
func goldenMaps(t testing.TB) map[string][]byte {
	names, err := filepath.Glob("testdata/*.bin")
	if err != nil || len(names) < 7 {
		t.Fatalf("goldens: %v %v", names, err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		out[filepath.Base(n)] = readGolden(t, filepath.Base(n))
	}
	return out
}

func TestGoldenRoundTrip(t *testing.T) {
	in := golden(t)
	m, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	if m.Epoch != 1 || m.LegacyClientFSCID != -1 || !m.EnableMultiple || len(m.Compat.Incompat) != 9 {
		t.Fatalf("decoded %+v", m)
	}
	if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(in, out) {
		t.Fatalf("re-encoding differs:\n%x\n%x", in, out)
	}
}

func TestAllGoldensRoundTrip(t *testing.T) {
	for name, in := range goldenMaps(t) {
		m, err := Decode(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if out := m.Encode(encoding.FeaturesPacific); !bytes.Equal(in, out) {
			t.Fatalf("%s: re-encoding differs:\n%x\n%x", name, in, out)
		}
		for _, f := range m.Filesystems {
			mb := f.MDSMap.Encode(encoding.FeaturesPacific)
			mm, err := DecodeMDSMap(mb)
			if err != nil || !reflect.DeepEqual(mm.Encode(encoding.FeaturesPacific), mb) {
				t.Fatalf("%s: MDSMap %d round trip: %v", name, f.FSCID, err)
			}
		}
	}
}

func TestGoldenContents(t *testing.T) {
	m, err := Decode(readGolden(t, "fsmap-active-standby.bin"))
	if err != nil {
		t.Fatal(err)
	}
	f := m.Filesystems[1]
	if f == nil || f.MDSMap.FSName != "cephfs" || f.MDSMap.MetadataPool != 1 || !reflect.DeepEqual(f.MDSMap.DataPools, []int64{2}) {
		t.Fatalf("file system %+v", f)
	}
	if gid := f.MDSMap.Up[0]; gid != 4117 || f.MDSMap.Info[gid].Name != "b" || f.MDSMap.Info[gid].State != StateActive {
		t.Fatalf("rank 0: %+v", f.MDSMap.Info)
	}
	if sb := m.StandbyDaemons[4113]; sb == nil || sb.Name != "a" || sb.State != StateStandby || m.MDSRoles[4113] != FSClusterIDNone {
		t.Fatalf("standby %+v", sb)
	}
	if m.SummaryText() != "cephfs:1 {0=b=up:active} 1 up:standby" {
		t.Fatalf("summary %q", m.SummaryText())
	}
	m2, err := Decode(readGolden(t, "fsmap-two-fs.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m2.Filesystems) != 2 || m2.FilesystemByName("fs2").MDSMap.MetadataPool != 4 || !m2.Filesystems[1].MDSMap.HasDataPool(2) {
		t.Fatalf("two file systems: %+v", m2.Filesystems)
	}
}

// TestDumpMatchesCeph compares Print and Dump with what `ceph fs dump`
// printed for the same map.
func TestDumpMatchesCeph(t *testing.T) {
	m, err := Decode(readGolden(t, "fsmap-active-standby.bin"))
	if err != nil {
		t.Fatal(err)
	}
	m.Normalize()
	if got, want := m.Print(), string(readGolden(t, "fsmap-active-standby.txt")); got != want {
		t.Fatalf("print:\n%s\nwant:\n%s", got, want)
	}
	got, err := json.Marshal(m.Dump())
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSpace(string(readGolden(t, "fsmap-active-standby.json"))); string(got) != want {
		t.Fatalf("dump:\n%s\nwant:\n%s", got, want)
	}
}

// TestNormalizeMatchesCephReencoding: epoch 2 holds the new file system's
// compat without feature 7; ceph-mon's next epoch, re-encoding the map it
// loaded, has it.
func TestNormalizeMatchesCephReencoding(t *testing.T) {
	m, err := Decode(readGolden(t, "fsmap-fs-new.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Filesystems[1].MDSMap.Compat.Incompat[IncompatInline]; ok {
		t.Fatal("epoch 2 already has inline data")
	}
	m.Normalize()
	if _, ok := m.Filesystems[1].MDSMap.Compat.Incompat[IncompatInline]; !ok {
		t.Fatal("Normalize did not add inline data")
	}
}

// TestCreateFilesystemMatchesCeph rebuilds epoch 2 of monitor 1 from epoch
// 1 as `fs new cephfs meta data` did.
func TestCreateFilesystemMatchesCeph(t *testing.T) {
	want, err := Decode(readGolden(t, "fsmap-fs-new.bin"))
	if err != nil {
		t.Fatal(err)
	}
	m := Initial()
	m.Epoch = 2
	wm := want.Filesystems[1].MDSMap
	f := m.CreateFilesystem("cephfs", 1, 2, FSClusterIDNone, wm.Created)
	f.MDSMap.Modified = wm.Modified
	if got := m.Encode(encoding.FeaturesPacific); !bytes.Equal(got, readGolden(t, "fsmap-fs-new.bin")) {
		t.Fatalf("created map differs:\n%x\n%x", got, readGolden(t, "fsmap-fs-new.bin"))
	}
	m.EraseFilesystem(f.FSCID)
	if m.LegacyClientFSCID != FSClusterIDNone || len(m.Filesystems) != 0 {
		t.Fatalf("after erase %+v", m)
	}
}

func TestCloneIsDeep(t *testing.T) {
	m, err := Decode(readGolden(t, "fsmap-active-standby.bin"))
	if err != nil {
		t.Fatal(err)
	}
	c := m.Clone()
	c.Filesystems[1].MDSMap.MaxMDS = 7
	c.StandbyDaemons[4113].Name = "z"
	if m.Filesystems[1].MDSMap.MaxMDS != 1 || m.StandbyDaemons[4113].Name != "a" {
		t.Fatal("clone shares state")
	}
}

func TestInitialMatchesFreshMon(t *testing.T) {
	if out := Initial().Encode(encoding.FeaturesPacific); !bytes.Equal(golden(t), out) {
		t.Fatalf("Initial() differs from a fresh mon's FSMap:\n%x\n%x", golden(t), out)
	}
}

func TestTruncatedFails(t *testing.T) {
	for name, in := range goldenMaps(t) {
		for n := range len(in) {
			if _, err := Decode(in[:n]); err == nil {
				t.Fatalf("%s: prefix of %d bytes decoded", name, n)
			}
		}
	}
}

func TestTruncatedMDSMapFails(t *testing.T) {
	m, err := Decode(readGolden(t, "fsmap-active-standby.bin"))
	if err != nil {
		t.Fatal(err)
	}
	in := m.Filesystems[1].MDSMap.Encode(encoding.FeaturesPacific)
	for n := range len(in) {
		if _, err := DecodeMDSMap(in[:n]); err == nil {
			t.Fatalf("prefix of %d bytes decoded", n)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, b := range goldenMaps(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		m.Normalize()
		_ = m.Print()
		_ = m.SummaryText()
		if _, err := Decode(m.Encode(encoding.FeaturesPacific)); err != nil {
			t.Fatalf("re-encoded map does not decode: %v", err)
		}
	})
}

func FuzzDecodeMDSMap(f *testing.F) {
	for _, b := range goldenMaps(f) {
		if m, err := Decode(b); err == nil {
			for _, fs := range m.Filesystems {
				f.Add(fs.MDSMap.Encode(encoding.FeaturesPacific))
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMDSMap(b)
		if err != nil {
			return
		}
		_ = m.Print()
		if _, err := DecodeMDSMap(m.Encode(encoding.FeaturesPacific)); err != nil {
			t.Fatalf("re-encoded map does not decode: %v", err)
		}
	})
}
