#!/bin/sh
# Stops the containerd cri-up.sh started in DIR, and everything it started,
# by pid, then removes DIR:
#
#   1. containerd, by the pid in DIR/containerd.pid;
#   2. every container runc still knows under DIR/runc (the pods' sandboxes
#      and containers): runc delete --force kills its processes and removes
#      its cgroups;
#   3. the shims, which outlive containerd: the processes whose command
#      line names DIR's socket, and their sockets in /run/containerd/s;
#   4. what is still mounted under DIR (root file systems, /dev/shm),
#      deepest first, and the cgroups a container's bundle names, if runc
#      left any.
#
# A mount under DIR that will not go keeps DIR in place, so a bind mount
# can never make this delete files outside it.
set -eu

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 CRI_DIR" >&2
	exit 2
fi
dir=$(cd "$1" && pwd)
sock=$dir/containerd.sock

# alive PID: the process exists and is not a zombie (a daemon's zombie
# waits for PID 1, which may be slow to reap it).
alive() {
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${state%% *}" != Z ]
}

# waitgone PID...: wait up to 10s in all for the processes to end.
waitgone() {
	tries=0
	for pid in "$@"; do
		while alive "$pid" && [ "$tries" -lt 100 ]; do
			tries=$((tries + 1))
			sleep 0.1
		done
	done
}

# commandline PID: the process's arguments, separated by spaces.
commandline() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline"; }

# containerd, if that pid is still the containerd started with DIR's config
# (not a process that reused the pid).
if [ -f "$dir/containerd.pid" ]; then
	pid=$(cat "$dir/containerd.pid")
	case "$(commandline "$pid")" in
	*" --config $dir/config.toml "*) ;;
	*) pid= ;;
	esac
	if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
		waitgone "$pid"
		if alive "$pid"; then
			echo "cri-down: containerd ($pid) did not stop in 10s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
			waitgone "$pid"
		fi
	fi
fi

# runc's root for each containerd namespace is DIR/runc/NAMESPACE.
for root in "$dir"/runc/*/; do
	[ -d "$root" ] || continue
	for state in "$root"*/; do
		[ -d "$state" ] || continue
		runc --root "$root" delete --force "$(basename "$state")" >/dev/null 2>&1 ||
			echo "cri-down: runc could not delete $(basename "$state")" >&2
	done
done

# shims: started by containerd with -address DIR/containerd.sock.
shims=
for proc in /proc/[0-9]*; do
	case "$(commandline "${proc#/proc/}")" in
	*" -address $sock "*) shims="$shims ${proc#/proc/}" ;;
	esac
done
if [ -n "$shims" ]; then
	# shellcheck disable=SC2086 # one word per pid
	kill -KILL $shims 2>/dev/null || true
	# shellcheck disable=SC2086
	waitgone $shims
fi
for bundle in "$dir"/state/io.containerd.runtime.v2.task/*/*/; do
	[ -f "$bundle/address" ] || continue
	shim_sock=$(sed 's|^unix://||' "$bundle/address")
	case "$shim_sock" in
	/run/containerd/s/*) rm -f "$shim_sock" ;;
	esac
done
# The directories the shims made, if no other containerd uses them.
rmdir /run/containerd/s /run/containerd 2>/dev/null || true

# Deepest mounts first.
mounted() { awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r; }
for m in $(mounted); do
	umount "$m" 2>/dev/null || umount -l "$m" || true
done

# Cgroups runc did not remove (cgroup v1: one tree per controller; v2: one),
# then the parent cgroups (/k8s.io) that cri-up.sh saw missing, once empty.
for config in "$dir"/state/io.containerd.runtime.v2.task/*/*/config.json; do
	[ -f "$config" ] || continue
	path=$(grep -o '"cgroupsPath":"[^"]*"' "$config" | sed 's/.*:"\(.*\)"/\1/')
	[ -n "$path" ] || continue
	for tree in /sys/fs/cgroup /sys/fs/cgroup/*; do
		if [ -d "$tree$path" ]; then
			rmdir "$tree$path" 2>/dev/null || echo "cri-down: cannot remove the cgroup $tree$path" >&2
		fi
	done
done
if [ -f "$dir/new-cgroups" ]; then
	while read -r cgroup; do
		if [ -d "$cgroup" ]; then
			rmdir "$cgroup" 2>/dev/null || echo "cri-down: cannot remove the cgroup $cgroup" >&2
		fi
	done <"$dir/new-cgroups"
fi

if [ -n "$(mounted)" ]; then
	echo "cri-down: still mounted under $dir, not removing it:" >&2
	mounted >&2
	exit 1
fi
rm -rf "$dir"
