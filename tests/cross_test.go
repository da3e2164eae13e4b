package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// crossArchitectures are the builds of make cross besides the host's, each
// with the qemu user-mode emulator that runs it. Each has assembly of its
// own (catch's signal handler, child's vfork), which only running it tests.
var crossArchitectures = []struct{ build, qemu string }{
	{"arm64", "qemu-aarch64-static"},
	{"armv7", "qemu-arm-static"},
	{"ppc64le", "qemu-ppc64le-static"},
	{"s390x", "qemu-s390x-static"},
	{"riscv64", "qemu-riscv64-static"},
}

func TestEveryArchitectureExitsForwardsAndReapsAsPID1(t *testing.T) {
	// Under qemu, as PID 1 of a new PID namespace (the emulator cannot make
	// goinit a subreaper). The command is a host program, which the kernel
	// runs natively. GOINIT_CROSS_DIR holds make cross's binaries.
	requireRoot(t)
	dir := os.Getenv("GOINIT_CROSS_DIR")
	for _, a := range crossArchitectures {
		t.Run(a.build, func(t *testing.T) {
			bin := filepath.Join(dir, "goinit-linux-"+a.build)
			qemu, err := exec.LookPath(a.qemu)
			if _, serr := os.Stat(bin); dir == "" || serr != nil || err != nil {
				requireCross(t, a.qemu, bin)
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

// requireCross skips a test whose emulator or cross-built binary is
// missing, except in CI, which installs the one (scripts/setup.sh) and
// builds the other (make integration runs make cross).
func requireCross(t *testing.T, qemu, bin string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s or %s is missing: scripts/setup.sh installs qemu-user-static, make integration builds make cross", qemu, bin)
	}
	t.Skipf("needs %s (apt-get install qemu-user-static) and %s (make cross)", qemu, bin)
}
