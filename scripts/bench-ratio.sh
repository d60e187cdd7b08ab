#!/usr/bin/env bash
# Reads `go test -bench Compare` output and prints, for each benchmark and
# metric, ceph-mon's and kelp-mon's figures and kelp-mon's advantage
# (how many times better kelp-mon is: >1 means kelp-mon wins).
set -euo pipefail
awk '
/^Benchmark.*\/(ceph|kelp)-mon/ {
  split($1, p, "/"); name = p[1]; sub(/^Benchmark/, "", name); mon = p[2]; sub(/-[0-9]+$/, "", mon)
  for (i = 3; i < NF; i += 2) { v[name, $(i+1), mon] = $i; m[name, $(i+1)] = 1 }
}
END {
  printf "%-28s %-20s %14s %14s %8s\n", "benchmark", "metric", "ceph-mon", "kelp-mon", "kelp x"
  for (k in m) {
    split(k, q, SUBSEP); c = v[q[1], q[2], "ceph-mon"]; kk = v[q[1], q[2], "kelp-mon"]
    if (c == "" || kk == "" || kk == 0 || c == 0) continue
    # every metric here is a cost (time, CPU, memory per op): lower is better
    printf "%-28s %-20s %14s %14s %8.2f\n", q[1], q[2], c, kk, c / kk
  }
}' "$1" | sort
