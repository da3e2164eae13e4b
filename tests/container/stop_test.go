package container

import (
	"strings"
	"testing"
	"time"
)

// stopTimeout is the -t given to stop when the workload is expected to end
// on SIGTERM: reaching it would show as 137, the engine's SIGKILL.
const stopTimeout = 30

func TestStopLetsAChildTrappingSIGTERMExitCleanly(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		dir, out := outDir(t)
		c := m.start(t, out, "sh", "-c",
			`trap 'echo stopped > /out/marker; exit 0' TERM; touch /out/ready; while :; do sleep 0.1; done`)
		waitForFile(t, dir, "ready")
		start := time.Now()
		code := c.stop(stopTimeout)
		took := time.Since(start)
		if code != 0 {
			t.Errorf("the container exited %d after stop, want the child's 0 (137: the engine had to SIGKILL it)", code)
		}
		if took >= stopTimeout*time.Second {
			t.Errorf("stop took %v: the child did not get SIGTERM before the engine's timeout", took)
		}
		if got := readFile(dir, "marker"); got != "stopped\n" {
			t.Errorf("the child's TERM trap wrote %q, want %q", got, "stopped\n")
		}
	})
}

func TestStopEndsAChildWithDefaultSIGTERMWith143(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		dir, out := outDir(t)
		c := m.start(t, out, "sh", "-c", "touch /out/ready; exec sleep 1000")
		waitForFile(t, dir, "ready")
		if code := c.stop(stopTimeout); code != 143 {
			t.Errorf("the container exited %d after stop, want 143: the child killed by the forwarded SIGTERM "+
				"(137: the engine had to SIGKILL it)", code)
		}
	})
}

func TestStopSIGKILLsAChildIgnoringSIGTERMAfterTheTimeout(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		dir, out := outDir(t)
		c := m.start(t, out, "sh", "-c", `trap '' TERM; touch /out/ready; exec sleep 1000`)
		waitForFile(t, dir, "ready")
		const timeout = 1
		start := time.Now()
		code := c.stop(timeout)
		if code != 137 {
			t.Errorf("the container exited %d after stop -t %d, want 137 (SIGKILL by the engine)", code, timeout)
		}
		if took := time.Since(start); took < timeout*time.Second {
			t.Errorf("stop took %v, less than its timeout: the child should have ignored SIGTERM", took)
		}
	})
}

func TestStopDrainsABackgroundWriterBeforeTheContainerExits(t *testing.T) {
	// The writer runs in a session of its own, so the SIGTERM goinit
	// forwards to the command's group does not reach it: it only flushes
	// if goinit drains what the command left before exiting (otherwise the
	// kernel SIGKILLs it when PID 1 exits).
	const workload = `setsid sh -c 'trap "echo flushed > /out/drained; exit 0" TERM
touch /out/writer-ready; while :; do sleep 0.1; done' &
while [ ! -e /out/writer-ready ]; do sleep 0.01; done
touch /out/ready; exec sleep 1000`
	inEachMode(t, func(t *testing.T, m mode) {
		dir, out := outDir(t)
		c := m.start(t, append(out, "-e", "GOINIT_VERBOSE=1"), "sh", "-c", workload)
		waitForFile(t, dir, "ready")
		if code := c.stop(stopTimeout); code != 143 {
			t.Errorf("the container exited %d after stop, want the command's 143", code)
		}
		if got := readFile(dir, "drained"); got != "flushed\n" {
			t.Errorf("the background writer wrote %q on stop, want %q", got, "flushed\n")
		}
		if logs := c.logs(); !strings.Contains(logs, "0 needed SIGKILL") {
			t.Errorf("goinit logged no drain without SIGKILL; logs:\n%s", logs)
		}
	})
}
