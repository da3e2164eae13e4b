#!/bin/sh
# Stops the engine engine-up.sh started in DIR, by its pid, and removes DIR.
# dockerd stops its containers and its containerd on SIGTERM; whatever is
# still mounted under DIR afterwards is unmounted before anything is removed,
# so a bind mount can never make this delete files outside DIR.
set -eu

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 ENGINE_DIR" >&2
	exit 2
fi
dir=$1

if [ -f "$dir/engine.pid" ]; then
	pid=$(cat "$dir/engine.pid")
	if kill -TERM "$pid" 2>/dev/null; then
		# dockerd gives its containers 10s each to stop; allow for that.
		tries=0
		while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 600 ]; do
			tries=$((tries + 1))
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "engine-down: dockerd ($pid) did not stop in 60s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
fi

# Deepest mounts first.
mounted() { awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r; }
for m in $(mounted); do
	umount "$m" 2>/dev/null || umount -l "$m" || true
done
if [ -n "$(mounted)" ]; then
	echo "engine-down: still mounted under $dir, not removing it:" >&2
	mounted >&2
	exit 1
fi
rm -rf "$dir"
