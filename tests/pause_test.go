package tests

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func TestPauseExitsZeroOnTermOrIntAndIgnoresOtherSignals(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		for _, stop := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			r := startGoinit(t, m)
			if !eventually(func() bool { return catches(r.pid(), sigRTMin) }) {
				t.Fatal("goinit never caught signals")
			}
			for _, other := range []syscall.Signal{syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGQUIT, syscall.SIGTSTP, sigRTMax} {
				r.signal(other)
			}
			r.signal(stop)
			if code := r.exitStatus(); code != 0 {
				t.Fatalf("paused goinit exited %d on %v, want 0; stderr %q", code, stop, r.Stderr())
			}
			want := fmt.Sprintf("got %s", map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}[stop])
			if !strings.Contains(r.Stderr(), want) {
				t.Errorf("stderr %q does not name the signal (%q)", r.Stderr(), want)
			}
			if warned := strings.Contains(r.Stderr(), "not PID 1"); warned == m.pid1 {
				t.Errorf("as PID 1: %v; stderr %q: the not-PID-1 warning is wrong", m.pid1, r.Stderr())
			}
		}
	})
}

func TestPauseAsPID1ReapsOrphansOfItsNamespace(t *testing.T) {
	// The Kubernetes pause container: other containers' processes share
	// its PID namespace and their orphans become its children.
	requireRoot(t)
	r := startGoinit(t, asPID1)
	if !eventually(func() bool { return catches(r.pid(), sigRTMin) }) {
		t.Fatal("goinit never caught signals")
	}
	// A process entering goinit's namespace leaves 200 orphans behind.
	join := exec.Command("nsenter", "--target", fmt.Sprint(r.pid()), "--pid", "--",
		helperBin, "orphans", "200")
	if out, err := join.CombinedOutput(); err != nil {
		t.Fatalf("nsenter: %v: %s", err, out)
	}
	if !eventually(func() bool { return len(children(r.pid())) == 0 }) {
		t.Fatalf("pause left %d children, %d of them zombies", len(children(r.pid())), zombieChildren(r.pid()))
	}
	r.signal(syscall.SIGTERM)
	if code := r.exitStatus(); code != 0 {
		t.Errorf("exited %d, want 0", code)
	}
}
