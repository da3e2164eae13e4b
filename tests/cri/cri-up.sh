#!/bin/sh
# Starts a containerd of its own for the CRI tests, with its CRI plugin,
# runc, and a sandbox image whose entrypoint is goinit with no command, and
# prints the shell lines that point the tests at it:
#
#	eval "$(tests/cri/cri-up.sh)"
#	trap 'tests/cri/cri-down.sh "$GOINITTEST_CRI_DIR"' EXIT
#
# Everything containerd owns (config, root, state, runc's root, sockets,
# log) lives in one new directory under /tmp, so it cannot clash with
# another containerd on the machine. There is no CNI: the tests run
# host-network pods. The sandbox image (localhost/goinit-sandbox:latest:
# /sbin/goinit alone, its entrypoint, no command) is not made here: the
# tests build it from bin/goinit and import it before they start a pod. Needs root and Debian's containerd and runc
# (scripts/setup.sh installs them).
set -eu

if [ $# -ne 0 ]; then
	echo "usage: $0" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "cri-up: containerd needs root" >&2
	exit 1
fi
for tool in containerd containerd-shim-runc-v2 ctr runc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "cri-up: no $tool on PATH (apt-get install containerd runc)" >&2
		exit 1
	fi
done

# The image the tests build: goinit as the entrypoint, no command.
sandbox_image=localhost/goinit-sandbox:latest

dir=$(mktemp -d /tmp/goinit-cri.XXXXXX)
mkdir "$dir/cni-bin" "$dir/cni-conf"
# A pod whose config names no cgroup parent gets cgroups under /k8s.io (the
# containerd namespace the CRI uses) in each cgroup tree; cri-down.sh
# removes that parent where it is missing now.
for tree in /sys/fs/cgroup /sys/fs/cgroup/*; do
	if [ -f "$tree/cgroup.procs" ] && [ ! -d "$tree/k8s.io" ]; then
		echo "$tree/k8s.io" >>"$dir/new-cgroups"
	fi
done
# restrict_oom_score_adj: the CRI plugin gives every sandbox an
#   oom_score_adj of -998, which root may not set in every environment
#   (a container, a VM sandbox); with it the value is capped at
#   containerd's own.
# Root: runc keeps its state in /run/containerd/runc unless told.
# The opt plugin would create /opt/containerd.
cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = "$dir/containerd.sock"

[ttrpc]
  address = "$dir/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$sandbox_image"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$dir/runc"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$dir/cni-bin"
    conf_dir = "$dir/cni-conf"
TOML

cat >"$dir/crictl.yaml" <<YAML
runtime-endpoint: unix://$dir/containerd.sock
image-endpoint: unix://$dir/containerd.sock
timeout: 30
YAML

# No systemd here: containerd runs in the background, its output in a log
# the tests read. It is stopped by this pid (cri-down.sh), never by name.
containerd --config "$dir/config.toml" </dev/null >"$dir/containerd.log" 2>&1 &
echo $! >"$dir/containerd.pid"

# Wait until containerd answers on its socket with its CRI plugin loaded,
# or give up with its log.
cri_loaded() {
	ctr --address "$dir/containerd.sock" plugins ls |
		awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" && $NF == "ok" { found = 1 } END { exit !found }'
}
. "$(dirname "$0")/../internal/daemon.sh"
if ! wait_until_up "cri-up: containerd with its CRI plugin" "$(cat "$dir/containerd.pid")" "$dir/containerd.log" 300 cri_loaded; then
	"$(dirname "$0")/cri-down.sh" "$dir" >&2 || true
	exit 1
fi

echo "export GOINITTEST_CRI_DIR='$dir'"
echo "export GOINITTEST_CONTAINERD_ADDRESS='$dir/containerd.sock'"
echo "export GOINITTEST_CONTAINERD_LOG='$dir/containerd.log'"
echo "export GOINITTEST_CRICTL_CONFIG='$dir/crictl.yaml'"
