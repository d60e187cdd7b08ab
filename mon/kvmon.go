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

// kvPrefix is where config-key values live (KV_PREFIX in
// src/mon/KVMonitor.cc); the service's versions live under "kv".
const kvPrefix = "mon_config_key"

// kvMaxEntrySize is mon_config_key_max_entry_size's default (64 KiB).
const kvMaxEntrySize = 64 << 10

// kvMon is KVMonitor: the config-key store. Each version records the
// delta it applied, a map of key to new value or removal.
type kvMon struct {
	m       *Monitor
	v       versions
	version uint64
	// pending maps keys to their new value; nil means removal.
	pending map[string][]byte
}

func newKVMon(m *Monitor) *kvMon {
	return &kvMon{m: m, v: versions{prefix: "kv", st: m.store}, pending: map[string][]byte{}}
}

func (s *kvMon) name() string { return "kv" }

func (s *kvMon) createInitial() error { return nil }

func (s *kvMon) refresh() error {
	v, err := s.v.lastCommitted()
	if err != nil {
		return err
	}
	s.version = v
	return nil
}

// encodeDelta encodes map<string, optional<bufferlist>> in key order.
func encodeDelta(pending map[string][]byte) []byte {
	var e encoding.Encoder
	e.Count(len(pending))
	for _, k := range slices.Sorted(maps.Keys(pending)) {
		e.Str(k)
		if v := pending[k]; v != nil {
			e.U8(1)
			e.Blob(v)
		} else {
			e.U8(0)
		}
	}
	return e.Bytes()
}

func (s *kvMon) encodePending(tx *store.Transaction) (bool, error) {
	if len(s.pending) == 0 {
		return false, nil
	}
	next := s.version + 1
	if err := s.v.putLastCommitted(tx, next); err != nil {
		return false, err
	}
	s.v.put(tx, next, encodeDelta(s.pending))
	for _, k := range slices.Sorted(maps.Keys(s.pending)) {
		if v := s.pending[k]; v != nil {
			tx.Put(kvPrefix, k, v)
		} else {
			tx.Erase(kvPrefix, k)
		}
	}
	s.pending = map[string][]byte{}
	return true, nil
}

// isBinary reports whether config-key dump must hide a value, as
// KVMonitor's is_binary_string does.
func isBinary(s []byte) bool {
	for _, c := range s {
		if (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f {
			return true
		}
	}
	return false
}

func (s *kvMon) command(req *request) bool {
	switch req.prefix {
	case "config-key get":
		key, _ := req.str("key")
		v, err := s.m.store.Get(kvPrefix, key)
		if errors.Is(err, store.ErrNotFound) {
			req.respond(errno(syscall.ENOENT), "", nil)
		} else if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
		} else {
			req.respond(0, "", v)
		}
	case "config-key exists":
		key, _ := req.str("key")
		ok, err := s.m.store.Exists(kvPrefix, key)
		switch {
		case err != nil:
			req.respond(errno(syscall.EIO), err.Error(), nil)
		case ok:
			req.respond(0, fmt.Sprintf("key '%s' exists", key), nil)
		default:
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("key '%s' doesn't exist", key), nil)
		}
	case "config-key list", "config-key ls":
		keys := []string{}
		err := s.m.store.Iterate(kvPrefix, "", func(k string, _ []byte) bool {
			keys = append(keys, k)
			return true
		})
		if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return true
		}
		req.replyJSONVia(streamed, 0, "", keys, req.formatOf(fmtJSONPretty))
	case "config-key dump":
		key, _ := req.str("key")
		out := newOrderedObject()
		err := s.m.store.Iterate(kvPrefix, key, func(k string, v []byte) bool {
			if len(k) < len(key) || k[:len(key)] != key {
				return false
			}
			if isBinary(v) {
				out.set(k, fmt.Sprintf("<<< binary blob of length %d >>>", len(v)))
			} else {
				out.set(k, string(v))
			}
			return true
		})
		if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return true
		}
		req.replyJSONVia(streamed, 0, "", out, req.formatOf(fmtJSONPretty))
	case "config-key set", "config-key put", "config-key del", "config-key rm":
		s.prepare(req)
	default:
		return false
	}
	return true
}

// prepare handles the writes (KVMonitor::prepare_command).
func (s *kvMon) prepare(req *request) {
	key, ok := req.str("key")
	if !ok {
		req.respond(errno(syscall.EINVAL), "must specify a key", nil)
		return
	}
	var rs string
	switch req.prefix {
	case "config-key set", "config-key put":
		data := []byte{}
		if val, ok := req.str("val"); ok {
			data = []byte(val)
		} else if len(req.inbl) > 0 {
			data = req.inbl
		}
		if len(data) > kvMaxEntrySize {
			req.respond(errno(syscall.EFBIG), fmt.Sprintf("error: entry size limited to %d bytes. "+
				"Use 'mon config key max entry size' to manually adjust", kvMaxEntrySize), nil)
			return
		}
		rs = "set " + key
		s.pending[key] = data
		s.m.log.Debug("config-key set pending", "key", key, "bytes", len(data))
	default:
		rs = "key deleted"
		s.pending[key] = nil
	}
	s.m.proposeReply(req, 0, rs, nil)
}
