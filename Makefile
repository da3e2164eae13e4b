# goinit: see README.md. Every target works from a fresh clone. Plain
# `go build`, `go test ./...` and `go install` work too (make plain checks
# them); the flags here only strip the binary and stamp its version.

VERSION ?= $(or $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null | sed 's/^v//'),0.1.0-dev)
COMMIT  ?= $(or $(shell git rev-parse --short=12 HEAD 2>/dev/null),unknown)

LDFLAGS       := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
GOFLAGS_BUILD := -trimpath -ldflags '$(LDFLAGS)'

BIN ?= bin/goinit
export CGO_ENABLED := 0

# The integration tests' workload (a testdata path: not an installable command).
HELPER ?= bin/helper

# The packages that test goinit's code; tests/ runs the built binary.
UNIT_PKGS = $$(go list ./... | grep -v /tests)

# The toolchain as a Go user has it: no GOFLAGS, cgo as the machine has it.
PLAIN := env -u GOFLAGS -u CGO_ENABLED

# crictl: the one on PATH, or one built into bin/ from the module proxy
# (scripts/setup.sh installs the same version).
CRICTL_VERSION := v1.34.0
CRICTL ?= $(or $(shell command -v crictl 2>/dev/null),bin/crictl)

# Each fuzz target runs this long in make fuzz (FUZZTIME=5m make fuzz for more).
FUZZTIME ?= 30s
FUZZ_TARGETS := .:FuzzParseOptionsNeverPanics .:FuzzDurationStaysWithinBounds \
	.:FuzzExitCodesStayWithin0To255 ./signals:FuzzParseSignalNeverPanicsAndStaysInRange \
	./signals:FuzzRewriteNeverPanics

.PHONY: all build helper test plain unit integration container cri fuzz soak lint cross release test-dist release-check demo clean bench bench-quick bench-build bench-baseline

all: build

build:
	go build $(GOFLAGS_BUILD) -o $(BIN) .

helper:
	go build -o $(HELPER) ./tests/testdata/helper

test: build lint plain unit integration cri bench-quick

# What a Go user's first commands do, from this checkout: they must work
# with no flags, and `go install ./...` must install goinit alone.
plain:
	$(PLAIN) go build ./...
	$(PLAIN) go test -count=1 $(UNIT_PKGS)
	$(PLAIN) go run . -- true
	@gobin=$$(mktemp -d) && $(PLAIN) GOBIN=$$gobin go install ./... && installed=$$(ls $$gobin) && rm -rf $$gobin && \
		{ [ "$$installed" = goinit ] || { echo "go install ./... installed: $$installed (want goinit alone)"; exit 1; }; }

# Seed corpora run here as ordinary tests; the timed fuzzing is make fuzz.
# The benchmark's own tests (its cgroup freezer) run here too.
unit:
	CGO_ENABLED=1 go test -race -count=1 $(UNIT_PKGS)
	cd bench && go test -count=1 ./...

# The container tests among them get a Docker engine of their own when
# make runs as root and none is configured (tests/container/with-engine.sh);
# the builds of make cross run under qemu (tests/cross_test.go); the release
# for this machine's architecture (make release into $(TEST_DIST)) is used
# the ways the README's Install section says (tests/dist). The CRI tests
# (tests/cri) are left to make cri, which starts a containerd.
integration: build helper cross test-dist
	$(call release_test_env,$(TEST_DIST)) GOINITTEST_CROSS_DIR=$(abspath bin) tests/container/with-engine.sh $(BIN) \
		go test -count=1 -timeout 20m $$(go list ./tests/... | grep -v '/tests/cri$$')

# What the tests are given: the binaries under test, and for release_test_env
# the release in the directory $(1) too.
TEST_ENV := GOINITTEST_BIN=$(abspath $(BIN)) GOINITTEST_HELPER=$(abspath $(HELPER))
release_test_env = $(TEST_ENV) GOINITTEST_DIST_DIR=$(abspath $(1))

# The long run: goinit as PID 1 for ten minutes (GOINITTEST_SOAK=1m for less).
soak: build helper
	$(TEST_ENV) go test -tags soak -run '^TestSoak$$' -count=1 -timeout 60m -v ./tests/

# Timed fuzzing, in a copy of the checkout so that nothing it writes (a
# failing input goes to testdata/fuzz) dirties this one; a failure says
# where the input is.
fuzz:
	@work=$$(mktemp -d) && git ls-files -z | xargs -0 cp --parents -t $$work && cd $$work && \
	for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		go test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg || { echo "fuzz: the failing input is under $$work/$$pkg/testdata/fuzz/$$name"; exit 1; }; \
	done && rm -rf $$work

# Only the container tests (make integration runs them too): goinit as PID 1
# of Docker and podman containers, in an engine of their own (see README,
# "Docker").
container: build helper test-dist
	$(call release_test_env,$(TEST_DIST)) tests/container/with-engine.sh $(BIN) go test -count=1 -timeout 20m ./tests/container

# goinit as a Kubernetes pod's sandbox and as a container's entrypoint,
# under containerd's CRI plugin and runc, driven by crictl as a kubelet
# would (see README, "Kubernetes"), in a containerd of their own
# (tests/cri/with-cri.sh). As root; scripts/setup.sh installs containerd,
# runc and crictl.
cri: build $(CRICTL)
	$(TEST_ENV) CRICTL=$(abspath $(CRICTL)) tests/cri/with-cri.sh \
		go test -count=1 -timeout 10m ./tests/cri

bin/crictl:
	GOBIN=$(abspath bin) go install sigs.k8s.io/cri-tools/cmd/crictl@$(CRICTL_VERSION)

# staticcheck is a tool dependency in go.mod: no download beyond the module
# cache. The benchmark is a module of its own (bench/go.mod).
lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	go vet ./... ./tests/testdata/helper
	go tool staticcheck ./... ./tests/testdata/helper
	cd bench && go vet ./... && $$(go -C .. tool -n staticcheck) ./...

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
HOST_PLATFORM = $(filter linux/$(shell go env GOARCH) linux/$(shell go env GOARCH)/%,$(PLATFORMS))
test-dist:
	@$(MAKE) --no-print-directory release DIST=$(TEST_DIST) PLATFORMS=$(HOST_PLATFORM) VERSION=$(VERSION) COMMIT=$(COMMIT)

# Every architecture's release in $(DIST), tested as make test tests its
# own (the other architectures' binaries under qemu), and built twice more
# from two clones of the commit, which must give the same bytes.
RELEASE_TESTS := ^Test(Release|Debian)
release-check: release helper
	$(call release_test_env,$(DIST)) GOINITTEST_RELEASE_ALL=1 tests/container/with-engine.sh $(BIN) sh -c \
		"go test -count=1 -timeout 30m -run '$(RELEASE_TESTS)' ./tests/ && \
		go test -count=1 -timeout 20m ./tests/container"

demo: build
	./demo/run.sh $(abspath $(BIN))

# The benchmark (bench/, BENCHMARKS.md): goinit against tini, tini-static,
# dumb-init and catatonit, a naive Go init and the Go runtime's floor. It
# installs nothing; scripts/setup.sh installs the peers and valgrind. As root.
BENCH_BIN := bin/bench
# The floor and the naive init are built like goinit, so the gap between
# them is goinit's own. The .sym copies keep their symbols (the same code)
# for cachegrind's per-function counts.
LDFLAGS_SYM := $(filter-out -s -w,$(LDFLAGS))

bench-build: build
	@command -v gcc >/dev/null || { echo "bench: gcc is missing (run scripts/setup.sh as root)"; exit 1; }
	@mkdir -p $(BENCH_BIN)
	cd bench && go build -o ../$(BENCH_BIN)/bench . && \
		go build $(GOFLAGS_BUILD) -o ../$(BENCH_BIN)/floor ./floor/empty && \
		go build $(GOFLAGS_BUILD) -o ../$(BENCH_BIN)/floor-pause ./floor/pause && \
		go build $(GOFLAGS_BUILD) -o ../$(BENCH_BIN)/naive ./naive && \
		go build -trimpath -ldflags '$(LDFLAGS_SYM)' -o ../$(BENCH_BIN)/floor.sym ./floor/empty && \
		go build -trimpath -ldflags '$(LDFLAGS_SYM)' -o ../$(BENCH_BIN)/naive.sym ./naive
	gcc -static -O2 -Wall -Wextra -o $(BENCH_BIN)/workload bench/workload/workload.c
	go build -trimpath -ldflags '$(LDFLAGS_SYM)' -o $(BENCH_BIN)/goinit.sym .

# The full run (under 10 minutes on 2 cores) rewrites BENCHMARKS.md's
# results, bench/results.json and bench/ratios.svg. BASELINE=<git revision>
# measures that revision's goinit beside this one, in the same run, for a
# before-and-after table.
BASELINE ?=
BASELINE_DIR := $(BENCH_BIN)/baseline
bench: bench-build $(if $(BASELINE),bench-baseline)
	$(BENCH_BIN)/bench -bin $(BENCH_BIN) -goinit $(BIN) -md BENCHMARKS.md -json bench/results.json -svg bench/ratios.svg \
		$(if $(BASELINE),-baseline $(BASELINE_DIR)/goinit -baseline-sym $(BASELINE_DIR)/goinit.sym -baseline-name $(BASELINE))

# The baseline is built by its own revision's Makefile, in a worktree;
# its symbol copy is whichever that revision's bench-build makes.
bench-baseline:
	@rm -rf $(BASELINE_DIR) && mkdir -p $(BASELINE_DIR) && tree=$$(mktemp -d) && \
	git worktree add -q --detach $$tree $(BASELINE) && \
	$(MAKE) -s -C $$tree bench-build >/dev/null && cp $$tree/bin/goinit $(BASELINE_DIR)/goinit && \
	{ cp $$tree/bin/bench/goinit.sym $(BASELINE_DIR)/goinit.sym 2>/dev/null || cp $$tree/bin/bench/goinit-vg.sym $(BASELINE_DIR)/goinit.sym; } ; \
	status=$$?; git worktree remove --force $$tree; exit $$status

# A smoke run under 30 seconds, part of make test: it fails only when the
# benchmark itself breaks, never on a figure. Its output stays in bin/.
bench-quick: bench-build
	$(BENCH_BIN)/bench -quick -bin $(BENCH_BIN) -goinit $(BIN) -md $(BENCH_BIN)/quick/BENCHMARKS.md -json $(BENCH_BIN)/quick/results.json -svg $(BENCH_BIN)/quick/ratios.svg

clean:
	rm -rf bin $(DIST)
