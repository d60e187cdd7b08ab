//go:build interop

package interop

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range benchClusters {
		c.Stop()
	}
	os.Exit(code)
}
