#!/bin/sh
# Starts a Docker engine of its own for the container tests, with goinit as
# the daemon's init (what `docker run --init` runs), and prints the shell
# lines that point the tests at it:
#
#	eval "$(tests/container/engine-up.sh bin/goinit)"
#	trap 'tests/container/engine-down.sh "$GOINITTEST_ENGINE_DIR"' EXIT
#
# Everything the engine owns (socket, data-root, exec-root, pidfile, log)
# lives in one new directory under /tmp, so it cannot clash with another
# engine on the machine. The engine has no network of its own (no bridge,
# no iptables): the tests run their containers with --network none.
# Needs root and Debian's docker.io package (scripts/setup.sh installs it).
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 GOINIT_BINARY" >&2
	exit 2
fi
# dockerd runs the init by absolute path.
goinit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [ ! -x "$goinit" ]; then
	echo "engine-up: $goinit is not an executable (make build first)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "engine-up: dockerd needs root" >&2
	exit 1
fi
dockerd=$(command -v dockerd || true)
if [ -z "$dockerd" ]; then
	echo "engine-up: no dockerd on PATH (apt-get install docker.io)" >&2
	exit 1
fi
# The client installed with this dockerd: Debian's /usr/bin/docker. Another
# client may come first on PATH; a recent one without the buildx plugin
# cannot use BuildKit, which building Dockerfile.example offline needs.
client=$(dirname "$(dirname "$dockerd")")/bin/docker
[ -x "$client" ] || client=docker

dir=$(mktemp -d /tmp/goinit-engine.XXXXXX)
# No default-ulimits: raising a hard limit above the machine's is refused,
# and containers inherit the daemon's limits without it.
cat >"$dir/daemon.json" <<JSON
{
  "hosts": ["unix://$dir/docker.sock"],
  "data-root": "$dir/data",
  "exec-root": "$dir/exec",
  "pidfile": "$dir/dockerd.pid",
  "bridge": "none",
  "iptables": false,
  "ip-forward": false,
  "ip-masq": false,
  "storage-driver": "overlay2",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "init-path": "$goinit"
}
JSON

# No systemd here: dockerd runs in the background, its output in a log the
# tests read. It is stopped by this pid (engine-down.sh), never by name.
"$dockerd" --config-file "$dir/daemon.json" </dev/null >"$dir/dockerd.log" 2>&1 &
echo $! >"$dir/engine.pid"

# Wait until the daemon answers on its socket, or give up with its log.
. "$(dirname "$0")/../internal/daemon.sh"
if ! wait_until_up "engine-up: dockerd" "$(cat "$dir/engine.pid")" "$dir/dockerd.log" 600 \
	env DOCKER_HOST="unix://$dir/docker.sock" "$client" version; then
	"$(dirname "$0")/engine-down.sh" "$dir" >&2 || true
	exit 1
fi

echo "export DOCKER_HOST='unix://$dir/docker.sock'"
echo "export DOCKER='$client'"
echo "export GOINITTEST_ENGINE_DIR='$dir'"
echo "export GOINITTEST_DOCKERD_LOG='$dir/dockerd.log'"
