package fsmap

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// userGolden is the FSMapUser of an MFSMapUser a real 16.2.15 ceph-mon sent
// ceph-fuse (see testdata/README.md).
func userGolden(t testing.TB) []byte {
	b, err := os.ReadFile("testdata/user/fsmapuser-e53.bin")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUserGolden(t *testing.T) {
	b := userGolden(t)
	u, err := DecodeUser(b)
	if err != nil {
		t.Fatal(err)
	}
	if u.Epoch != 53 || u.LegacyClientFSCID != 1 || len(u.Filesystems) != 2 ||
		u.Filesystems[0] != (FSInfo{1, "cephfs"}) || u.Filesystems[1] != (FSInfo{2, "fs2"}) {
		t.Fatalf("decoded %+v", u)
	}
	if got := u.Encode(); !bytes.Equal(got, b) {
		t.Fatalf("re-encoded %x, want %x", got, b)
	}
	for n := range len(b) {
		if _, err := DecodeUser(b[:n]); err == nil {
			t.Fatalf("%d-byte prefix of %d decoded", n, len(b))
		}
	}
}

// TestUserFromFSMap: the client view of fsmap-two-fs.bin (file systems
// cephfs and fs2, legacy fscid 1) is the golden one but for the epoch.
func TestUserFromFSMap(t *testing.T) {
	m, err := Decode(readGolden(t, "fsmap-two-fs.bin"))
	if err != nil {
		t.Fatal(err)
	}
	u := m.User()
	if u.Epoch != m.Epoch {
		t.Fatalf("epoch %d, map's %d", u.Epoch, m.Epoch)
	}
	u.Epoch = 53
	if got, want := u.Encode(), userGolden(t); !bytes.Equal(got, want) {
		t.Fatalf("encoded %x, want %x", got, want)
	}
	empty := Initial().User()
	if got, err := DecodeUser(empty.Encode()); err != nil || len(got.Filesystems) != 0 || got.LegacyClientFSCID != FSClusterIDNone {
		t.Fatalf("empty map: %+v %v", got, err)
	}
}

func FuzzDecodeUser(f *testing.F) {
	f.Add(userGolden(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := DecodeUser(b)
		if err != nil {
			return
		}
		// A newer struct_v may carry more than kelp keeps; what kelp
		// keeps must survive its own encoding.
		again, err := DecodeUser(u.Encode())
		if err != nil || !reflect.DeepEqual(again, u) {
			t.Fatalf("re-encoded %x decodes to %+v, %v; want %+v", b, again, err, u)
		}
	})
}
