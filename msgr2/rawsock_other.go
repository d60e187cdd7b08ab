//go:build !linux

package msgr2

import (
	"io"
	"net"
)

// wrapRaw is nc itself where raw socket calls are not used.
func wrapRaw(nc net.Conn) io.ReadWriter { return nc }
