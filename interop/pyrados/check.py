#!/usr/bin/python3
"""Drives a monitor through librados' Python binding (python3-rados), as
Python tools use Ceph: connect, run monitor commands, manage pools and read
cluster statistics. Prints a JSON report; the interop tests run it against
kelp-mon and a real ceph-mon and compare. Usage: check.py CONF [--pools]"""
import json
import sys

import rados


def main():
    conf = sys.argv[1]
    pools = "--pools" in sys.argv
    c = rados.Rados(conffile=conf)
    c.connect(timeout=20)
    report = {"fsid": c.get_fsid()}
    r, out, status = c.mon_command(json.dumps({"prefix": "mon dump", "format": "json"}), b"")
    report["mon_dump"] = [r, json.loads(out)["epoch"], status]
    r, out, status = c.mon_command(json.dumps({"prefix": "no such command"}), b"")
    report["bad_command"] = r
    report["cluster_stats"] = c.get_cluster_stats()
    if pools:
        c.create_pool("pyrados")
        report["pool_listed"] = "pyrados" in c.list_pools()
        report["pool_exists"] = c.pool_exists("pyrados")
        c.delete_pool("pyrados")
        report["pool_deleted"] = "pyrados" not in c.list_pools()
    c.shutdown()
    json.dump(report, sys.stdout)


main()
