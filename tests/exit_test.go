package tests

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

func TestGoinitExitsWithTheCommandsExitCode(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		for _, code := range []int{0, 1, 2, 42, 126, 127, 128, 143, 255} {
			r := startGoinit(t, m, "--", "sh", "-c", fmt.Sprintf("exit %d", code))
			if got := r.exitStatus(); got != code {
				t.Errorf("command exited %d: goinit exited %d; stderr %q", code, got, r.Stderr())
			}
		}
	})
}

func TestCommandKilledBySignalNGives128PlusN(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSEGV, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1} {
			r := startGoinit(t, m, "--", "sh", "-c", fmt.Sprintf("kill -%d $$", int(sig)))
			if got, want := r.exitStatus(), 128+int(sig); got != want {
				t.Errorf("command killed by signal %d: goinit exited %d, want %d; stderr %q", sig, got, want, r.Stderr())
			}
		}
	})
}

func TestCommandThatCannotBeStartedGivesShellCodes(t *testing.T) {
	dir := t.TempDir()
	notExec := writeFile(t, dir, "plain", "echo hi\n", 0o644)
	missingInterp := writeFile(t, dir, "missing-interp", "#!/nonexistent/interpreter\necho hi\n", 0o755)
	cases := []struct {
		name    string
		command string
		code    int
		message string
	}{
		{"not in PATH", "goinit-no-such-command", 127, `exec "goinit-no-such-command": not found`},
		{"no such path", dir + "/missing", 127, "not found"},
		{"not executable", notExec, 126, "permission denied"},
		{"a directory", dir, 126, "permission denied"},
		{"an empty name", "", 127, `exec "": not found`},
		{"missing interpreter", missingInterp, 127, `interpreter "/nonexistent/interpreter" not found`},
	}
	inEachMode(t, func(t *testing.T, m mode) {
		for _, c := range cases {
			r := startGoinit(t, m, "--", c.command)
			code := r.exitStatus()
			stderr := r.Stderr()
			if code != c.code || !strings.Contains(stderr, c.message) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s: goinit exited %d with stderr %q; want %d and one line containing %q", c.name, code, stderr, c.code, c.message)
			}
		}
	})
}

func TestScriptWithoutHashBangRunsThroughTheShell(t *testing.T) {
	script := writeFile(t, t.TempDir(), "start.sh", "echo \"hello $1\"; exit 3\n", 0o755)
	inEachMode(t, func(t *testing.T, m mode) {
		r := startGoinit(t, m, "--", script, "world")
		r.expect("hello world")
		if code := r.exitStatus(); code != 3 {
			t.Errorf("goinit exited %d, want the script's 3; stderr %q", code, r.Stderr())
		}
	})
}
