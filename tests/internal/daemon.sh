# Sourced by the scripts that start a daemon for the tests
# (tests/container/engine-up.sh, tests/cri/cri-up.sh).

# wait_until_up NAME PID LOG TRIES CHECK...: runs CHECK every 0.1s until it
# succeeds. If the daemon NAME (process PID) dies first, or TRIES checks
# fail, it prints the daemon's LOG on stderr and returns 1.
wait_until_up() {
	name=$1 pid=$2 log=$3 limit=$4
	shift 4
	tries=0
	until "$@" >/dev/null 2>&1; do
		tries=$((tries + 1))
		if ! kill -0 "$pid" 2>/dev/null || [ "$tries" -ge "$limit" ]; then
			echo "$name did not come up; its log ($log):" >&2
			cat "$log" >&2
			return 1
		fi
		sleep 0.1
	done
}
