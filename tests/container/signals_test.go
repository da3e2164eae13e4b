package container

import (
	"strings"
	"testing"
)

func TestKillSignalsReachTheChildAndTheContainerKeepsRunning(t *testing.T) {
	const workload = `for s in USR1 HUP ABRT; do trap "echo $s >> /out/got" $s; done
touch /out/ready; while :; do sleep 0.1; done`
	inEachMode(t, func(t *testing.T, m mode) {
		dir, out := outDir(t)
		c := m.start(t, out, "sh", "-c", workload)
		waitForFile(t, dir, "ready")
		var want string
		for _, sig := range []string{"USR1", "HUP", "ABRT"} {
			c.kill(sig)
			want += sig + "\n"
			if !eventually(func() bool { return readFile(dir, "got") == want }) {
				t.Fatalf("after kill -s %s the child's traps wrote %q, want %q", sig, readFile(dir, "got"), want)
			}
			if !c.running() {
				t.Fatalf("the container stopped after kill -s %s; logs:\n%s", sig, c.logs())
			}
		}
		if code := c.stop(stopTimeout); code != 143 {
			t.Errorf("the container exited %d after stop, want 143", code)
		}
		if logs := c.logs(); strings.Contains(logs, "goinit:") {
			t.Errorf("goinit complained:\n%s", logs)
		}
	})
}
