package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"

	"github.com/kelp-ceph/kelp/auth"
	"github.com/kelp-ceph/kelp/auth/cephx"
	"github.com/kelp-ceph/kelp/conf"
	"github.com/kelp-ceph/kelp/encoding"
	"github.com/kelp-ceph/kelp/maps/monmap"
	"github.com/kelp-ceph/kelp/mon"
	"github.com/kelp-ceph/kelp/msgr2"
)

const usage = `usage: kelp-mon -i NAME [flags]
  --mkfs --monmap FILE --keyring FILE   create the monitor's store
  -c, --conf FILE      ceph.conf to read (default: Ceph's search path)
  --mon-data DIR       data directory (default: /var/lib/ceph/mon/$cluster-$id)
  --public-addr ADDR   address to serve on (default: this monitor's monmap entry)
  --public-bind-addr ADDR  address to listen on while announcing the monmap's
                       (the monmap names a proxy or NAT in front of it)
  -f, -d               stay in the foreground (kelp-mon always does)
  --OPTION VALUE       any Ceph option
or: kelp-mon dev --dir DIR [--addr IP:PORT]   a ready single-monitor cluster
`

// daemon runs ceph-mon's command line: mkfs, or serve.
func daemon(argv []string) error {
	args, err := conf.ParseArgs(argv, encoding.EntityMon)
	if err != nil {
		return err
	}
	mkfs := false
	for _, a := range args.Rest {
		switch a {
		case "--mkfs":
			mkfs = true
		case "-f", "-d", "--foreground":
		case "-h", "--help":
			fmt.Print(usage)
			return nil
		default:
			return fmt.Errorf("unrecognized argument %q\n%s", a, usage)
		}
	}
	if args.Name.ID == "admin" && !slices.ContainsFunc(argv, func(s string) bool { return s == "-i" || s == "--id" }) {
		return fmt.Errorf("must specify '-i name' with the monitor id\n%s", usage)
	}
	cfg, err := conf.Load(args, true)
	if err != nil && !errors.Is(err, conf.ErrNoConfFile) {
		return err
	}
	dataDir := cfg.Str("mon_data")
	if mkfs {
		return doMkfs(cfg, dataDir)
	}
	return serve(cfg, dataDir)
}

// doMkfs is ceph-mon --mkfs: a store holding the monmap and keyring, and
// the monitor's own key in DATA/keyring.
func doMkfs(cfg *conf.Config, dataDir string) error {
	mmPath := cfg.Str("monmap")
	if mmPath == "" {
		return errors.New("--mkfs needs --monmap FILE")
	}
	b, err := os.ReadFile(mmPath)
	if err != nil {
		return err
	}
	mm, err := monmap.Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", mmPath, err)
	}
	if fsid, _ := cfg.String("fsid"); mm.FSID.IsZero() && fsid != "" {
		if mm.FSID, err = encoding.ParseUUID(fsid); err != nil {
			return err
		}
	}
	var krText []byte
	if path := cfg.Str("keyring"); path != "" {
		if krText, err = os.ReadFile(path); err != nil {
			return err
		}
	}
	kr, err := auth.ParseKeyRing(krText)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	if err := mon.Mkfs(dataDir, mm, krText); err != nil {
		return err
	}
	monKeys := auth.NewKeyRing()
	for _, n := range kr.Names() {
		if n.Type == encoding.EntityMon {
			a, _ := kr.Get(n)
			monKeys.Add(n, a)
		}
	}
	if err := os.WriteFile(filepath.Join(dataDir, "keyring"), []byte(monKeys.Text()), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "kelp-mon: created monfs at %s for %s\n", dataDir, cfg.Name)
	return nil
}

// authConfig reads the authentication policy from Ceph's options.
func authConfig(cfg *conf.Config) (cephx.ServerConfig, error) {
	c := cephx.DefaultServerConfig()
	var err error
	if c.ClusterMethods, err = cephx.ParseMethods(cfg.Str("auth_cluster_required")); err != nil {
		return c, err
	}
	if c.ServiceMethods, err = cephx.ParseMethods(cfg.Str("auth_service_required")); err != nil {
		return c, err
	}
	if c.ClusterModes, err = cephx.ParseModes(cfg.Str("ms_mon_cluster_mode")); err != nil {
		return c, err
	}
	if c.ServiceModes, err = cephx.ParseModes(cfg.Str("ms_mon_service_mode")); err != nil {
		return c, err
	}
	c.AllowInsecureGlobalIDReclaim = cfg.Bool("auth_allow_insecure_global_id_reclaim")
	return c, nil
}

func serve(cfg *conf.Config, dataDir string) error {
	ac, err := authConfig(cfg)
	if err != nil {
		return err
	}
	kr, err := auth.LoadKeyRing(filepath.Join(dataDir, "keyring"))
	if err != nil {
		return fmt.Errorf("monitor keyring: %w", err)
	}
	var bind encoding.EntityAddrVec
	if pa := cfg.Addr("public_addr"); pa.Addr.IsValid() {
		bind = encoding.EntityAddrVec{pa}
	}
	var publicBind encoding.EntityAddrVec
	if pb := cfg.Addr("public_bind_addr"); pb.Addr.IsValid() {
		// As ceph_mon.cc's make_mon_addrs, for msgr2 only: no port means
		// the IANA port 3300.
		if pb.Addr.Port() == 0 {
			pb.Addr = netip.AddrPortFrom(pb.Addr.Addr(), conf.MonPortMsgr2)
		}
		if pb.Type == encoding.AddrAny {
			pb.Type = encoding.AddrMsgr2
		}
		publicBind = encoding.EntityAddrVec{pb}
	}
	log := newLogger(logLevel(cfg.Str("debug_mon")))
	m, err := mon.Open(mon.Options{Name: cfg.Name.ID, DataDir: dataDir, Bind: bind, PublicBind: publicBind,
		Auth: ac, Keyring: kr, Log: log, Conf: cfg, AdminSocket: cfg.Str("admin_socket"),
		Messenger:                     msgr2.Config{BindBeforeConnect: cfg.Bool("ms_bind_before_connect")},
		NoWarnInsecureGlobalIDReclaim: !cfg.Bool("mon_warn_on_insecure_global_id_reclaim_allowed")})
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	if path := os.Getenv("KELP_CPUPROFILE"); path != "" {
		// For profiling the monitor under a benchmark: written on shutdown.
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	err = m.Run(ctx)
	if errors.Is(err, mon.ErrRemovedFromMonmap) {
		// As ceph-mon: a monitor taken out of the cluster exits cleanly.
		log.Info("removed from the monmap; exiting")
		return nil
	}
	return err
}
