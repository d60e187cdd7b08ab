# librados side of kelp's client benchmark (client/bench_interop_test.go).
# usage: bench_librados.py CONF connect|command N
# connect: N times Rados(conffile).connect() + one "mon dump" + shutdown;
# command: one connection, N sequential "mon dump" commands.
# Prints the mean nanoseconds per operation.
import json
import sys
import time

import rados

conf, what, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
cmd = json.dumps({"prefix": "mon dump", "format": "json"})


def one_command(c):
    ret, out, err = c.mon_command(cmd, b"")
    if ret != 0:
        raise SystemExit("mon dump: %d %s" % (ret, err))


if what == "connect":
    t0 = time.perf_counter_ns()
    for _ in range(n):
        c = rados.Rados(conffile=conf)
        c.connect(timeout=20)
        one_command(c)
        c.shutdown()
    t1 = time.perf_counter_ns()
else:
    c = rados.Rados(conffile=conf)
    c.connect(timeout=20)
    one_command(c)
    t0 = time.perf_counter_ns()
    for _ in range(n):
        one_command(c)
    t1 = time.perf_counter_ns()
    c.shutdown()
print((t1 - t0) // max(n, 1))
