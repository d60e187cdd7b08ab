// Package interop holds kelp's end-to-end tests against real Ceph: the
// stock ceph CLI and daemons from Debian's Ceph 16.2.15 talking to
// kelp-mon, with a real ceph-mon beside it as the reference. The tests
// carry the build tag "interop"; harness starts the daemons.
package interop
