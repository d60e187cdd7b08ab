//go:build interop && cgo

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ceph/go-ceph/rados"
)

// runObjects checks that the n objects obj-I of pool read back exactly as
// the files DIR/obj-I, then writes and reads back n objects of its own.
func runObjects(conf, pool string, n int, dir string) error {
	conn, err := connect(conf)
	if err != nil {
		return err
	}
	defer conn.Shutdown()
	ioctx, err := conn.OpenIOContext(pool)
	if err != nil {
		return fmt.Errorf("open pool %s: %w", pool, err)
	}
	defer ioctx.Destroy()
	read, written := 0, 0
	for i := range n {
		name := fmt.Sprintf("obj-%d", i)
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := readSame(ioctx, name, want); err != nil {
			return err
		}
		read++
	}
	for i := range n {
		name := fmt.Sprintf("goceph-%d", i)
		data := bytes.Repeat([]byte(name+"|"), 1+i*13)
		if err := ioctx.WriteFull(name, data); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := readSame(ioctx, name, data); err != nil {
			return err
		}
		written++
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"objects_read": read, "objects_written": written})
}

// readSame reads object name whole and compares it with want.
func readSame(ioctx *rados.IOContext, name string, want []byte) error {
	st, err := ioctx.Stat(name)
	if err != nil {
		return fmt.Errorf("stat %s: %w", name, err)
	}
	if st.Size != uint64(len(want)) {
		return fmt.Errorf("%s: %d bytes, want %d", name, st.Size, len(want))
	}
	got := make([]byte, st.Size)
	for off := 0; off < len(got); {
		k, err := ioctx.Read(name, got[off:], uint64(off))
		if err != nil {
			return fmt.Errorf("read %s at %d: %w", name, off, err)
		}
		if k == 0 {
			return fmt.Errorf("read %s: short at %d of %d", name, off, len(got))
		}
		off += k
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s: read back differs from what was written", name)
	}
	return nil
}
