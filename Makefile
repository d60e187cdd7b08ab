# kelp: see README.md. All binaries are CGO-free and static.
GO ?= go
BINARIES := kelp-mon kelp

.PHONY: all build test check interop fuzz bench bench-client run clean

all: build

build:
	@mkdir -p bin
	$(foreach b,$(BINARIES),CGO_ENABLED=0 $(GO) build -trimpath -o bin/$(b) ./cmd/$(b) &&) true

# Unit tests only: no Ceph needed.
test:
	$(GO) test ./...

# Interop tests against real Ceph daemons (needs Ceph installed).
interop:
	$(GO) test -tags interop -count=1 ./...

# The whole suite, installing Ceph first when missing (README's test command).
check:
	CGO_ENABLED=1 bash scripts/check.sh

# A longer fuzz run of every target: make fuzz FUZZTIME=1m
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The same client workload against kelp-mon and a real ceph-mon, side by
# side, with kelp's figure over ceph-mon's for each (needs Ceph installed).
bench-compare:
	$(GO) test -tags interop -run '^$$' -bench Compare -benchtime 3s -timeout 30m ./interop/ | tee bench-compare.out
	@bash scripts/bench-ratio.sh bench-compare.out

# kelp's client beside librados against one real ceph-mon (Ceph installed).
bench-client:
	$(GO) test -tags interop -run '^$$' -bench BenchmarkClientVsLibrados -benchtime 200x -benchmem ./client

# A ready single-monitor cluster in ./kelp-dev (README's main command).
run: build
	./bin/kelp-mon dev --dir ./kelp-dev

clean:
	rm -rf bin
