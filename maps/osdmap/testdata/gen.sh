#!/usr/bin/env bash
# Regenerates the osdmaptool goldens in this directory with the installed
# Ceph (16.2.15 when they were committed). The real-mon goldens need a
# running cluster; README.md lists the commands that made them.
set -euo pipefail
cd "$(dirname "$0")"
for n in 1 10 100; do
  osdmaptool --createsimple "$n" --with-default-pool "createsimple-$n.bin" --clobber >/dev/null
done
