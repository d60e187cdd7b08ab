package msg

import "testing"

func TestStatfsRoundTrip(t *testing.T) {
	pool := int64(3)
	in := &Statfs{Paxos: NewPaxosHeader(7), DataPool: &pool}
	in.FSID[0] = 9
	front, _, _ := in.EncodePayload(0)
	var out Statfs
	out.Hdr.Version = 2
	if err := out.DecodePayload(0, front, nil, nil); err != nil || *out.DataPool != 3 || out.FSID != in.FSID {
		t.Fatalf("%+v %v", out, err)
	}
	r := &StatfsReply{MapVersion: 5, St: CephStatfs{1, 2, 3, 4}}
	b, _, _ := r.EncodePayload(0)
	if len(b) != 56 {
		t.Fatalf("reply is %d bytes, ceph_mon_statfs_reply is 56", len(b))
	}
	var r2 StatfsReply
	if err := r2.DecodePayload(0, b, nil, nil); err != nil || r2 != *r {
		t.Fatalf("%+v %v", r2, err)
	}
	for i := range len(b) {
		if err := new(StatfsReply).DecodePayload(0, b[:i], nil, nil); err == nil {
			t.Fatalf("prefix of %d bytes decoded", i)
		}
	}
}

func FuzzStatfs(f *testing.F) {
	front, _, _ := (&Statfs{}).EncodePayload(0)
	f.Add(front)
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Statfs
		m.Hdr.Version = 2
		_ = m.DecodePayload(0, b, nil, nil)
		var r StatfsReply
		_ = r.DecodePayload(0, b, nil, nil)
	})
}
