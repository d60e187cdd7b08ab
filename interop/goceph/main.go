//go:build interop && cgo

// Command goceph drives a monitor through librados with go-ceph, the way
// Go programs use Ceph today: connect, run monitor commands, manage pools
// and read cluster statistics. The interop tests run it against kelp-mon
// and a real ceph-mon and compare. It is the only part of kelp that needs
// cgo and librados.
//
//	goceph -c ceph.conf [-pools]
//	goceph -c ceph.conf -objects POOL -count N -expect DIR
//
// With -objects it does object I/O instead: it reads objects obj-0 ..
// obj-(N-1) of POOL and checks each is byte-identical with the file of
// the same name in DIR (written there before with rados put), then writes
// N objects of its own (goceph-0 ..) and reads them back.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/ceph/go-ceph/rados"
)

func main() {
	conf := flag.String("c", "", "ceph.conf")
	pools := flag.Bool("pools", false, "also create, list and delete a pool")
	objects := flag.String("objects", "", "read and write objects in this pool instead")
	count := flag.Int("count", 0, "with -objects: how many objects")
	expect := flag.String("expect", "", "with -objects: directory holding the expected obj-I contents")
	flag.Parse()
	var err error
	if *objects != "" {
		err = runObjects(*conf, *objects, *count, *expect)
	} else {
		err = run(*conf, *pools)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "goceph:", err)
		os.Exit(1)
	}
}

func connect(conf string) (*rados.Conn, error) {
	conn, err := rados.NewConnWithUser("admin")
	if err != nil {
		return nil, err
	}
	if err := conn.ReadConfigFile(conf); err != nil {
		return nil, fmt.Errorf("reading %s: %w", conf, err)
	}
	if err := conn.Connect(); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}

func run(conf string, pools bool) error {
	conn, err := connect(conf)
	if err != nil {
		return err
	}
	defer conn.Shutdown()
	report := map[string]any{}
	fsid, err := conn.GetFSID()
	if err != nil {
		return err
	}
	report["fsid"] = fsid
	out, status, err := conn.MonCommand([]byte(`{"prefix": "mon dump", "format": "json"}`))
	if err != nil {
		return fmt.Errorf("mon dump: %w (%s)", err, status)
	}
	var dump map[string]any
	if err := json.Unmarshal(out, &dump); err != nil {
		return fmt.Errorf("mon dump output: %w", err)
	}
	report["mon_dump_epoch"] = dump["epoch"]
	report["mon_dump_status"] = status
	if _, _, err := conn.MonCommand([]byte(`{"prefix": "no such command"}`)); err == nil {
		return fmt.Errorf("an unknown command succeeded")
	} else {
		report["bad_command_error"] = err.Error()
	}
	stats, err := conn.GetClusterStats()
	if err != nil {
		return fmt.Errorf("cluster stats: %w", err)
	}
	report["cluster_stats"] = stats
	if pools {
		if err := conn.MakePool("goceph"); err != nil {
			return fmt.Errorf("make pool: %w", err)
		}
		names, err := conn.ListPools()
		if err != nil {
			return err
		}
		report["pool_listed"] = slices.Contains(names, "goceph")
		if err := conn.DeletePool("goceph"); err != nil {
			return fmt.Errorf("delete pool: %w", err)
		}
		names, _ = conn.ListPools()
		report["pool_deleted"] = !slices.Contains(names, "goceph")
	}
	return json.NewEncoder(os.Stdout).Encode(report)
}
