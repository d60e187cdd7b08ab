package client

import (
	"bytes"
	"errors"
	"github.com/kelp-ceph/kelp/msgr2/msg"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/osdmap"
	"github.com/kelp-ceph/kelp/msgr2"
)

func readMap(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "osdmap", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// realStream is what a real mon sends a client subscribed from epoch 0
// (full 10) and then as the map changes (incrementals 11..15).
func realStream(t testing.TB) (full *msg.OSDMap, incs *msg.OSDMap) {
	full = &msg.OSDMap{Maps: map[uint32][]byte{10: readMap(t, "full_10")}}
	incs = &msg.OSDMap{Incrementals: map[uint32][]byte{}}
	for e := uint32(11); e <= 15; e++ {
		incs.Incrementals[e] = readMap(t, "inc_"+itoa(e))
	}
	return full, incs
}

func itoa(e uint32) string { return string(rune('0'+e/10)) + string(rune('0'+e%10)) }

// TestTrackerRealIncrementals: incrementals a real mon wrote apply to the
// full map before them, and each result re-encodes to the mon's full_crc;
// the final map equals the mon's own full map 15.
func TestTrackerRealIncrementals(t *testing.T) {
	full, incs := realStream(t)
	var tr osdmapTracker
	r := tr.handle(full)
	if r.NeedFull || r.Full != 1 || tr.cur.Epoch != 10 {
		t.Fatalf("full map: %+v", r)
	}
	r = tr.handle(incs)
	if r.NeedFull || r.Inc != 5 || len(r.Maps) != 5 {
		t.Fatalf("incrementals: %+v", r)
	}
	want, err := osdmap.Decode(readMap(t, "full_15"))
	if err != nil {
		t.Fatal(err)
	}
	if tr.cur.Epoch != 15 || tr.cur.CRC != want.CRC {
		t.Fatalf("after incrementals: epoch %d crc %#x, real full map 15 crc %#x", tr.cur.Epoch, tr.cur.CRC, want.CRC)
	}
	// Old epochs again change nothing.
	if r := tr.handle(incs); len(r.Maps) != 0 || r.NeedFull {
		t.Fatalf("replayed incrementals: %+v", r)
	}
}

// TestTrackerFallbacks: a gap, a crc mismatch or a broken incremental
// leave the map as it was and ask for a full map.
func TestTrackerFallbacks(t *testing.T) {
	full, _ := realStream(t)

	var tr osdmapTracker
	tr.handle(full)
	r := tr.handle(&msg.OSDMap{Incrementals: map[uint32][]byte{12: readMap(t, "inc_12")}})
	if !r.NeedFull || tr.cur.Epoch != 10 {
		t.Fatalf("gap: %+v, epoch %d", r, tr.cur.Epoch)
	}

	inc, err := osdmap.DecodeIncremental(readMap(t, "inc_11"))
	if err != nil {
		t.Fatal(err)
	}
	inc.FullCRC ^= 0x5a5a
	bad := inc.Encode(inc.EncodeFeatures)
	r = tr.handle(&msg.OSDMap{Incrementals: map[uint32][]byte{11: bad}})
	if !r.NeedFull || tr.cur.Epoch != 10 {
		t.Fatalf("crc mismatch: %+v, epoch %d", r, tr.cur.Epoch)
	}
	t.Logf("crc mismatch: %s", r.Reason)

	r = tr.handle(&msg.OSDMap{Incrementals: map[uint32][]byte{11: []byte{1, 2, 3}}})
	if !r.NeedFull || tr.cur.Epoch != 10 {
		t.Fatalf("garbage incremental: %+v", r)
	}

	var empty osdmapTracker
	if r := empty.handle(&msg.OSDMap{Incrementals: map[uint32][]byte{11: readMap(t, "inc_11")}}); !r.NeedFull {
		t.Fatalf("incremental without a base: %+v", r)
	}
	// A full map after a fallback recovers.
	r = tr.handle(&msg.OSDMap{Maps: map[uint32][]byte{15: readMap(t, "full_15")}})
	if r.NeedFull || tr.cur.Epoch != 15 {
		t.Fatalf("full map after fallback: %+v", r)
	}
}

func TestOSDMapMsgRoundTrip(t *testing.T) {
	full, incs := realStream(t)
	m := &msg.OSDMap{FSID: encoding.NewUUID(), Maps: full.Maps, Incrementals: incs.Incrementals, Oldest: 1, Newest: 15}
	front, _, _ := m.EncodePayload(encoding.FeaturesPacific)
	var got msg.OSDMap
	got.Hdr.Version = 4
	if err := got.DecodePayload(encoding.FeaturesPacific, front, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got.FSID != m.FSID || got.First() != 10 || got.Last() != 15 || got.Newest != 15 || !bytes.Equal(got.Maps[10], full.Maps[10]) {
		t.Fatalf("round trip: %+v", got)
	}
	for n := range len(front) {
		var p msg.OSDMap
		p.Hdr.Version = 4
		if p.DecodePayload(0, front[:n], nil, nil) == nil {
			t.Fatalf("prefix of %d bytes decoded", n)
		}
	}
}

func FuzzOSDMapMsg(f *testing.F) {
	full, incs := realStream(f)
	m := &msg.OSDMap{Maps: full.Maps, Incrementals: incs.Incrementals, Oldest: 1, Newest: 15}
	front, _, _ := m.EncodePayload(0)
	f.Add(front, uint16(4))
	f.Add(front[:40], uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, v uint16) {
		var m msg.OSDMap
		m.Hdr.Version = v
		if m.DecodePayload(0, b, nil, nil) != nil {
			return
		}
		var tr osdmapTracker
		tr.handle(&m)
		tr.handle(&m)
	})
}

func TestCommandError(t *testing.T) {
	var err error = &CommandError{Errno: syscall.ENOENT, Status: "unrecognized pool 'x'", Prefix: "osd pool get"}
	if !errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EINVAL) {
		t.Fatal("errors.Is does not see the errno")
	}
	if got := err.Error(); got != `mon command "osd pool get": ENOENT: unrecognized pool 'x'` {
		t.Fatal(got)
	}
	if ErrnoName(syscall.EOPNOTSUPP) != "ENOTSUP" || ErrnoName(9999) != "Unknown" {
		t.Fatal("errno names")
	}
}

func TestCommandStrings(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want []string
	}{
		{`{"prefix": "mon dump"}`, []string{`{"prefix": "mon dump"}`}},
		{[]byte(`{"prefix":"x"}`), []string{`{"prefix":"x"}`}},
		{[]string{`{"prefix":`, `"x"}`}, []string{`{"prefix":`, `"x"}`}},
		{map[string]any{"prefix": "osd dump", "format": "json"}, []string{`{"format":"json","prefix":"osd dump"}`}},
	} {
		got, err := commandStrings(tc.in)
		if err != nil || len(got) != len(tc.want) || got[0] != tc.want[0] {
			t.Errorf("%v: %q %v", tc.in, got, err)
		}
		if prefixOf(got) == "" && len(got) == 1 {
			t.Errorf("%v: no prefix found", tc.in)
		}
	}
	if _, err := commandStrings(func() {}); err == nil {
		t.Error("a func marshalled")
	}
}

func TestOptionsResolve(t *testing.T) {
	dir := t.TempDir()
	kr := filepath.Join(dir, "keyring")
	os.WriteFile(kr, []byte("[client.admin]\n\tkey = AQBzg+xkAAAAABAAkvPjxYJHSH7B3ZEJc96cbA==\n"), 0o600)
	cp := filepath.Join(dir, "ceph.conf")
	os.WriteFile(cp, []byte("[global]\nmon host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789] 127.0.0.2\nkeyring = "+kr+"\nms mon client mode = crc\n"), 0o644)
	s, err := (&Options{ConfPath: cp}).resolve()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.mons) != 3 || s.key.IsZero() || len(s.modes) != 1 || s.modes[0] != msgr2.ConModeCRC || s.methods[0] != msgr2.AuthCephx {
		t.Fatalf("resolved %+v", s)
	}
	// auth_client_required "cephx, none": no key means trying none.
	if s, err := (&Options{ConfPath: cp, Name: "client.nobody"}).resolve(); err != nil || len(s.methods) != 1 || s.methods[0] != msgr2.AuthNone {
		t.Fatalf("no key: %v", err)
	}
	if _, err := (&Options{ConfPath: cp, Name: "nonsense"}).resolve(); err == nil {
		t.Fatal("a bad name resolved")
	}
	s, err = (&Options{MonHost: "127.0.0.1:3300", AuthNone: true, ConfPath: filepath.Join(dir, "absent.conf")}).resolve()
	if err == nil {
		t.Fatal("a missing explicit conf file was accepted")
	}
	s, err = (&Options{MonHost: "127.0.0.1:3300", AuthNone: true, ConfPath: cp}).resolve()
	if err != nil || len(s.mons) != 1 || s.methods[0] != msgr2.AuthNone {
		t.Fatalf("mon host override: %+v %v", s, err)
	}
}
