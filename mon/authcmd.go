package mon

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/encoding"
)

// view returns the key database as it will be once the pending changes
// commit, for commands to validate against.
func (s *authMon) view() (*cephx.KeyServer, error) {
	ks := cephx.NewKeyServer()
	var e encoding.Encoder
	s.ks.EncodeData(&e)
	if s.version > 0 {
		if err := ks.LoadData(e.Bytes()); err != nil {
			return nil, err
		}
	}
	for _, fn := range s.pending {
		if err := fn(ks); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// authEntryJSON is one entity as `auth ls/get -f json` dumps it.
type authEntryJSON struct {
	Entity string            `json:"entity"`
	Key    string            `json:"key"`
	Caps   map[string]string `json:"caps"`
}

func entryJSON(n encoding.EntityName, a auth.EntityAuth) authEntryJSON {
	caps := map[string]string{}
	maps.Copy(caps, a.Caps)
	return authEntryJSON{Entity: n.String(), Key: a.Key.String(), Caps: caps}
}

// parseCaps turns the caps argument (service, cap, service, cap...) into
// Caps; an odd count is EINVAL as in AuthMonitor.
func parseCaps(req *request) (auth.Caps, error) {
	list := req.strs("caps")
	if len(list)%2 != 0 {
		return nil, fmt.Errorf("odd number of caps arguments")
	}
	caps := auth.Caps{}
	for i := 0; i < len(list); i += 2 {
		caps[list[i]] = list[i+1]
	}
	return caps, nil
}

func (s *authMon) command(req *request) bool {
	switch req.prefix {
	case "auth ls", "auth list", "auth get", "auth export", "auth get-key", "auth print-key", "auth print_key":
		s.read(req)
	case "auth add", "auth get-or-create", "auth get-or-create-key", "auth caps", "auth del", "auth rm", "auth import":
		s.write(req)
	default:
		return false
	}
	return true
}

func (s *authMon) entity(req *request) (encoding.EntityName, bool) {
	raw, _ := req.str("entity")
	n, err := encoding.ParseEntityName(raw)
	if err != nil {
		req.respond(errno(syscall.EINVAL), fmt.Sprintf("bad entity name %s", raw), nil)
		return n, false
	}
	return n, true
}

// read answers the read-only auth commands (AuthMonitor::preprocess_command).
func (s *authMon) read(req *request) {
	ks := s.ks
	f := req.formatOf(fmtPlain)
	if req.prefix == "auth ls" || req.prefix == "auth list" || (req.prefix == "auth export" && !req.has("entity")) {
		names := ks.Names()
		if req.prefix == "auth export" {
			kr := auth.NewKeyRing()
			for _, n := range names {
				a, _ := ks.Entity(n)
				kr.Add(n, a)
			}
			s.replyKeyring(req, kr, "exported master keyring", f)
			return
		}
		if isJSON(f) {
			out := struct {
				AuthDump []authEntryJSON `json:"auth_dump"`
			}{AuthDump: []authEntryJSON{}}
			for _, n := range names {
				a, _ := ks.Entity(n)
				out.AuthDump = append(out.AuthDump, entryJSON(n, a))
			}
			req.replyJSON(0, "", out, f)
			return
		}
		var b strings.Builder
		for _, n := range names {
			a, _ := ks.Entity(n)
			fmt.Fprintf(&b, "%s\n\tkey: %s\n", n, a.Key)
			for _, svc := range slices.Sorted(maps.Keys(a.Caps)) {
				fmt.Fprintf(&b, "\tcaps: [%s] %s\n", svc, a.Caps[svc])
			}
		}
		req.respond(0, "installed auth entries:\n", []byte(b.String()))
		return
	}
	n, ok := s.entity(req)
	if !ok {
		return
	}
	a, found := ks.Entity(n)
	if !found {
		req.respond(errno(syscall.ENOENT), fmt.Sprintf("failed to find %s in keyring", n), nil)
		return
	}
	switch req.prefix {
	case "auth get-key", "auth print-key", "auth print_key":
		if isJSON(f) {
			req.replyJSON(0, "", struct {
				Key string `json:"key"`
			}{a.Key.String()}, f)
			return
		}
		req.respond(0, "", []byte(a.Key.String()))
	case "auth get":
		kr := auth.NewKeyRing()
		kr.Add(n, a)
		s.replyKeyring(req, kr, "exported keyring for "+n.String(), f)
	case "auth export":
		kr := auth.NewKeyRing()
		kr.Add(n, a)
		s.replyKeyring(req, kr, fmt.Sprintf("export auth(key=%s)", a.Key), f)
	}
}

// replyKeyring answers with a keyring, as text or as the JSON list Ceph
// dumps.
func (s *authMon) replyKeyring(req *request, kr *auth.KeyRing, rs, f string) {
	if isJSON(f) {
		out := []authEntryJSON{}
		for _, n := range kr.Names() {
			a, _ := kr.Get(n)
			out = append(out, entryJSON(n, a))
		}
		req.replyJSON(0, rs, out, f)
		return
	}
	req.respond(0, rs, []byte(kr.Text()))
}

// write handles the commands that change the database
// (AuthMonitor::prepare_command).
func (s *authMon) write(req *request) {
	view, err := s.view()
	if err != nil {
		req.respond(errno(syscall.EIO), err.Error(), nil)
		return
	}
	if req.prefix == "auth import" {
		kr, err := auth.ParseKeyRing(req.inbl)
		if err != nil || len(req.inbl) == 0 {
			req.respond(errno(syscall.EINVAL), "error decoding keyring", nil)
			return
		}
		s.pending = append(s.pending, func(ks *cephx.KeyServer) error {
			for _, n := range kr.Names() {
				a, _ := kr.Get(n)
				ks.SetEntity(n, a)
			}
			return nil
		})
		s.m.proposeReply(req, 0, "imported keyring", nil)
		return
	}
	n, ok := s.entity(req)
	if !ok {
		return
	}
	caps, err := parseCaps(req)
	if err != nil {
		req.respond(errno(syscall.EINVAL), err.Error(), nil)
		return
	}
	existing, exists := view.Entity(n)
	switch req.prefix {
	case "auth del", "auth rm":
		if !exists {
			req.respond(0, fmt.Sprintf("entity %s does not exist", n), nil)
			return
		}
		s.pending = append(s.pending, func(ks *cephx.KeyServer) error { ks.RemoveEntity(n); return nil })
		s.m.proposeReply(req, 0, "updated", nil)
	case "auth caps":
		if !exists {
			req.respond(errno(syscall.ENOENT), fmt.Sprintf("couldn't find entry %s", n), nil)
			return
		}
		s.pending = append(s.pending, func(ks *cephx.KeyServer) error {
			a, _ := ks.Entity(n)
			a.Caps = caps
			ks.SetEntity(n, a)
			return nil
		})
		s.m.proposeReply(req, 0, "updated caps for "+n.String(), nil)
	case "auth add":
		key, err := s.keyFromInput(req, n, view)
		if err != nil {
			req.respond(errno(syscall.EINVAL), err.Error(), nil)
			return
		}
		if exists {
			if !capsMatch(existing.Caps, caps) {
				req.respond(errno(syscall.EINVAL), fmt.Sprintf("entity %s exists but cap %s does not match", n, firstMismatch(existing.Caps, caps)), nil)
				return
			}
			if !key.IsZero() && !key.Equal(existing.Key) {
				req.respond(errno(syscall.EINVAL), fmt.Sprintf("entity %s exists but key does not match", n), nil)
				return
			}
			req.respond(0, "", nil)
			return
		}
		if key.IsZero() {
			if key, err = view.GenerateSecret(); err != nil {
				req.respond(errno(syscall.EIO), err.Error(), nil)
				return
			}
		}
		a := auth.EntityAuth{Key: key, Caps: caps}
		s.pending = append(s.pending, func(ks *cephx.KeyServer) error { ks.SetEntity(n, a); return nil })
		s.m.proposeReply(req, 0, "added key for "+n.String(), nil)
	case "auth get-or-create", "auth get-or-create-key":
		reply := func(a auth.EntityAuth) {
			f := req.formatOf(fmtPlain)
			if req.prefix == "auth get-or-create-key" {
				if isJSON(f) {
					req.replyJSON(0, "", struct {
						Key string `json:"key"`
					}{a.Key.String()}, f)
				} else {
					req.respond(0, "", []byte(a.Key.String()+"\n"))
				}
				return
			}
			// The text form carries the key alone, the JSON form the caps
			// too, as AuthMonitor writes them.
			kr := auth.NewKeyRing()
			if isJSON(f) {
				kr.Add(n, a)
			} else {
				kr.Add(n, auth.EntityAuth{Key: a.Key})
			}
			s.replyKeyring(req, kr, "", f)
		}
		if exists {
			if !capsMatch(existing.Caps, caps) {
				req.respond(errno(syscall.EINVAL), fmt.Sprintf("key for %s exists but cap %s does not match", n, firstMismatch(existing.Caps, caps)), nil)
				return
			}
			reply(existing)
			return
		}
		key, err := view.GenerateSecret()
		if err != nil {
			req.respond(errno(syscall.EIO), err.Error(), nil)
			return
		}
		a := auth.EntityAuth{Key: key, Caps: caps}
		s.pending = append(s.pending, func(ks *cephx.KeyServer) error { ks.SetEntity(n, a); return nil })
		s.m.proposeAndThen(func() { reply(a) })
	}
}

// keyFromInput takes the key for `auth add` from a keyring given with -i,
// when there is one.
func (s *authMon) keyFromInput(req *request, n encoding.EntityName, view *cephx.KeyServer) (auth.CryptoKey, error) {
	if len(req.inbl) == 0 {
		return auth.CryptoKey{}, nil
	}
	kr, err := auth.ParseKeyRing(req.inbl)
	if err != nil {
		return auth.CryptoKey{}, fmt.Errorf("error decoding keyring")
	}
	a, ok := kr.Get(n)
	if !ok {
		return auth.CryptoKey{}, fmt.Errorf("key for %s not found in provided keyring", n)
	}
	return a.Key, nil
}

// capsMatch reports whether every cap given matches the existing one, as
// AuthMonitor requires for an existing entity (and no caps given always
// matches).
func capsMatch(have, want auth.Caps) bool { return firstMismatch(have, want) == "" }

func firstMismatch(have, want auth.Caps) string {
	for _, svc := range slices.Sorted(maps.Keys(want)) {
		if have[svc] != want[svc] {
			return svc
		}
	}
	return ""
}
