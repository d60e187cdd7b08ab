#!/usr/bin/env bash
# Installs what kelp's full test suite needs on a bare Debian machine: the
# real Ceph 16.2 (Pacific) binaries the interop tests run against, and
# librados for the cgo-tagged go-ceph programs. Fails loudly when it cannot.
set -euo pipefail
need=()
for bin in ceph-mon ceph-osd ceph ceph-fuse monmaptool osdmaptool crushtool ceph-authtool ceph-conf rados; do
  command -v "$bin" >/dev/null 2>&1 || need+=("$bin")
done
[ -f /usr/include/rados/librados.h ] || need+=(librados.h)
/usr/bin/python3 -c 'import rados' >/dev/null 2>&1 || need+=(python3-rados)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: missing ${need[*]}; installing Ceph from Debian" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: must run as root to apt-get install ceph-mon ceph-osd ceph-common ceph-fuse librados-dev python3-rados" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends ceph-mon ceph-osd ceph-common ceph-fuse librados-dev python3-rados uuid-runtime
for bin in ceph-mon ceph-osd ceph ceph-fuse monmaptool osdmaptool crushtool ceph-authtool; do
  command -v "$bin" >/dev/null || { echo "install-deps: $bin still missing after install" >&2; exit 1; }
done
ceph --version
