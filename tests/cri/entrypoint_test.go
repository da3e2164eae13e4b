package cri

import (
	"testing"
	"time"
)

// goinit as a container's entrypoint, PID 1 of the container's own PID
// namespace (pod.yaml: the kubelet's default).

// stopTimeout is the --timeout given to crictl stop (the kubelet's is the
// pod's terminationGracePeriodSeconds): reaching it shows as exit 137, the
// runtime's SIGKILL.
const stopTimeout = 10

func TestStopReachesATrappingCommandThroughGoinitWellInsideTheTimeout(t *testing.T) {
	stopsCleanlyOnSIGTERM(t, runPod(t, "pod.yaml").start("trap-term.yaml"))
}

// stopsCleanlyOnSIGTERM checks that c, goinit as PID 1 in front of a
// command that logs "ready" and then handles SIGTERM by logging "TERM
// handled" and exiting 0, stops that way at crictl stop, well before the
// timeout.
func stopsCleanlyOnSIGTERM(t *testing.T, c *container) {
	t.Helper()
	c.waitLog("ready")
	requireGoinitAsPID1(t, c.pid(), "the container's first process")
	took, code := c.stop(stopTimeout)
	t.Logf("crictl stop took %v", took)
	if code != 0 {
		t.Errorf("the container exited %d after crictl stop, want the command's 0 (137: the runtime had to SIGKILL it)", code)
	}
	// Half the timeout: the forwarded SIGTERM ends the command at once, so
	// anything close to the timeout means it did not get there.
	if took >= stopTimeout*time.Second/2 {
		t.Errorf("crictl stop --timeout %d took %v, want well under the timeout", stopTimeout, took)
	}
	c.waitLog("TERM handled")
}

func TestContainerExitCodeIsTheCommands(t *testing.T) {
	c := runPod(t, "pod.yaml").start("exit-code.yaml")
	if code := c.wait(); code != 3 {
		t.Errorf("crictl inspect shows exit code %d, want the command's 3; log:\n%s", code, c.logs())
	}
}

func TestStopDelayHoldsSIGTERMAndTheContainerStillStopsInTime(t *testing.T) {
	const delay = 2 * time.Second // stop-delay.yaml's --stop-delay
	c := runPod(t, "pod.yaml").start("stop-delay.yaml")
	c.waitLog("ready")
	requireGoinitAsPID1(t, c.pid(), "the container's first process")
	start := time.Now()
	took, code := c.stop(stopTimeout)
	t.Logf("crictl stop took %v", took)
	if code != 0 {
		t.Errorf("the container exited %d after crictl stop, want the command's 0 (137: the runtime had to SIGKILL it)", code)
	}
	if took >= stopTimeout*time.Second {
		t.Errorf("crictl stop --timeout %d took %v: the delayed SIGTERM did not end the command before the timeout", stopTimeout, took)
	}
	// The runtime stamps each log line when it reads it, on this machine's
	// clock: the command handled SIGTERM no sooner than the delay after the
	// stop began.
	if held := c.waitLog("TERM handled").Sub(start); held < delay {
		t.Errorf("the command handled SIGTERM %v after crictl stop began, want at least --stop-delay's %v", held, delay)
	}
}

func TestStopDrainsABackgroundWriterBeforeTheContainerEnds(t *testing.T) {
	c := runPod(t, "pod.yaml").start("drain.yaml")
	c.waitLog("writer ready")
	requireGoinitAsPID1(t, c.pid(), "the container's first process")
	took, code := c.stop(stopTimeout)
	if code != 143 {
		t.Errorf("the container exited %d after crictl stop, want the command's 143 (killed by the forwarded SIGTERM)", code)
	}
	if took >= stopTimeout*time.Second {
		t.Errorf("crictl stop --timeout %d took %v: the drain did not end before the timeout", stopTimeout, took)
	}
	c.waitLog("writer flushed")
}

func TestGoinitCopiedByAnInitContainerRunsAnImageWithoutInit(t *testing.T) {
	p := runPod(t, "pod.yaml")
	if code := p.start("copy-goinit.yaml").wait(); code != 0 {
		t.Fatalf("the init container copying goinit exited %d, want 0", code)
	}
	stopsCleanlyOnSIGTERM(t, p.start("injected-goinit.yaml"))
}
