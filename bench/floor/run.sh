#!/usr/bin/env bash
# Runs each floor server in turn on loopback and drives N sessions at it
# (default 20000, after 1000 to warm up), printing the server's CPU time
# per session. Needs go and gcc. Usage: bash bench/floor/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-20000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/floor" .
gcc -O2 -o "$tmp/floor-c" c/floor.c
port=4590
run() { # name, server command...
	local name=$1
	shift
	"$@" &
	local pid=$!
	sleep 0.3
	printf '%-22s ' "$name"
	"$tmp/floor" -mode client -addr 127.0.0.1:$port -n "$n" -pid $pid
	kill $pid
	wait $pid 2>/dev/null || true
	port=$((port + 1))
}
for round in 1 2; do
	run "go, goroutine/conn" "$tmp/floor" -mode goroutine -addr 127.0.0.1:$port
	run "go, epoll thread" "$tmp/floor" -mode epoll -addr 127.0.0.1:$port
	run "c, blocking" "$tmp/floor-c" block $port
	run "c, epoll" "$tmp/floor-c" epoll $port
done
