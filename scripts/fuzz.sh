#!/usr/bin/env bash
# Runs every native fuzz target in the repository for FUZZTIME (default 3s).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-3s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
n=0
for f in $(git grep -l '^func Fuzz' -- '*_test.go'); do
  pkg=./$(dirname "$f")
  for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "fuzz $pkg $target ($FUZZTIME)"
    if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" >"$log" 2>&1; then
      cat "$log"; echo "fuzz: $pkg $target failed"; exit 1
    fi
    n=$((n+1))
  done
done
echo "fuzz: $n targets ran without a failure"
