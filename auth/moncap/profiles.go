package moncap

import (
	"strings"

	"github.com/kelp-ceph/kelp/encoding"
)

func svc(service string, p Perm) Grant { return Grant{Service: service, Allow: p} }

func cmd(command string, args ...string) Grant {
	g := Grant{Command: command}
	if len(args) > 0 {
		g.CommandArgs = map[string]Constraint{}
	}
	for i := 0; i+2 < len(args); i += 3 {
		m := MatchEqual
		switch args[i+1] {
		case "prefix":
			m = MatchPrefix
		case "regex":
			m = MatchRegex
		}
		g.CommandArgs[args[i]] = Constraint{Match: m, Value: args[i+2]}
	}
	return g
}

// rbdOSDCapsRegex is what a bootstrap-rbd key may ask for as osd caps.
const rbdOSDCapsRegex = `^([ ,]*profile(=|[ ]+)['"]?rbd[^ ,'"]*['"]?([ ]+pool(=|[ ]+)['"]?[^,'"]+['"]?)?)+$`

// expandProfile lists the grants a profile stands for
// (MonCapGrant::expand_profile, Pacific). An unknown profile grants
// nothing.
func expandProfile(profile string, name encoding.EntityName) []Grant {
	switch profile {
	case "read-only":
		// 'auth' needs x even to read, which this does not grant.
		return []Grant{{Allow: PermR}}
	case "read-write":
		return []Grant{{Allow: PermR | PermW}}
	}
	var gs []Grant
	add := func(g ...Grant) { gs = append(gs, g...) }
	switch profile {
	case "mon":
		add(svc("mon", PermAll), svc("log", PermAll))
	case "osd":
		add(svc("osd", PermAll), svc("mon", PermR), svc("pg", PermR|PermW), svc("log", PermW),
			cmd("config set", "name", "regex", "osd_mclock_max_capacity_iops_(hdd|ssd)"))
	case "mds":
		// "osd pool rmsnap" is checked explicitly for MRemoveSnaps.
		add(svc("mds", PermAll), svc("mon", PermR), svc("osd", PermR),
			cmd("osd pool rmsnap"), cmd("osd blocklist"), cmd("osd blacklist"), svc("log", PermW))
	case "mgr":
		add(svc("mgr", PermAll), svc("log", PermR|PermW), svc("mon", PermR|PermW),
			svc("mds", PermR|PermW), svc("fs", PermR|PermW), svc("osd", PermR|PermW),
			svc("auth", PermR|PermW|PermX), svc("config-key", PermR|PermW), svc("config", PermR|PermW),
			// the orchestrator provisions daemon keys
			cmd("auth get-or-create"), cmd("auth caps"), cmd("auth rm"),
			// tell commands
			cmd("smart"))
	}
	switch profile {
	case "osd", "mds", "mon", "mgr":
		prefix := "daemon-private/" + name.String() + "/"
		for _, c := range []string{"config-key get", "config-key put", "config-key set", "config-key exists", "config-key delete"} {
			add(cmd(c, "key", "prefix", prefix))
		}
	case "bootstrap-osd":
		add(svc("mon", PermR), svc("osd", PermR), cmd("mon getmap"), cmd("osd new"), cmd("osd purge-new"))
	case "bootstrap-mds":
		add(svc("mon", PermR), svc("osd", PermR), cmd("mon getmap"),
			cmd("auth get-or-create", "entity", "prefix", "mds.", "caps_mon", "=", "allow profile mds",
				"caps_osd", "=", "allow rwx", "caps_mds", "=", "allow"))
	case "bootstrap-mgr":
		add(svc("mon", PermR), svc("osd", PermR), cmd("mon getmap"),
			cmd("auth get-or-create", "entity", "prefix", "mgr.", "caps_mon", "=", "allow profile mgr"))
	case "bootstrap-rgw":
		add(svc("mon", PermR), svc("osd", PermR), cmd("mon getmap"),
			cmd("auth get-or-create", "entity", "prefix", "client.rgw.", "caps_mon", "=", "allow rw",
				"caps_osd", "=", "allow rwx"))
	case "bootstrap-rbd", "bootstrap-rbd-mirror":
		monCaps := "profile rbd"
		if profile == "bootstrap-rbd-mirror" {
			monCaps = "profile rbd-mirror"
		}
		add(svc("mon", PermR),
			cmd("auth get-or-create", "entity", "prefix", "client.", "caps_mon", "=", monCaps,
				"caps_osd", "regex", rbdOSDCapsRegex))
	case "fs-client":
		add(svc("mon", PermR), svc("mds", PermR), svc("osd", PermR), svc("pg", PermR))
	case "simple-rados-client":
		add(svc("mon", PermR), svc("osd", PermR), svc("pg", PermR))
	case "simple-rados-client-with-blocklist":
		add(svc("mon", PermR), svc("osd", PermR), svc("pg", PermR),
			cmd("osd blocklist", "blocklistop", "=", "add", "addr", "regex", "^[^/]+/[0-9]+$"))
	}
	if strings.HasPrefix(profile, "rbd") {
		// Exclusive-lock dead-client blocklisting (IP+nonce required).
		add(svc("mon", PermR), svc("osd", PermR), svc("pg", PermR),
			cmd("osd blocklist", "blocklistop", "=", "add", "addr", "regex", "^[^/]+/[0-9]+$"),
			cmd("osd blacklist", "blacklistop", "=", "add", "addr", "regex", "^[^/]+/[0-9]+$"))
	}
	switch profile {
	case "rbd-mirror":
		add(cmd("config-key get", "key", "prefix", "rbd/mirror/"))
	case "rbd-mirror-peer":
		add(cmd("config-key get", "key", "regex", "rbd/mirror/[^/]+"),
			cmd("config-key set", "key", "prefix", "rbd/mirror/peer/"))
	case "crash":
		add(svc("mon", PermR))
	}
	switch profile {
	case "cephfs-mirror":
		add(svc("mon", PermR), svc("mds", PermR), svc("osd", PermR), svc("pg", PermR),
			cmd("config-key get", "key", "prefix", "cephfs/mirror/peer/"))
	case "role-definer":
		// Everything on auth, read-only on the monitor, nothing else.
		add(svc("mon", PermR), svc("auth", PermAll))
	}
	return gs
}
