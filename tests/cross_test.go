package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"goinit/tests/dist"
	"goinit/tests/internal/testenv"
)

func TestEveryArchitectureExitsForwardsAndReapsAsPID1(t *testing.T) {
	// make cross's builds besides the host's (that one is bin/goinit, which
	// every other test runs). Each has assembly of its own (catch's signal
	// handler), which only running it tests.
	// GOINITTEST_CROSS_DIR holds make cross's binaries.
	requireRoot(t)
	dir := os.Getenv("GOINITTEST_CROSS_DIR")
	host, _ := dist.Host()
	for _, a := range dist.Arches {
		if a == host {
			continue
		}
		t.Run(a.Name, func(t *testing.T) {
			bin := filepath.Join(dir, "goinit-linux-"+a.Name)
			if _, err := os.Stat(bin); dir == "" || err != nil {
				testenv.SkipUnlessCI(t, "no "+bin+": GOINITTEST_CROSS_DIR names make cross's output (make integration sets it)")
			}
			exitsForwardsAndReapsAsPID1(t, a, bin)
		})
	}
}

// exitsForwardsAndReapsAsPID1 runs bin, a goinit for a, as PID 1 of a new
// PID namespace: natively on the host's architecture, under qemu's
// user-mode emulator on the others (which cannot make goinit a subreaper).
// The command is a host program, which the kernel runs natively.
func exitsForwardsAndReapsAsPID1(t *testing.T, a dist.Arch, bin string) {
	t.Helper()
	goinit := append(emulator(t, a), bin)
	command := func(args ...string) *exec.Cmd {
		return exec.Command(goinit[0], slices.Concat(goinit[1:], []string{"--"}, args)...)
	}

	r := start(t, asPID1, command("sh", "-c", "exit 7"))
	if code := r.exitStatus(); code != 7 {
		t.Errorf("exit %d, want the command's 7; stderr %q", code, r.Stderr())
	}

	r = start(t, asPID1, command(helperBin, "orphans", "300", "10"))
	r.expect("orphans done")
	if !eventually(func() bool { return len(children(r.pid())) == 1 }) {
		t.Errorf("%d zombies left after 300 orphans", zombieChildren(r.pid()))
	}
	if code := r.finish(); code != 0 {
		t.Errorf("exit %d, want 0; stderr %q", code, r.Stderr())
	}

	// 42 only if goinit forwarded the signal: dying of it would be 143.
	r = start(t, asPID1, command("sh", "-c", `trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done`))
	r.expect("ready")
	r.signal(syscall.SIGTERM)
	if code := r.exitStatus(); code != 42 {
		t.Errorf("exit %d after SIGTERM, want 42 (the command's TERM trap); stderr %q", code, r.Stderr())
	}
}

func TestEveryArchitecturesSignalHandlerPassesCatchsTestsUnderQemu(t *testing.T) {
	// catch's own tests, built for each architecture: the handler's
	// routes (a broken pipe of goinit's own, a real fault, SIGCHLD with a
	// full pipe, queued real-time signals) and the runtime's preemption:
	// a goroutine spinning without function calls on one processor is
	// stopped only if the handler hands the runtime's own SIGURG on. The
	// tests that re-execute the test binary, which qemu cannot without
	// binfmt, and signals 32 and 64, which qemu keeps for itself, are left
	// to the host's run. And package signals' layout of a signal set,
	// which differs between 32- and 64-bit and little- and big-endian
	// ports.
	host, _ := dist.Host()
	for _, a := range dist.Arches {
		if a == host {
			continue // the unit tests run them natively
		}
		t.Run(a.Name, func(t *testing.T) {
			qemu := emulator(t, a)[0]
			catch := buildTestsFor(t, a, "../catch")
			// Killed with SIGKILL when it hangs: it catches SIGTERM.
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			check := exec.CommandContext(ctx, qemu, catch)
			check.Env = append(os.Environ(), "GOINITTEST_CATCH_PREEMPTION_CHECK=1")
			if out, err := check.CombinedOutput(); err != nil {
				t.Errorf("never preempted, or the runtime's SIGURG was reported: %v %s", err, out)
			}
			runTestsUnder(ctx, t, qemu, catch,
				"TestABrokenPipeOfGoinitsOwnIsNotReported",
				"TestEveryQueuedRealtimeSignalIsReported",
				"TestAFaultInGoinitsOwnCodeStillPanics",
				"TestSIGCHLDIsNeverLostEvenWithAFullPipe",
				"TestWaitReturnsNothingAtTheDeadline")
			runTestsUnder(ctx, t, qemu, buildTestsFor(t, a, "../signals"),
				"TestASetUnblocksExactlyTheSignalAddedToIt")
		})
	}
}

// emulator is what runs a program built for a on this machine: nothing
// for the host's architecture, qemu's user-mode emulator (its path) for
// the others.
func emulator(t *testing.T, a dist.Arch) []string {
	t.Helper()
	if host, _ := dist.Host(); a == host {
		return nil
	}
	qemu, err := exec.LookPath(a.Qemu)
	if err != nil {
		testenv.SkipUnlessCI(t, a.Qemu+" is not installed (apt-get install qemu-user-static, or scripts/setup.sh)")
	}
	return []string{qemu}
}

// buildTestsFor builds the test binary of the package at dir for a.
func buildTestsFor(t *testing.T, a dist.Arch, dir string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(dir)+".test")
	build := exec.Command("go", "test", "-c", "-o", bin, dir)
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOARCH="+strings.Split(a.Build, "/")[1], "GOARM=7")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s's tests for %s: %v\n%s", dir, a.Name, err, out)
	}
	return bin
}

// runTestsUnder runs the named tests of the test binary bin under qemu and
// fails unless each of them ran and passed: a renamed test must not leave
// the run passing with nothing run.
func runTestsUnder(ctx context.Context, t *testing.T, qemu, bin string, names ...string) {
	t.Helper()
	run := exec.CommandContext(ctx, qemu, bin, "-test.count=1", "-test.v", "-test.run", "^("+strings.Join(names, "|")+")$")
	run.Dir = t.TempDir()
	out, err := run.CombinedOutput()
	if err != nil {
		t.Errorf("%s under %s: %v\n%s", filepath.Base(bin), qemu, err, out)
	}
	for _, name := range names {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Errorf("%s did not pass under %s:\n%s", name, qemu, out)
		}
	}
}
