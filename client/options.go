package client

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/msgr2"
)

// Options say how to reach and authenticate to a cluster. The zero value
// reads Ceph's default configuration search path (/etc/ceph/ceph.conf,
// $CEPH_CONF ...) as client.admin.
type Options struct {
	// Config is a configuration already loaded (the CLI builds one from
	// its command line); when nil, ConfPath (or Ceph's default search
	// path) is read for Name.
	Config   *conf.Config
	ConfPath string
	// MonHost overrides mon_host ("127.0.0.1:3300", "[v2:...,v1:...]").
	MonHost string
	// Name is the entity to authenticate as; "client.admin" if empty.
	Name string
	// Keyring is a keyring file; Key a base64 secret, which wins. Both
	// empty: the configuration's key, keyfile and keyring options.
	Keyring string
	Key     string
	// AuthNone authenticates with auth none whatever the configuration
	// says (auth_client_required otherwise decides).
	AuthNone bool

	// Hunting and keepalive, Ceph's defaults when zero:
	// mon_client_hunt_parallel (3), mon_client_hunt_interval (3s),
	// mon_client_ping_interval (10s), mon_client_ping_timeout (30s).
	HuntParallel int
	HuntInterval time.Duration
	PingInterval time.Duration
	PingTimeout  time.Duration

	Logger *slog.Logger
}

// monTarget is a monitor to hunt: its name and address vector.
type monTarget struct {
	name  string
	addrs encoding.EntityAddrVec
}

func (m monTarget) addrString() string {
	if a, ok := m.addrs.Of(encoding.AddrMsgr2); ok {
		return a.String()
	}
	return m.addrs.String()
}

// settings are Options resolved against the configuration.
type settings struct {
	name     encoding.EntityName
	key      auth.CryptoKey
	methods  []uint32 // auth_client_required, in order
	modes    []uint32 // ms_mon_client_mode
	mons     []monTarget
	parallel int
	interval time.Duration
	backoff  float64
	maxMult  float64
	ping     time.Duration
	pingTO   time.Duration
	hostname string
	log      *slog.Logger
}

func (o *Options) resolve() (*settings, error) {
	s := &settings{log: o.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	name := o.Name
	if name == "" {
		name = "client.admin"
	}
	c := o.Config
	if c == nil {
		n, err := encoding.ParseEntityName(name)
		if err != nil {
			return nil, fmt.Errorf("client: name %q: want TYPE.ID", name)
		}
		a := &conf.Args{Name: n}
		if o.ConfPath != "" {
			if _, err := os.Stat(o.ConfPath); err != nil {
				return nil, fmt.Errorf("client: configuration: %w", err)
			}
			a.ConfPaths = []string{o.ConfPath}
		}
		c, err = conf.Load(a, false)
		if err != nil && !(errors.Is(err, conf.ErrNoConfFile) && o.MonHost != "") {
			return nil, fmt.Errorf("client: configuration: %w", err)
		}
	} else if o.Name != "" {
		n, err := encoding.ParseEntityName(name)
		if err != nil {
			return nil, fmt.Errorf("client: name %q: want TYPE.ID", name)
		}
		c.Name = n
	}
	s.name = c.Name
	if o.MonHost != "" {
		if err := c.Set("mon_host", o.MonHost, conf.SourceCmdline); err != nil {
			return nil, err
		}
	}
	ims, err := c.InitialMons(false, nil)
	if err != nil {
		return nil, fmt.Errorf("client: monitors: %w", err)
	}
	if len(ims) == 0 {
		return nil, errors.New("client: no monitors: set mon_host or -m")
	}
	for _, im := range ims {
		s.mons = append(s.mons, monTarget{name: im.Name, addrs: im.Addrs})
	}

	s.methods, err = parseMethods(c.Str("auth_client_required"))
	if err != nil {
		return nil, err
	}
	if o.AuthNone {
		s.methods = []uint32{msgr2.AuthNone}
	}
	s.modes, err = parseModes(c.Str("ms_mon_client_mode"))
	if err != nil {
		return nil, err
	}
	if s.methods[0] == msgr2.AuthCephx {
		s.key, err = findKey(o, c)
		if err != nil {
			// With "cephx, none" a client without a key may still try none.
			if len(s.methods) > 1 && s.methods[1] == msgr2.AuthNone {
				s.methods = s.methods[1:]
			} else {
				return nil, err
			}
		}
	}

	s.parallel = o.HuntParallel
	if s.parallel <= 0 {
		s.parallel = int(c.Uint("mon_client_hunt_parallel"))
	}
	s.interval = o.HuntInterval
	if s.interval <= 0 {
		s.interval = secs(c.Float("mon_client_hunt_interval"))
	}
	s.backoff = c.Float("mon_client_hunt_interval_backoff")
	s.maxMult = c.Float("mon_client_hunt_interval_max_multiple")
	s.ping = o.PingInterval
	if s.ping <= 0 {
		s.ping = secs(c.Float("mon_client_ping_interval"))
	}
	s.pingTO = o.PingTimeout
	if s.pingTO <= 0 {
		s.pingTO = secs(c.Float("mon_client_ping_timeout"))
	}
	s.hostname, _ = os.Hostname()
	return s, nil
}

func secs(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
}

// parseMethods reads auth_client_required ("cephx, none").
func parseMethods(s string) ([]uint32, error) {
	var out []uint32
	for _, w := range splitWords(s) {
		switch w {
		case "cephx":
			out = append(out, msgr2.AuthCephx)
		case "none":
			out = append(out, msgr2.AuthNone)
		default:
			return nil, fmt.Errorf("client: auth_client_required: unsupported method %q", w)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("client: auth_client_required is empty")
	}
	return out, nil
}

// parseModes reads ms_mon_client_mode ("secure crc").
func parseModes(s string) ([]uint32, error) {
	var out []uint32
	for _, w := range splitWords(s) {
		switch w {
		case "crc":
			out = append(out, msgr2.ConModeCRC)
		case "secure":
			out = append(out, msgr2.ConModeSecure)
		default:
			return nil, fmt.Errorf("client: ms_mon_client_mode: unknown mode %q", w)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("client: ms_mon_client_mode is empty")
	}
	return out, nil
}

// findKey finds the entity's secret as KeyRing::from_ceph_context does:
// an explicit key, then key, keyfile, then the first keyring file of the
// keyring list that exists.
func findKey(o *Options, c *conf.Config) (auth.CryptoKey, error) {
	if o.Key != "" {
		return auth.ParseKey(o.Key)
	}
	if o.Keyring == "" {
		if k := c.Str("key"); k != "" {
			return auth.ParseKey(k)
		}
		if f := c.Str("keyfile"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return auth.CryptoKey{}, fmt.Errorf("client: keyfile: %w", err)
			}
			return auth.ParseKey(strings.TrimSpace(string(b)))
		}
	}
	paths := []string{o.Keyring}
	if o.Keyring == "" {
		paths = splitWords(c.Str("keyring"))
	}
	var tried []string
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			tried = append(tried, p)
			continue
		}
		kr, err := auth.LoadKeyRing(p)
		if err != nil {
			return auth.CryptoKey{}, fmt.Errorf("client: keyring %s: %w", p, err)
		}
		ea, ok := kr.Get(c.Name)
		if !ok {
			return auth.CryptoKey{}, fmt.Errorf("client: keyring %s has no key for %s", p, c.Name)
		}
		return ea.Key, nil
	}
	return auth.CryptoKey{}, fmt.Errorf("client: no keyring found for %s (tried %s)", c.Name, strings.Join(tried, ", "))
}
