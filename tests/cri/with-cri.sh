#!/bin/sh
# Runs a command (make cri's tests) with a containerd of its own for the CRI
# tests, started by cri-up.sh and stopped, with every pod, shim, mount and
# cgroup it made, by cri-down.sh when the command ends, however it ends:
#
#	tests/cri/with-cri.sh go test ./tests/cri
#
# With GOINITTEST_CRICTL_CONFIG already set (a containerd you started), without
# root or without containerd, it runs the command as it is, and the CRI
# tests say why they skip (or fail, with CI=true).
set -eu
here=$(dirname "$0")
if [ -n "${GOINITTEST_CRICTL_CONFIG:-}" ] || [ "$(id -u)" != 0 ] || ! command -v containerd >/dev/null 2>&1; then
	exec "$@"
fi
cri_env=$("$here/cri-up.sh")
eval "$cri_env"
trap '"$here/cri-down.sh" "$GOINITTEST_CRI_DIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
set +e
"$@"
status=$?
exit $status
