#!/bin/sh
# Installs, as root and without questions, everything goinit's tests, demo
# and benchmark need beyond Go itself (Go 1.26 must be on PATH).
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "setup: run as root (sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	make git ca-certificates gcc libc6-dev bash coreutils grep util-linux procps \
	tini dumb-init
go version
