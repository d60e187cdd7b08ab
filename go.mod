module github.com/kelp-ceph/kelp

go 1.26.0

require (
	github.com/anishathalye/porcupine v1.3.1
	github.com/ceph/go-ceph v0.36.0
	github.com/klauspost/compress v1.20.3
	github.com/pierrec/lz4/v4 v4.1.33
	github.com/syndtr/goleveldb v1.0.0
	golang.org/x/crypto v0.58.0
)

require (
	github.com/golang/snappy v0.0.0-20180518054509-2e65f85255db // indirect
	golang.org/x/sys v0.49.0 // indirect
)
