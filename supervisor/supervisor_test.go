package supervisor

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"

	"goinit/catch"
	"goinit/signals"
)

// caught is what catching signals gave the test binary, as it gives
// goinit: TestMain does it on the main thread and runs every test there.
var caught catch.Report

func TestMain(m *testing.M) {
	runtime.LockOSThread()
	var err error
	if caught, err = catch.Start(signals.Forwardable()); err != nil {
		fmt.Fprintln(os.Stderr, "catch.Start:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestRunReturnsTheCommandsExitCode(t *testing.T) {
	cases := map[string]int{"exit 0": 0, "exit 3": 3, "kill -TERM $$": 143}
	for script, want := range cases {
		got := Run(Config{Command: []string{"sh", "-c", script}, Env: os.Environ(), Verbosity: 0}, caught)
		if got != want {
			t.Errorf("%q: Run returned %d, want %d", script, got, want)
		}
	}
}

func TestRunReportsACommandThatCannotStart(t *testing.T) {
	got := Run(Config{Command: []string{"goinit-test-no-such-command"}, Env: []string{"PATH=/bin"}, Verbosity: -1}, caught)
	if got != 127 {
		t.Errorf("Run returned %d, want 127", got)
	}
}

func TestRunForwardsASignalToTheCommand(t *testing.T) {
	// The command signals its parent (the test process, running Run) and
	// exits with what it receives back.
	script := `trap 'exit 42' USR1; kill -USR1 $PPID; while :; do sleep 0.01; done`
	got := Run(Config{Command: []string{"sh", "-c", script}, Env: os.Environ(), Verbosity: 0}, caught)
	if got != 42 {
		t.Errorf("Run returned %d, want 42 (the command trapped the forwarded SIGUSR1)", got)
	}
}

func TestPauseEndsOnSIGTERM(t *testing.T) {
	syscall.Kill(os.Getpid(), syscall.SIGHUP) // ignored in pause mode
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	if got := Run(Config{Verbosity: -1}, caught); got != 0 {
		t.Errorf("pause returned %d, want 0", got)
	}
}
