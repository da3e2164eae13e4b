#!/bin/sh
# The demo's workload.
#   workload.sh          leave orphans, show the process table, then wait for
#                        SIGTERM and exit 42 when it arrives
#   workload.sh no-init  the same orphans under a PID 1 that never reaps
#                        (here sleep; in real life a JVM, a Node server...)
#   workload.sh table    print the process table and count the zombies

table() {
	echo "     PID  PPID STATE COMMAND"
	for d in /proc/[0-9]*; do
		read -r pid rest < "$d/stat" 2>/dev/null || continue
		comm=${rest#(}; comm=${comm%%)*}
		set -- ${rest##*) }
		printf '   %5s %5s %5s %s\n' "$pid" "$2" "$1" "$comm"
	done
	echo "   zombies: $(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ')"
}

orphans() {
	# Each subshell starts a short sleep and exits at once: the sleep is
	# orphaned, re-parented to PID 1, and must be reaped by it.
	for i in 1 2 3 4 5; do (sleep 0.2 &); done
}

case "${1:-}" in
table)
	table
	;;
no-init)
	orphans
	sh "$0" table-later &
	exec sleep 1.5
	;;
table-later)
	sleep 1
	table
	;;
*)
	echo "workload: I am PID $$, my parent is PID $PPID"
	orphans
	sleep 1
	echo "workload: five orphans have exited; the process table:"
	table
	trap 'echo "workload: got SIGTERM (forwarded by goinit), exiting 42"; exit 42' TERM
	touch /tmp/goinit-demo.ready
	echo "workload: waiting for SIGTERM"
	while :; do sleep 0.1; done
	;;
esac
