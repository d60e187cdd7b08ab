package mon

import (
	"testing"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/fsmap"
	"github.com/kelp-ceph/kelp/msgr2"
	"github.com/kelp-ceph/kelp/msgr2/msg"
)

// recordingSession is a session whose messages are kept in *sent.
func recordingSession(m *Monitor, typ encoding.EntityType, sent *[]msgr2.Message) *Session {
	sess := &Session{Entity: encoding.EntityName{Type: typ, ID: "x"}, route: func(mg msgr2.Message) { *sent = append(*sent, mg) }}
	m.sessions[nil] = sess
	return sess
}

// TestMDSSubscriptions: fsmap.user and mdsmap subscriptions are served as
// MDSMonitor::check_sub serves them, before and after a file system
// exists, for clients and for an MDS the map does not know.
func TestMDSSubscriptions(t *testing.T) {
	m := testCluster(t)
	var sent []msgr2.Message
	sess := recordingSession(m, encoding.EntityClient, &sent)
	for _, what := range []string{"fsmap.user", "mdsmap", "mdsmap.1", "mdsmap.x"} {
		sess.subs.set(what, &subscription{})
		m.checkSub(sess, what)
	}
	// Only fsmap.user has something to send before a file system exists.
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1: %+v", len(sent), sent)
	}
	if u, ok := sent[0].(*msg.FSMapUser); !ok || u.Epoch != 1 {
		t.Fatalf("sent %+v", sent[0])
	}
	sent = nil
	run(t, m, cmd("osd pool create", "pool", "meta", "pg_num", int64(8)))
	run(t, m, cmd("osd pool create", "pool", "data", "pg_num", int64(8)))
	if r := run(t, m, cmd("fs new", "fs_name", "cephfs", "metadata", "meta", "data", "data")); r.r != 0 {
		t.Fatalf("fs new: %+v", r)
	}
	// The commit of epoch 2 reaches fsmap.user, mdsmap and mdsmap.1.
	got := map[string]uint32{}
	for _, mg := range sent {
		switch mg := mg.(type) {
		case *msg.FSMapUser:
			u, err := fsmap.DecodeUser(mg.MapBytes)
			if err != nil || len(u.Filesystems) != 1 || u.Filesystems[0].Name != "cephfs" || u.LegacyClientFSCID != 1 {
				t.Fatalf("fsmap.user %+v %v", u, err)
			}
			got["fsmap.user"]++
		case *msg.MDSMap:
			mm, err := fsmap.DecodeMDSMap(mg.MapBytes)
			if err != nil || mg.FSName != "cephfs" || mm.FSName != "cephfs" || mg.Epoch != 2 || mg.FSID != m.monmap.current.FSID {
				t.Fatalf("mdsmap %+v: %+v %v", mg, mm, err)
			}
			got["mdsmap"]++
		default:
			t.Fatalf("unexpected %T", mg)
		}
	}
	if got["fsmap.user"] != 1 || got["mdsmap"] != 2 {
		t.Fatalf("sent %v", got)
	}
	if sess.subs.get("mdsmap").next != 3 || sess.subs.get("mdsmap.x").next != 0 {
		t.Fatalf("next: mdsmap %d, mdsmap.x %d", sess.subs.get("mdsmap").next, sess.subs.get("mdsmap.x").next)
	}
	// A onetime subscription ends once served.
	sent = nil
	sess.subs.set("mdsmap.1", &subscription{onetime: true})
	m.checkSub(sess, "mdsmap.1")
	if len(sent) != 1 || sess.subs.get("mdsmap.1") != nil {
		t.Fatalf("onetime: sent %d, sub %v", len(sent), sess.subs.get("mdsmap.1"))
	}

	// An MDS the map does not know gets a map of no file system at the
	// FSMap's epoch.
	var mdsSent []msgr2.Message
	mds := recordingSession(m, encoding.EntityMDS, &mdsSent)
	mds.subs.set("mdsmap", &subscription{})
	m.checkSub(mds, "mdsmap")
	if len(mdsSent) != 1 {
		t.Fatalf("mds got %d messages", len(mdsSent))
	}
	mg := mdsSent[0].(*msg.MDSMap)
	mm, err := fsmap.DecodeMDSMap(mg.MapBytes)
	if err != nil || mg.FSName != "" || mg.Epoch != 2 || mm.Epoch != 2 || len(mm.Info) != 0 || mm.FSName != "" {
		t.Fatalf("mds map %+v: %+v %v", mg, mm, err)
	}
}
