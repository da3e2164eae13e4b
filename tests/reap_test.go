package tests

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestTenThousandOrphansAreAllReaped(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		r := startGoinit(t, m, "--", helperBin, "orphans", "10000")
		r.expect("orphans done")
		// Everything the orphans left behind must go; only the child stays.
		if !eventually(func() bool { return len(children(r.pid())) == 1 }) {
			kids := children(r.pid())
			t.Fatalf("goinit still has %d children, %d of them zombies", len(kids), zombieChildren(r.pid()))
		}
		if code := r.finish(); code != 0 {
			t.Errorf("goinit exited %d, want 0; stderr %q", code, r.Stderr())
		}
	})
}

func TestCommandIsGoinitsChild(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		r := startGoinit(t, m, "--", "sh", "-c", "echo $PPID")
		want := strconv.Itoa(r.pid())
		if m.pid1 {
			want = "1"
		}
		r.expect(want)
		r.exitStatus()
	})
}

func TestChildStatusIsKeptWhenManyProcessesExitAtOnce(t *testing.T) {
	// The child and a crowd of its own children exit together, so their
	// exits are merged into few SIGCHLDs and arrive in any order; the
	// child's status must be the one goinit reports, every time.
	inEachMode(t, func(t *testing.T, m mode) {
		for i := 0; i < 20; i++ {
			code := 3 + i
			script := fmt.Sprintf("for i in $(seq 300); do (exit 1) & done; exit %d", code)
			r := startGoinit(t, m, "--", "sh", "-c", script)
			if got := r.exitStatus(); got != code {
				t.Fatalf("run %d: goinit exited %d, want the child's %d; stderr %q", i, got, code, r.Stderr())
			}
		}
	})
}

func TestOrphansAreLoggedAtDebugVerbosity(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		r := startGoinit(t, m, "-vv", "--", helperBin, "orphans", "3")
		r.expect("orphans done")
		if !eventually(func() bool { return len(children(r.pid())) == 1 }) {
			t.Fatal("orphans not reaped")
		}
		r.finish()
		if n := strings.Count(r.Stderr(), "reaped orphan"); n != 3 {
			t.Errorf("want 3 'reaped orphan' lines at -vv, got %d in %q", n, r.Stderr())
		}
	})
}
