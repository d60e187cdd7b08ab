package mon

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"syscall"

	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/mon/store"
)

// Monitor metadata travels as Ceph's does: each peon sends its own with
// its election ack, and the leader commits the quorum's as one
// map<int32, map<string,string>> under monitor_store/last_metadata
// (Monitor::update_mon_metadata), which every monitor then serves to
// `mon metadata`.
const (
	monitorStorePrefix = "monitor_store"
	keyLastMetadata    = "last_metadata"
)

// recordMetadata is the new leader's: its own metadata and its peons'
// from their acks, proposed with the next change.
func (s *monCmds) recordMetadata(rank int, peers map[int]map[string]string) {
	next := map[int]map[string]string{}
	for r, md := range s.monMetadata {
		next[r] = md
	}
	maps.Copy(next, peers)
	next[rank] = s.m.metadata()
	s.pendingMetadata = next
	s.m.proposeAndThen(nil)
}

func (s *monCmds) encodePending(tx *store.Transaction) (bool, error) {
	if s.pendingMetadata == nil {
		return false, nil
	}
	tx.Put(monitorStorePrefix, keyLastMetadata, encodeMonMetadata(s.pendingMetadata))
	s.pendingMetadata = nil
	return true, nil
}

func (s *monCmds) refresh() error {
	b, err := s.m.store.Get(monitorStorePrefix, keyLastMetadata)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	md, err := decodeMonMetadata(b)
	if err != nil {
		return fmt.Errorf("mon: stored monitor metadata: %w", err)
	}
	s.monMetadata = md
	return nil
}

func encodeMonMetadata(md map[int]map[string]string) []byte {
	e := encoding.NewEncoder(nil)
	e.U32(uint32(len(md)))
	for _, r := range slices.Sorted(maps.Keys(md)) {
		e.I32(int32(r))
		encoding.Map(e, md[r], encoding.EncStr, encoding.EncStr)
	}
	return e.Bytes()
}

func decodeMonMetadata(b []byte) (map[int]map[string]string, error) {
	d := encoding.NewDecoder(b)
	n := d.Count(8)
	out := map[int]map[string]string{}
	for range n {
		r := int(d.I32())
		out[r] = encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
	}
	return out, d.Done()
}

// metadataOf returns a monitor's metadata: this monitor's own, live;
// another's as committed.
func (s *monCmds) metadataOf(name string) (map[string]string, bool) {
	m := s.m
	if name == m.name {
		return m.metadata(), true
	}
	md, ok := s.monMetadata[m.monmap.current.Rank(name)]
	return md, ok
}

// metadataCommand is `mon metadata [id]`: one monitor's metadata, or a
// list of every monitor's with its name.
func (s *monCmds) metadataCommand(req *request, f string) {
	mm := s.m.monmap.current
	if id := req.strOr("id", ""); id != "" {
		if _, ok := mm.Mons[id]; !ok {
			req.respond(errno(syscall.EINVAL), fmt.Sprintf("mon.%s does not exist", id), nil)
			return
		}
		md, ok := s.metadataOf(id)
		if !ok {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("mon.%s has no metadata", id), nil)
			return
		}
		req.replyJSONVia(streamed, 0, "", md, f)
		return
	}
	all := []*orderedObject{}
	for _, name := range mm.Ranks {
		md, ok := s.metadataOf(name)
		if !ok {
			continue
		}
		// Each monitor's entry leads with its name.
		o := newOrderedObjectFrom("name", name)
		for _, k := range slices.Sorted(maps.Keys(md)) {
			o.set(k, md[k])
		}
		all = append(all, o)
	}
	req.replyJSONVia(streamed, 0, "", all, f)
}
