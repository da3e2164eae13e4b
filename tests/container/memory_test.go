package container

import (
	"strings"
	"testing"
)

func TestUnderMemoryPressureTheOOMKillerTakesTheCommandAndGoinitDrains(t *testing.T) {
	// The kernel's OOM killer takes the largest process of the container.
	// The command is a busybox shell that holds 3 MiB of data of its own
	// (as a script that reads a file into a variable does) and leaves a
	// process behind, then fills /dev/shm, which the container's memory
	// limit counts, until the limit is reached. goinit, PID 1, must be
	// spared: it reports the command's SIGKILL (137) and drains what the
	// command left. goinit's own size is in README's failure modes.
	m := bindMounted
	m.require(t)
	script := `data=$(head -c 3000000 /dev/zero | tr '\0' x); sleep 1000 &
while :; do echo 0123456789abcdef >>/dev/shm/fill; done`
	res := m.run(t, nil, []string{"--memory", "16m", "--memory-swap", "16m", "-e", "GOINIT_VERBOSE=1"}, "sh", "-c", script)
	if !strings.Contains(res.stderr, "goinit: command exited: killed by SIGKILL") {
		t.Fatalf("goinit did not report the command killed; it was killed itself? exit %d, stderr %q", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "drained: 1 process was left") {
		t.Errorf("goinit did not drain the command's leftover; stderr %q", res.stderr)
	}
	if res.code != 137 {
		t.Errorf("the container exited %d, want the command's 137; stderr %q", res.code, res.stderr)
	}
}
