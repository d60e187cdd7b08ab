package harness

// OSDs returns a Cluster whose daemons are OSDs of the quorum: AddOSD,
// KillOSD, StopOSD, RestartOSD and Ceph work on it as on a one-monitor
// cluster, with the quorum's ceph.conf (every monitor in mon host) and
// directory. Its OSDs stop before the monitors when the test ends.
func (q *Quorum) OSDs() *Cluster {
	if q.osds == nil {
		q.osds = &Cluster{Dir: q.Dir, ConfPath: q.ConfPath, KeyringPath: q.KeyringPath, FSID: q.FSID,
			t: q.t, sharedDir: true}
		q.t.Cleanup(q.osds.stop)
	}
	return q.osds
}
