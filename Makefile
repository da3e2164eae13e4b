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

.PHONY: all build helper test unit integration container fuzz soak lint cross demo clean

all: build

build:
	go build $(GOFLAGS_BUILD) -o $(BIN) .

# The integration tests' workload; linked like goinit (see GO_LDFLAGS).
helper:
	go build -ldflags '$(GO_LDFLAGS)' -o $(HELPER) ./tests/helper

test: build lint unit integration fuzz

unit:
	CGO_ENABLED=1 go test -race -count=1 -ldflags '$(GO_LDFLAGS)' $$(go list ./... | grep -v /tests)

# The container tests among them get a Docker engine of their own when
# make runs as root and none is configured (tests/container/with-engine.sh).
integration: build helper
	GOINIT_BIN=$(abspath $(BIN)) GOINIT_HELPER=$(abspath $(HELPER)) tests/container/with-engine.sh $(BIN) \
		go test -count=1 -timeout 20m -ldflags '$(GO_LDFLAGS)' ./tests/...

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

cross:
	@for p in linux/amd64 linux/arm64 linux/arm/7 linux/ppc64le linux/s390x linux/riscv64; do \
		os=$${p%%/*}; rest=$${p#*/}; arch=$${rest%%/*}; arm=$${rest#*/}; \
		[ "$$arch" = arm ] && export GOARM=$$arm; \
		out=bin/goinit-$$os-$$arch$$( [ "$$arch" = arm ] && echo v$$arm ); \
		echo "build $$out"; GOOS=$$os GOARCH=$$arch go build $(GOFLAGS_BUILD) -o $$out . || exit 1; \
	done

demo: build
	./demo/run.sh $(abspath $(BIN))

clean:
	rm -rf bin
