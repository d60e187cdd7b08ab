#!/usr/bin/env bash
# Capture the mon-to-mon traffic of a real three-monitor Pacific cluster
# in msgr2 crc mode, then extract the messages kelp needs as golden data.
#   capture.sh WORKDIR PORTBASE
# Needs ceph-mon, monmaptool, ceph-authtool, ceph, tcpdump, go. Every
# process it starts is stopped by pid on exit.
set -euo pipefail
DIR=$(realpath -m "$1"); P=$2
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$DIR"; mkdir -p "$DIR"/run "$DIR"/log
FSID=$(uuidgen)
addr() { echo "[v2:127.0.0.1:$(($P + 2*$1)),v1:127.0.0.1:$(($P + 2*$1 + 1))]"; }
cat > "$DIR/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = $(addr 0),$(addr 1),$(addr 2)
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
ms_cluster_mode = crc
ms_service_mode = crc
ms_client_mode = crc
ms_mon_cluster_mode = crc
ms_mon_service_mode = crc
ms_mon_client_mode = crc
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
admin socket = $DIR/run/\$name.asok
keyring = $DIR/keyring
mon data = $DIR/\$name
[mon]
debug ms = 20
debug mon = 10
debug paxos = 10
ms dump on send = true
mon sync max payload size = 2048
CONF
export CEPH_CONF="$DIR/ceph.conf"
ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "$(addr 0)" --addv b "$(addr 1)" --addv c "$(addr 2)" "$DIR/monmap" >/dev/null
for m in a b c; do ceph-mon --mkfs -i $m --monmap "$DIR/monmap" --keyring "$DIR/keyring" 2>/dev/null; done

PIDS=()
cleanup() {
  for m in a b c d; do [ -f "$DIR/run/mon.$m.pid" ] && kill "$(cat "$DIR/run/mon.$m.pid")" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
tcpdump -i lo -s 0 -U -w "$DIR/mon.pcap" "tcp portrange $P-$(($P + 7))" 2>"$DIR/log/tcpdump.log" &
PIDS+=($!)
sleep 1
quorum() { timeout 20 ceph quorum_status 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["quorum"]))'; }
waitq() { for _ in $(seq 60); do [ "$(quorum || true)" = "$1" ] && return 0; sleep 0.5; done; echo "no quorum of $1" >&2; exit 1; }

for m in a b c; do ceph-mon -i $m; done
waitq 3
# A write through a peon: MForward to the leader, MRoute back.
ceph -m "$(addr 1)" config-key set kelp/forwarded yes >/dev/null
# mon.c misses more than paxos_max_join_drift (10) commits, then syncs.
kill "$(cat "$DIR/run/mon.c.pid")"; sleep 1
waitq 2
for i in $(seq 1 15); do ceph config-key set "kelp/k$i" "$(head -c 600 /dev/urandom | base64 -w0)" >/dev/null; done
ceph-mon -i c
waitq 3
# A monitor outside the monmap asks to join (MMonJoin).
ceph mon getmap -o "$DIR/monmap.cur" 2>/dev/null
ceph-mon --mkfs -i d --monmap "$DIR/monmap.cur" --keyring "$DIR/keyring" 2>/dev/null
ceph-mon -i d --public-addrv "$(addr 3)"
waitq 4
# Connectivity elections ping their peers (MMonPing).
ceph mon set election_strategy connectivity >/dev/null 2>&1 || true
sleep 3
kill "$(cat "$DIR/run/mon.b.pid")"; sleep 1; ceph-mon -i b
waitq 4
sleep 2
cleanup
trap - EXIT
sleep 1
cd "$HERE/../../../.." && go run ./msgr2/msg/testdata/monpeer/extract -pcap "$DIR/mon.pcap" -ports "$P" -out "$HERE/frames.txt"
