package conf

import (
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
)

// FuzzParse feeds arbitrary text to the file parser and, when it parses,
// looks every table option up through expansion: nothing may panic or
// hang.
func FuzzParse(f *testing.F) {
	for _, c := range fileCases {
		f.Add(c.text)
	}
	f.Add("[global]\nadmin socket = ${run_dir}/$name.$pid.${cctid}$\n")
	f.Fuzz(func(t *testing.T, text string) {
		file, err := Parse([]byte(text))
		if err != nil {
			return
		}
		c := New(encoding.EntityName{Type: encoding.EntityMon, ID: "a"}, "ceph")
		c.File = file
		c.Hostname = "h"
		for _, sec := range file.Order {
			for k := range file.Sections[sec] {
				c.LookupFile(k)
			}
		}
		for _, o := range Options() {
			if _, err := c.Get(o.Name); err != nil {
				t.Fatal(err)
			}
		}
		c.FileErrors()
	})
}

// FuzzParseValue parses arbitrary text as every option type.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"1", "-1", "1K", "3Ki", "1.5", "true", "1d 2h", "v2:1.2.3.4:3300/7", "[::1]:6789",
		"[v2:1.2.3.4:3300,v1:1.2.3.4:6789]", "11111111-2222-3333-4444-555555555555", "5/6", "0x1p4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for ty := TypeUint; ty <= TypeMillisecs; ty++ {
			if v, err := ParseValue(ty, s); err == nil {
				_ = v.String()
			}
		}
		_, _ = normalizeDebugLevel(s)
	})
}

// FuzzAddrList parses arbitrary mon_host values.
func FuzzAddrList(f *testing.F) {
	for _, c := range monHostCases {
		f.Add(c.monHost)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if mons, err := InitialMonsFromIPs(s, false); err == nil {
			for _, m := range mons {
				_ = m.Addrs.String()
			}
		}
		_, _ = InitialMonsFromIPs(s, true)
	})
}
