#!/bin/sh
# Installs, as root and without questions, everything goinit's tests, demo
# and benchmark need beyond Go itself (Go 1.26 must be on PATH). The
# container tests use Debian's Docker engine (docker.io, started by
# tests/container/engine-up.sh, not by systemd), podman, busybox-static for
# the images they make, and tini to compare with `docker run --init`'s
# usual init. The CRI tests use Debian's containerd and runc (started by
# tests/cri/cri-up.sh) and crictl, built from the Go module proxy.
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "setup: run as root (sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	make git ca-certificates gcc libc6-dev bash coreutils grep util-linux procps \
	tini dumb-init docker.io busybox-static podman containerd runc
# make bench: the peers goinit is measured against (tini brings tini-static
# too) and valgrind, which counts instructions. qemu-user-static runs make
# cross's builds in the tests; lintian checks make release's .debs (about
# ten seconds to install).
apt-get install -y -qq --no-install-recommends \
	catatonit valgrind qemu-user-static lintian
# systemd-socket-activate, for the socket-activation tests (the package
# only; nothing starts systemd).
apt-get install -y -qq --no-install-recommends systemd
go version
# crictl for the CRI tests, the Makefile's CRICTL_VERSION, in /usr/local/bin
# (a minute the first time; Go's caches make it seconds after that).
crictl_version=$(sed -n 's/^CRICTL_VERSION *:= *//p' "$(dirname "$0")/../Makefile")
CGO_ENABLED=0 GOBIN=/usr/local/bin go install "sigs.k8s.io/cri-tools/cmd/crictl@$crictl_version"
