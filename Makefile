# goinit: see README.md. Every target works from a fresh clone.

VERSION ?= $(or $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null | sed 's/^v//'),0.1.0-dev)
COMMIT  ?= $(or $(shell git rev-parse --short=12 HEAD 2>/dev/null),unknown)

# -checklinkname=0: internal/goruntime reads the signal state goinit was
#   started with from the Go runtime (see its package comment).
GO_LDFLAGS := -checklinkname=0
LDFLAGS    := -s -w $(GO_LDFLAGS) -X main.version=$(VERSION) -X main.commit=$(COMMIT)
GOFLAGS_BUILD := -trimpath -ldflags '$(LDFLAGS)'

BIN ?= bin/goinit
export CGO_ENABLED := 0

HELPER ?= bin/helper

# Each fuzz target runs this long in make test (FUZZTIME=5m make fuzz for more).
FUZZTIME ?= 30s
FUZZ_TARGETS := .:FuzzParseOptionsNeverPanics .:FuzzDurationStaysWithinBounds \
	.:FuzzExitCodesStayWithin0To255 ./forward:FuzzParseSignalNeverPanicsAndStaysInRange \
	./forward:FuzzRewriteNeverPanics

.PHONY: all build helper test unit integration container fuzz soak lint cross release test-dist release-check demo clean bench bench-quick bench-build

all: build

build:
	go build $(GOFLAGS_BUILD) -o $(BIN) .

# The integration tests' workload; linked like goinit (see GO_LDFLAGS).
helper:
	go build -ldflags '$(GO_LDFLAGS)' -o $(HELPER) ./tests/helper

test: build lint unit integration fuzz bench-quick

unit:
	CGO_ENABLED=1 go test -race -count=1 -ldflags '$(GO_LDFLAGS)' $$(go list ./... | grep -v /tests)

# The container tests among them get a Docker engine of their own when
# make runs as root and none is configured (tests/container/with-engine.sh);
# the builds of make cross run under qemu (tests/cross_test.go); the release
# for this machine's architecture (make release into $(TEST_DIST)) is used
# the ways the README's Install section says (tests/dist).
integration: build helper cross test-dist
	$(call release_test_env,$(TEST_DIST)) GOINIT_CROSS_DIR=$(abspath bin) tests/container/with-engine.sh $(BIN) \
		go test -count=1 -timeout 20m -ldflags '$(GO_LDFLAGS)' ./tests/...

# What the tests are given: the binaries under test, the release in the
# directory $(1), and the link flag go install still needs.
release_test_env = GOINIT_BIN=$(abspath $(BIN)) GOINIT_HELPER=$(abspath $(HELPER)) \
	GOINIT_DIST_DIR=$(abspath $(1)) GOINIT_GO_LDFLAGS='$(GO_LDFLAGS)'

# The long run: goinit as PID 1 for ten minutes (GOINIT_SOAK=1m for less).
soak: build helper
	GOINIT_BIN=$(abspath $(BIN)) GOINIT_HELPER=$(abspath $(HELPER)) go test -tags soak -run '^TestSoak$$' -count=1 -timeout 60m -v -ldflags '$(GO_LDFLAGS)' ./tests/

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		go test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) -ldflags '$(GO_LDFLAGS)' $$pkg || exit 1; \
	done

# Only the container tests (make integration runs them too): goinit as PID 1
# of Docker and podman containers, in an engine of their own (see README,
# "Docker").
container: build
	GOINIT_BIN=$(abspath $(BIN)) tests/container/with-engine.sh $(BIN) go test -count=1 -timeout 20m ./tests/container

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# The architectures of SPEC S8, as GOOS/GOARCH[/GOARM]: make cross and make
# release build each. CROSS_DIR/CROSS_NAME name the outputs:
# $(CROSS_DIR)/$(CROSS_NAME)linux-amd64, ...-armv7 and so on.
PLATFORMS  := linux/amd64 linux/arm64 linux/arm/7 linux/ppc64le linux/s390x linux/riscv64
CROSS_DIR  ?= bin
CROSS_NAME ?= goinit-

cross:
	@for p in $(PLATFORMS); do \
		os=$${p%%/*}; rest=$${p#*/}; arch=$${rest%%/*}; arm=$${rest#*/}; \
		[ "$$arch" = arm ] && export GOARM=$$arm; \
		out=$(CROSS_DIR)/$(CROSS_NAME)$$os-$$arch$$( [ "$$arch" = arm ] && echo v$$arm ); \
		echo "build $$out"; GOOS=$$os GOARCH=$$arch go build $(GOFLAGS_BUILD) -o $$out . || exit 1; \
	done

# make release VERSION=X.Y.Z writes DIST: goinit-X.Y.Z-linux-ARCH for each
# of PLATFORMS (make cross's build), a .deb and an image of each, and
# SHA256SUMS (scripts/release.sh). VERSION defaults to a vX.Y.Z tag on the
# commit (see above). Everything is dated SOURCE_DATE_EPOCH, the commit's
# time, so the same commit gives the same bytes: make release-check builds
# it twice and compares.
DIST ?= dist
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH
# The .debs' Maintainer field.
DEB_MAINTAINER ?= The goinit authors <goinit@users.noreply.github.com>

release: build
	rm -rf $(DIST)
	mkdir -p $(DIST)
	$(MAKE) --no-print-directory cross VERSION=$(VERSION) COMMIT=$(COMMIT) CROSS_DIR=$(DIST) CROSS_NAME=goinit-$(VERSION)-
	DEB_MAINTAINER='$(DEB_MAINTAINER)' scripts/release.sh $(DIST) $(VERSION) $(COMMIT) $(BIN)

# make test's release: this machine's architecture only, in bin/.
TEST_DIST := bin/dist
HOST_PLATFORM = $(filter linux/$(shell go env GOARCH)%,$(PLATFORMS))
test-dist:
	@$(MAKE) --no-print-directory release DIST=$(TEST_DIST) PLATFORMS=$(HOST_PLATFORM) VERSION=$(VERSION) COMMIT=$(COMMIT)

# Every architecture's release in $(DIST), tested as make test tests its
# own (the other architectures' binaries under qemu), and built twice more
# from two clones of the commit, which must give the same bytes.
RELEASE_TESTS := ^Test(Release|Debian)
release-check: release helper
	$(call release_test_env,$(DIST)) GOINIT_RELEASE_ALL=1 tests/container/with-engine.sh $(BIN) sh -c \
		"go test -count=1 -timeout 30m -ldflags '$(GO_LDFLAGS)' -run '$(RELEASE_TESTS)' ./tests/ && \
		go test -count=1 -timeout 20m ./tests/container"

demo: build
	./demo/run.sh $(abspath $(BIN))

# The benchmark (bench/, BENCHMARKS.md): goinit against tini, tini-static,
# dumb-init and catatonit, a naive Go init and the Go runtime's floor. It
# installs nothing; scripts/setup.sh installs the peers and valgrind. As root.
BENCH_BIN := bin/bench
# The floor and the naive init are built like goinit, so the gap between
# them is goinit's own. The .sym copies keep their symbols (the same code)
# for cachegrind's per-function counts; goinit's adds bench/_overlay, which
# valgrind needs (see that file).
LDFLAGS_SYM := $(filter-out -s -w,$(LDFLAGS))
BENCH_OVERLAY := $(BENCH_BIN)/overlay.json

bench-build: build
	@command -v gcc >/dev/null || { echo "bench: gcc is missing (sudo scripts/setup.sh)"; exit 1; }
	@mkdir -p $(BENCH_BIN)
	go build -o $(BENCH_BIN)/bench ./bench
	gcc -static -O2 -Wall -Wextra -o $(BENCH_BIN)/workload bench/workload/workload.c
	go build $(GOFLAGS_BUILD) -o $(BENCH_BIN)/floor ./bench/floor/empty
	go build $(GOFLAGS_BUILD) -o $(BENCH_BIN)/floor-pause ./bench/floor/pause
	go build $(GOFLAGS_BUILD) -o $(BENCH_BIN)/naive ./bench/naive
	go build -trimpath -ldflags '$(LDFLAGS_SYM)' -o $(BENCH_BIN)/floor.sym ./bench/floor/empty
	go build -trimpath -ldflags '$(LDFLAGS_SYM)' -o $(BENCH_BIN)/naive.sym ./bench/naive
	@printf '{"Replace":{"%s":"%s"}}\n' "$(abspath forward/zz_bench_valgrind.go)" "$(abspath bench/_overlay/forward_valgrind.go)" > $(BENCH_OVERLAY)
	go build -trimpath -ldflags '$(LDFLAGS_SYM)' -overlay $(BENCH_OVERLAY) -o $(BENCH_BIN)/goinit-vg.sym .

# The full run (under 10 minutes on 2 cores) rewrites BENCHMARKS.md's
# results, bench/results.json and bench/ratios.svg.
bench: bench-build
	$(BENCH_BIN)/bench -bin $(BENCH_BIN) -goinit $(BIN) -md BENCHMARKS.md -json bench/results.json -svg bench/ratios.svg

# A smoke run under 30 seconds, part of make test: it fails only when the
# benchmark itself breaks, never on a figure. Its output stays in bin/.
bench-quick: bench-build
	$(BENCH_BIN)/bench -quick -bin $(BENCH_BIN) -goinit $(BIN) -md $(BENCH_BIN)/quick/BENCHMARKS.md -json $(BENCH_BIN)/quick/results.json -svg $(BENCH_BIN)/quick/ratios.svg

clean:
	rm -rf bin $(DIST)
