#!/bin/sh
# make demo: goinit as PID 1 of a fresh PID namespace, visibly reaping
# orphans and forwarding a signal. Needs root, or an unprivileged user
# namespace where the kernel allows one.
set -eu
goinit=${1:?usage: run.sh PATH-TO-GOINIT}
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" = 0 ]; then
	ns="unshare --pid --fork --mount-proc"
else
	ns="unshare --user --map-root-user --pid --fork --mount-proc"
fi
if ! $ns true 2>/dev/null; then
	echo "demo: cannot create a PID namespace here ($ns); run as root" >&2
	exit 1
fi

echo "== 1. Without an init: PID 1 is a program that never reaps (sleep here)"
$ns sh "$here/workload.sh" no-init

echo
echo "== 2. goinit as PID 1 (-vv shows what it does)"
rm -f /tmp/goinit-demo.ready
$ns "$goinit" -vv -- sh "$here/workload.sh" 2>&1 &
unshared=$!
# goinit is unshare's child; wait until the workload says it is ready.
while [ ! -e /tmp/goinit-demo.ready ]; do sleep 0.1; done
goinit_pid=$(pgrep -P "$unshared" | head -n 1)
echo "demo: sending SIGTERM to goinit (pid $goinit_pid outside the namespace, 1 inside), as docker stop would"
kill -TERM "$goinit_pid"
status=0
wait "$unshared" || status=$?
rm -f /tmp/goinit-demo.ready
echo "demo: goinit exited with $status, the workload's own exit code"
