package auth

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

func mustName(t testing.TB, s string) encoding.EntityName {
	t.Helper()
	n, err := encoding.ParseEntityName(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAuthtoolKeyringGolden reads a keyring ceph-authtool wrote (see
// testdata/README.md) and writes it back byte for byte.
func TestAuthtoolKeyringGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/authtool-multi.keyring")
	if err != nil {
		t.Fatal(err)
	}
	kr, err := ParseKeyRing(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(kr.Entries) != 8 {
		t.Fatalf("%d entries, want 8", len(kr.Entries))
	}
	q, ok := kr.Get(mustName(t, "client.q"))
	if !ok || q.Caps["mon"] != `allow command "osd tree", allow r` || q.Caps["osd"] != "allow rw pool=x'y" {
		t.Fatalf("client.q = %+v", q)
	}
	nc, ok := kr.Get(mustName(t, "client.nocaps"))
	if !ok || nc.Key.String() != "AQBx5Z5jAAAAABAAbbbbbbbbbbbbbbbbbbbbbw==" || len(nc.Caps) != 0 {
		t.Fatalf("client.nocaps = %+v", nc)
	}
	if got := kr.Text(); got != string(b) {
		t.Fatalf("re-encoded text differs:\n%s\nwant\n%s", got, b)
	}
	// The binary form round-trips too.
	var e encoding.Encoder
	kr.Encode(&e)
	kr2, err := DecodeKeyRing(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if kr2.Text() != string(b) {
		t.Fatal("binary round trip changed the keyring")
	}
	for i := range e.Len() {
		if _, err := DecodeKeyRing(e.Bytes()[:i]); err == nil {
			t.Fatalf("binary prefix of %d bytes decoded", i)
		}
	}
}

const testKey = "AQBx5Z5jAAAAABAAbbbbbbbbbbbbbbbbbbbbbw=="

// TestKeyRingTextDialect pins the parser to what ceph-authtool 16.2.15
// accepts and refuses (each case was tried with `ceph-authtool -l`).
func TestKeyRingTextDialect(t *testing.T) {
	cases := []struct {
		in   string
		want string // Text() of the result; "ERR" for a refusal
	}{
		{"[client.a]\nkey = " + testKey, "ERR"}, // last line needs its newline
		{"  [client.a]\nkey = " + testKey + "\n", "ERR"},
		{"[client.a]\n\n   \n# c\nkey = " + testKey + "\n\n[client.b]\nkey=" + testKey + "\n",
			"[client.a]\n\tkey = " + testKey + "\n[client.b]\n\tkey = " + testKey + "\n"},
		{"[client.a]\nkey = " + testKey + "\ncaps mon = 'allow r'\n",
			"[client.a]\n\tkey = " + testKey + "\n\tcaps mon = \"allow r\"\n"},
		{"[client.a]\nkey = " + testKey + "\ncaps   osd = \"a#b\"\n", "ERR"},
		{"[client.a]\nkey = " + testKey + "\ncaps   osd = \"a\\#b\" ; c\n",
			"[client.a]\n\tkey = " + testKey + "\n\tcaps osd = \"a#b\"\n"},
		{"[client.a]\nkey = " + testKey + " # c\ncaps osd = a b ; c\n",
			"[client.a]\n\tkey = " + testKey + "\n\tcaps osd = \"a b\"\n"},
		{"[client.a]\nkey = " + testKey + "\ncaps osd = \"ab\" x\n", "ERR"},
		{"[client.a]\nkey = " + testKey + "\ncaps_mon = x\\\\y z \n",
			"[client.a]\n\tkey = " + testKey + "\n\tcaps mon = \"x\\y z\"\n"},
		{"[client.a]\nkey = " + testKey + "\nfoo = bar\n", "ERR"},
		{"[global]\nfoo = bar\n[client.a]\nkey = " + testKey + "\n", "[client.a]\n\tkey = " + testKey + "\n"},
		{"[bogus]\nkey = " + testKey + "\n", "ERR"},
		{"[client]\nkey = " + testKey + "\n", "ERR"},
		{"[client.a]\nkey = AQBx5Z5jAAAAABAAbbbbbbbbbbbbbbbbbbbbb\n", "ERR"},
		{"[client.a]\nkey = AQBx5Z5j AAAAABAAbbbbbbbbbbbbbbbbbbbbbw==\n", "ERR"},
		{"[client.a]\nkey=\"\"\n", "ERR"},
		{"[client.a]\n", ""},
		{"[client.a]\ncaps mon = \"x\"\n", "[client.a]\n\tkey = AAAAAAAAAAAAAAAA\n\tcaps mon = \"x\"\n"},
		{"[client.a]\nkey = " + testKey + "\n[client.a]\ncaps mon = r\n",
			"[client.a]\n\tkey = " + testKey + "\n\tcaps mon = \"r\"\n"},
		{"[client.a]\r\nkey = " + testKey + "\r\n", "[client.a]\n\tkey = " + testKey + "\n"},
		{"[client.a]\nkey = " + testKey + " \\\n\n", "[client.a]\n\tkey = " + testKey + "\n"},
		{"[client.a]\ncaps mon = allow \\\n r\nkey = " + testKey + "\n",
			"[client.a]\n\tkey = " + testKey + "\n\tcaps mon = \"allow  r\"\n"},
		{"[client.a]\nkey = " + testKey + "\n[]\n", "ERR"},
		{"[client.a]\nkey = " + testKey + "\ncaps = x\n", "ERR"},
		{"[client.a]\nkey = " + testKey + "\ncaps mon osd = x\n",
			"[client.a]\n\tkey = " + testKey + "\n\tcaps mon osd = \"x\"\n"},
		{"[client.a]\nkey = " + testKey + "\nauid = 5\n", "[client.a]\n\tkey = " + testKey + "\n"},
		{"[client.a]\nkey = " + testKey[:38] + "==AAAA\n", "[client.a]\n\tkey = " + testKey + "\n"},
		{"[client.a]\nkey = \xff\n", "ERR"},
		{"", ""},
	}
	for _, c := range cases {
		kr, err := ParseKeyRingText(c.in)
		got := "ERR"
		if err == nil {
			got = kr.Text()
		}
		if got != c.want {
			t.Errorf("parse %q:\n got %q (err %v)\nwant %q", c.in, got, err, c.want)
		}
	}
}

func TestKeyRingOrder(t *testing.T) {
	kr := NewKeyRing()
	k, _ := ParseKey(testKey)
	for _, n := range []string{"mgr.x", "client.b", "client.a", "osd.10", "osd.2", "mon.", "mds.z"} {
		kr.Add(mustName(t, n), EntityAuth{Key: k})
	}
	var got []string
	for _, n := range kr.Names() {
		got = append(got, n.String())
	}
	want := []string{"mon.", "mds.z", "osd.10", "osd.2", "client.a", "client.b", "mgr.x"}
	if len(got) != len(want) {
		t.Fatal(got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v want %v", got, want)
		}
	}
}

func FuzzParseKeyRing(f *testing.F) {
	if b, err := os.ReadFile("testdata/authtool-multi.keyring"); err == nil {
		f.Add(b)
		kr, _ := ParseKeyRing(b)
		var e encoding.Encoder
		kr.Encode(&e)
		f.Add(e.Bytes())
	}
	f.Add([]byte("[client.a]\ncaps mon = \"a\\\"b\" ; x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		kr, err := ParseKeyRing(b)
		if err != nil {
			return
		}
		// What parses re-parses to the same thing.
		text := kr.Text()
		if strings.ContainsRune(text, '\\') {
			// Ceph writes a backslash unescaped and reads it as an
			// escape: such caps do not survive a round trip there either.
			return
		}
		kr2, err := ParseKeyRingText(text)
		if err != nil {
			// Cap strings may hold characters the text form cannot carry
			// (a newline, '#'); Ceph has the same limitation.
			return
		}
		if kr2.Text() != text {
			t.Fatalf("text round trip changed:\n%q\n%q", text, kr2.Text())
		}
	})
}

func FuzzDecodeAuthRecords(f *testing.F) {
	k, _ := ParseKey(testKey)
	var e encoding.Encoder
	EntityAuth{Key: k, Caps: Caps{"mon": "allow *"}}.Encode(&e)
	f.Add(e.Bytes())
	e.Reset()
	tk := AuthTicket{Name: encoding.EntityName{Type: encoding.EntityClient, ID: "admin"}, GlobalID: 4, Caps: CapsInfoFor("allow *")}
	tk.Encode(&e)
	f.Add(e.Bytes())
	e.Reset()
	var r RotatingSecrets
	r.Add(ExpiringCryptoKey{Key: k})
	r.Encode(&e)
	f.Add(e.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, dec := range []func(*encoding.Decoder){
			func(d *encoding.Decoder) { DecodeCryptoKey(d) },
			func(d *encoding.Decoder) { DecodeEntityAuth(d) },
			func(d *encoding.Decoder) { DecodeAuthTicket(d) },
			func(d *encoding.Decoder) { DecodeAuthCapsInfo(d) },
			func(d *encoding.Decoder) { DecodeRotatingSecrets(d) },
		} {
			dec(encoding.NewDecoder(b))
		}
		_, _ = DecodeKeyRing(b)
		_, _ = ParseKey(string(b))
	})
}

func TestRecordsRoundTripAndTruncation(t *testing.T) {
	k, _ := ParseKey(testKey)
	var r RotatingSecrets
	for i := range 5 {
		r.Add(ExpiringCryptoKey{Key: k, Expiration: encoding.UTime{Sec: uint32(i)}})
	}
	if len(r.Secrets) != KeyRotateNum || r.MaxVer != 5 {
		t.Fatalf("rotating secrets %+v", r)
	}
	if id, _, _ := r.Current(); id != 4 {
		t.Fatalf("current id %d", id)
	}
	encs := map[string]func(*encoding.Encoder){
		"EntityAuth": EntityAuth{Key: k, Caps: Caps{"mon": "allow *", "osd": "allow rw"}}.Encode,
		"AuthTicket": AuthTicket{Name: mustName(t, "osd.3"), GlobalID: 9, Caps: CapsInfoFor("allow *"), Flags: 1}.Encode,
		"Rotating":   r.Encode,
	}
	decs := map[string]func(*encoding.Decoder) any{
		"EntityAuth": func(d *encoding.Decoder) any { return DecodeEntityAuth(d) },
		"AuthTicket": func(d *encoding.Decoder) any { return DecodeAuthTicket(d) },
		"Rotating":   func(d *encoding.Decoder) any { return DecodeRotatingSecrets(d) },
	}
	for name, enc := range encs {
		var e encoding.Encoder
		enc(&e)
		b := e.Bytes()
		d := encoding.NewDecoder(b)
		v := decs[name](d)
		if err := d.Done(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Re-encode what was decoded: same bytes.
		var e2 encoding.Encoder
		switch x := v.(type) {
		case EntityAuth:
			x.Encode(&e2)
		case AuthTicket:
			x.Encode(&e2)
		case RotatingSecrets:
			x.Encode(&e2)
		}
		if !bytes.Equal(e2.Bytes(), b) {
			t.Fatalf("%s: re-encoding differs", name)
		}
		for i := range len(b) {
			d := encoding.NewDecoder(b[:i])
			decs[name](d)
			if d.Err() == nil {
				t.Fatalf("%s: prefix of %d bytes decoded", name, i)
			}
		}
	}
}
