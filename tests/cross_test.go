package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"goinit/tests/internal/testenv"
)

// crossArchitectures are the builds of make cross besides the host's, each
// with the qemu user-mode emulator that runs it. Each has assembly of its
// own (catch's signal handler), which only running it tests.
var crossArchitectures = []struct{ build, goarch, qemu string }{
	{"arm64", "arm64", "qemu-aarch64-static"},
	{"armv7", "arm", "qemu-arm-static"},
	{"ppc64le", "ppc64le", "qemu-ppc64le-static"},
	{"s390x", "s390x", "qemu-s390x-static"},
	{"riscv64", "riscv64", "qemu-riscv64-static"},
}

func TestEveryArchitectureExitsForwardsAndReapsAsPID1(t *testing.T) {
	// Under qemu, as PID 1 of a new PID namespace (the emulator cannot make
	// goinit a subreaper). The command is a host program, which the kernel
	// runs natively. GOINIT_CROSS_DIR holds make cross's binaries.
	requireRoot(t)
	dir := os.Getenv("GOINIT_CROSS_DIR")
	for _, a := range crossArchitectures {
		t.Run(a.build, func(t *testing.T) {
			qemu, err := exec.LookPath(a.qemu)
			if err != nil {
				testenv.SkipUnlessCI(t, a.qemu+" is not installed (apt-get install qemu-user-static, or scripts/setup.sh)")
			}
			bin := filepath.Join(dir, "goinit-linux-"+a.build)
			if _, err := os.Stat(bin); dir == "" || err != nil {
				testenv.SkipUnlessCI(t, "no "+bin+": GOINIT_CROSS_DIR names make cross's output (make integration sets it)")
			}

			r := start(t, asPID1, exec.Command(qemu, bin, "--", "sh", "-c", "exit 7"))
			if code := r.exitStatus(); code != 7 {
				t.Errorf("exit %d, want the command's 7; stderr %q", code, r.Stderr())
			}

			r = start(t, asPID1, exec.Command(qemu, bin, "--", helperBin, "orphans", "300", "10"))
			r.expect("orphans done")
			if !eventually(func() bool { return len(children(r.pid())) == 1 }) {
				t.Errorf("%d zombies left after 300 orphans", zombieChildren(r.pid()))
			}
			if code := r.finish(); code != 0 {
				t.Errorf("exit %d, want 0; stderr %q", code, r.Stderr())
			}

			// 42 only if goinit forwarded the signal: dying of it would be 143.
			r = start(t, asPID1, exec.Command(qemu, bin, "--", "sh", "-c", `trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done`))
			r.expect("ready")
			r.signal(syscall.SIGTERM)
			if code := r.exitStatus(); code != 42 {
				t.Errorf("exit %d after SIGTERM, want 42 (the command's TERM trap); stderr %q", code, r.Stderr())
			}
		})
	}
}

func TestEveryArchitecturesHandlerHandsThePreemptionToTheRuntime(t *testing.T) {
	// catch's own test binary, built for each architecture, spins a
	// goroutine without function calls on one processor until the
	// runtime's preemption signal stops it; a handler that kept that
	// SIGURG from the runtime would spin forever.
	for _, a := range crossArchitectures {
		t.Run(a.build, func(t *testing.T) {
			qemu, err := exec.LookPath(a.qemu)
			if err != nil {
				testenv.SkipUnlessCI(t, a.qemu+" is not installed (apt-get install qemu-user-static, or scripts/setup.sh)")
			}
			bin := filepath.Join(t.TempDir(), "catch.test")
			build := exec.Command("go", "test", "-c", "-o", bin, "../catch")
			build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOARCH="+a.goarch, "GOARM=7")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("building catch's tests for %s: %v\n%s", a.build, err, out)
			}
			// Killed with SIGKILL when it hangs: it catches SIGTERM.
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			check := exec.CommandContext(ctx, qemu, bin)
			check.Env = append(os.Environ(), "GOINIT_CATCH_PREEMPTION_CHECK=1")
			out, err := check.CombinedOutput()
			if err != nil {
				t.Errorf("never preempted, or the runtime's SIGURG was reported: %v %s", err, out)
			}
		})
	}
}
