package tests

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// forwardedSignals are the signals a user may send goinit, each of which
// must reach the child: the usual ones, the fault signals sent with kill(2)
// (docker kill -s ABRT), the job-control ones (which must not stop goinit),
// the real-time ones and the two the C library reserves but goinit catches.
var forwardedSignals = []syscall.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2,
	syscall.SIGWINCH, syscall.SIGCONT, syscall.SIGPIPE, syscall.SIGALRM, syscall.SIGVTALRM,
	syscall.SIGPROF, syscall.SIGXCPU, syscall.SIGXFSZ, syscall.SIGURG, syscall.SIGIO,
	syscall.SIGPWR, syscall.SIGSTKFLT,
	syscall.SIGABRT, syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL,
	syscall.SIGTRAP, syscall.SIGSYS,
	syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU,
	32, sigRTMin, sigRTMin + 5, sigRTMax,
	syscall.SIGTERM,
}

// The real-time signals as the C library numbers them.
const (
	sigRTMin syscall.Signal = 34
	sigRTMax syscall.Signal = 64
)

func TestEverySignalReachesTheChildAndItsGroup(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		r := startGoinit(t, m, "--", helperBin, "signals", "--grandchild")
		r.expect("grandchild ready")
		r.expect("child ready")
		for _, sig := range forwardedSignals {
			r.signal(sig)
			r.expectAll(fmt.Sprintf("child got %d", sig), fmt.Sprintf("grandchild got %d", sig))
		}
		if code := r.finish(); code != 0 {
			t.Errorf("goinit exited %d after the child exited 0; stderr %q", code, r.Stderr())
		}
		if state := r.state.Sys().(syscall.WaitStatus); state.Stopped() {
			t.Errorf("goinit stopped")
		}
	})
}

func TestSignalsGoToTheGroupOrWithSingleChildToTheChildAlone(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		if got := whoGetsSignals(t, m, goinitBin, nil, nil); got != "group" {
			t.Errorf("by default signals reached the %s, want the group", got)
		}
		if got := whoGetsSignals(t, m, goinitBin, []string{"-c"}, nil); got != "child" {
			t.Errorf("with -c signals reached the %s, want the child alone", got)
		}
	})
}

func TestNoSignalReachesTheChildThatNobodySent(t *testing.T) {
	// goinit's Go runtime preempts itself with SIGURG; while it reaps
	// thousands of orphans (allocation, garbage collection) none of those
	// may look like a signal to forward.
	inEachMode(t, func(t *testing.T, m mode) {
		script := fmt.Sprintf("%s orphans 8000 </dev/null & exec %s signals", helperBin, helperBin)
		r := startGoinit(t, m, "--", "sh", "-c", script)
		r.expect("orphans done")
		if !eventually(func() bool { return zombieChildren(r.pid()) == 0 && len(children(r.pid())) == 1 }) {
			t.Fatalf("orphans not reaped: %d zombies", zombieChildren(r.pid()))
		}
		r.finish()
		for _, line := range r.seen {
			if strings.Contains(line, " got ") {
				t.Errorf("the child received a signal nobody sent: %q", line)
			}
		}
	})
}

func TestSignalSentAsGoinitStartsIsNeverLost(t *testing.T) {
	// 1,000 times in each mode.
	// From the moment goinit catches signals (the runtime's handler for
	// signal 34 is installed last, at the end of that step) a SIGTERM must
	// end the child, whether the child exists yet or not. What happens
	// before that, inside the Go runtime's own start-up, is measured by
	// make bench and documented in README.md.
	inEachMode(t, func(t *testing.T, m mode) {
		for i := 0; i < 1000; i++ {
			r := startGoinit(t, m, "--", "sleep", "1000")
			if !eventually(func() bool { return catches(r.pid(), sigRTMin) }) {
				t.Fatalf("goinit never caught signal %d", sigRTMin)
			}
			r.signal(syscall.SIGTERM)
			if code := r.exitStatus(); code != 143 {
				t.Fatalf("run %d: goinit exited %d after SIGTERM, want 143 (the child killed by it); stderr %q", i, code, r.Stderr())
			}
		}
	})
}

// catches reports whether pid has a handler installed for sig.
func catches(pid int, sig syscall.Signal) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "SigCgt:"); ok {
			var mask uint64
			fmt.Sscanf(strings.TrimSpace(v), "%x", &mask)
			return mask&(1<<(uint(sig)-1)) != 0
		}
	}
	return false
}

// expectAll reads the child's output until every line in want has been
// seen, in any order.
func (r *running) expectAll(want ...string) {
	r.t.Helper()
	missing := map[string]bool{}
	for _, w := range want {
		missing[w] = true
	}
	timeout := time.After(hangGuard)
	for len(missing) > 0 {
		select {
		case line, ok := <-r.lines:
			if !ok {
				r.t.Fatalf("output ended; still expecting %v; lines %q; stderr %q", keys(missing), r.seen, r.Stderr())
			}
			r.seen = append(r.seen, line)
			delete(missing, line)
		case <-timeout:
			r.t.Fatalf("still expecting %v; lines %q; stderr %q", keys(missing), r.seen, r.Stderr())
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
