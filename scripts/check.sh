#!/usr/bin/env bash
# The whole test suite: installs real Ceph when missing, then formatting,
# vet, the CGO-free build, every unit and interop test, and a short fuzz
# run of every fuzz target. Fails on the first problem.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

bash scripts/install-deps.sh

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$bad" ]; then echo "gofmt needed on:"; echo "$bad"; exit 1; fi

echo "== go vet"
go vet ./...
go vet -tags interop ./...

echo "== build (CGO_ENABLED=0)"
make build

echo "== tests (unit and interop against real Ceph $(ceph --version | awk '{print $3}'))"
go test -tags interop -count=1 -timeout 40m ./...

echo "== fuzz smoke"
bash scripts/fuzz.sh
echo "== all checks passed"
