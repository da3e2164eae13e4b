#!/bin/sh
# Runs a command (make's integration tests) with a Docker engine of its own
# for the container tests, started by engine-up.sh with goinit as its init
# and stopped by its pid when the command ends, however it ends:
#
#	tests/container/with-engine.sh bin/goinit go test ./tests/...
#
# With DOCKER_HOST already set (an engine you started), without root or
# without dockerd, it runs the command as it is, and the container tests say
# why they skip (or fail, with CI=true).
set -eu
goinit=$1
shift
here=$(dirname "$0")
if [ -n "${DOCKER_HOST:-}" ] || [ "$(id -u)" != 0 ] || ! command -v dockerd >/dev/null 2>&1; then
	exec "$@"
fi
engine_env=$("$here/engine-up.sh" "$goinit")
eval "$engine_env"
trap '"$here/engine-down.sh" "$GOINITTEST_ENGINE_DIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
set +e
"$@"
status=$?
exit $status
