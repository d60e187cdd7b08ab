//go:build tools

// Package kelp pins the module's chosen dependencies before every package
// that uses them exists, so parallel work does not race on go.mod.
package kelp

import (
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/pierrec/lz4/v4"
	_ "github.com/syndtr/goleveldb/leveldb"
	_ "golang.org/x/crypto/hkdf"
)
