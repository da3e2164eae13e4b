package container

import (
	"os/exec"
	"testing"
)

func TestContainerExitsWithTheCommandsExitCode(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		if r := m.run(t, nil, nil, "sh", "-c", "exit 3"); r.code != 3 {
			t.Errorf("the container exited %d, want the command's 3; stderr %q", r.code, r.stderr)
		}
	})
}

func TestCommandKilledBySIGTERMGivesExitCode143(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		if r := m.run(t, nil, nil, "sh", "-c", "kill -TERM $$"); r.code != 143 {
			t.Errorf("the container exited %d, want 143 (128+SIGTERM); stderr %q", r.code, r.stderr)
		}
	})
}

func TestKillGivesExitCode137(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		dir, out := outDir(t)
		c := m.start(t, out, "sh", "-c", "touch /out/ready; exec sleep 1000")
		waitForFile(t, dir, "ready")
		c.kill("KILL")
		if code := c.wait(); code != 137 {
			t.Errorf("the container exited %d after kill, want 137 (128+SIGKILL)", code)
		}
	})
}

func TestCommandIsTheChildOfPID1AndPID1IsGoinit(t *testing.T) {
	want := "ppid=1\n" + goinitVersion(t)
	inEachMode(t, func(t *testing.T, m mode) {
		r := m.run(t, nil, nil, "sh", "-c", `echo "ppid=$PPID"; /proc/1/exe --version`)
		if r.code != 0 || r.stdout != want {
			t.Errorf("the command printed %q (exit %d), want %q; stderr %q", r.stdout, r.code, want, r.stderr)
		}
	})
}

// goinitVersion is what the goinit under test prints for --version.
func goinitVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(goinitBin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", goinitBin, err)
	}
	return string(out)
}
