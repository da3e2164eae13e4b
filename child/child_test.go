package child

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCandidatesAreWhatExecvpWouldTry(t *testing.T) {
	cases := []struct {
		name, path string
		want       []string
	}{
		{"sh", "/usr/bin:/bin", []string{"/usr/bin/sh", "/bin/sh"}},
		{"sh", "/a::/b:", []string{"/a/sh", "./sh", "/b/sh", "./sh"}},
		{"./x", "/bin", []string{"./x"}},
		{"/bin/sh", "/nowhere", []string{"/bin/sh"}},
		{"sh", "", strings.Split("/usr/local/sbin/sh:/usr/local/bin/sh:/usr/sbin/sh:/usr/bin/sh:/sbin/sh:/bin/sh", ":")},
	}
	for _, c := range cases {
		if got := candidates(c.name, c.path); !reflect.DeepEqual(got, c.want) {
			t.Errorf("candidates(%q, %q) = %q, want %q", c.name, c.path, got, c.want)
		}
	}
}

func TestErrorsNameTheCommandAndGiveShellCodes(t *testing.T) {
	cases := []struct {
		err  Error
		code int
		msg  string
	}{
		{Error{Command: "foo", Path: "/bin/foo", Step: "exec", Errno: syscall.ENOENT}, 127, `exec "foo": not found`},
		{Error{Command: "./x", Path: "./x", Step: "exec", Errno: syscall.ENOENT, Interpreter: "/no/sh"}, 127, `exec "./x": interpreter "/no/sh" not found`},
		{Error{Command: "x", Path: "/bin/x", Step: "exec", Errno: syscall.EACCES}, 126, `exec "/bin/x": permission denied`},
		{Error{Command: "x", Path: "/bin/x", Step: "exec", Errno: syscall.ENOEXEC}, 126, `exec "/bin/x": exec format error`},
		{Error{Command: "x", Path: "/bin/x", Step: "exec", Errno: syscall.E2BIG}, 1, `exec "/bin/x": argument list too long`},
		{Error{Command: "x", Step: "fork", Errno: syscall.EAGAIN}, 1, `cannot start "x": fork: resource temporarily unavailable`},
		{Error{Command: "x\n", Path: "x\n", Step: "exec", Errno: syscall.ENOENT}, 127, `exec "x\n": not found`},
	}
	for _, c := range cases {
		if got := c.err.ExitCode(); got != c.code {
			t.Errorf("%v: exit code %d, want %d", &c.err, got, c.code)
		}
		if got := c.err.Error(); !strings.HasPrefix(got, c.msg) || strings.Contains(got, "\n") {
			t.Errorf("message %q, want one line starting %q", got, c.msg)
		}
	}
}

func TestStartedChildLeadsItsOwnGroup(t *testing.T) {
	p, err := Start([]string{"sleep", "100"}, []string{"PATH=/usr/bin:/bin"}, currentMask(t))
	if err != nil {
		t.Fatal(err)
	}
	defer reap(p.Pid)
	defer syscall.Kill(p.Pid, syscall.SIGKILL)
	if pgid, err := syscall.Getpgid(p.Pid); err != nil || pgid != p.Pid {
		t.Errorf("child's group is %d (%v), want its own, %d", pgid, err, p.Pid)
	}
}

func TestExecFailuresAreReportedAsExecvpWouldReportThem(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noInterp := write("no-interp", "#!/goinit-test/no/such/sh\n", 0o755)
	notExec := write("not-exec", "#!/bin/sh\n", 0o644)
	cases := []struct {
		argv []string
		path string
		code int
		msg  string
	}{
		{[]string{"goinit-test-no-such-command"}, "/usr/bin:/bin", 127, `exec "goinit-test-no-such-command": not found`},
		{[]string{""}, "/usr/bin:/bin", 127, `exec "": not found`},
		{[]string{noInterp}, "", 127, `interpreter "/goinit-test/no/such/sh" not found`},
		{[]string{notExec}, "", 126, `permission denied`},
		{[]string{"not-exec"}, dir + ":/nowhere", 126, `exec "` + notExec + `": permission denied`},
		{[]string{dir}, "", 126, `permission denied`},
	}
	for _, c := range cases {
		_, err := Start(c.argv, []string{"PATH=" + c.path}, currentMask(t))
		cerr, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: error %v, want *Error", c.argv, err)
			continue
		}
		if cerr.ExitCode() != c.code || !strings.Contains(cerr.Error(), c.msg) {
			t.Errorf("%q: exit code %d, %q; want %d and a message containing %q", c.argv, cerr.ExitCode(), cerr.Error(), c.code, c.msg)
		}
	}
}

func TestAFileWithoutHashBangRunsThroughTheShell(t *testing.T) {
	script := filepath.Join(t.TempDir(), "start")
	if err := os.WriteFile(script, []byte("exit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Start([]string{script, "a"}, []string{"PATH=/usr/bin:/bin"}, currentMask(t))
	if err != nil {
		t.Fatal(err)
	}
	if status := reap(p.Pid); status.ExitStatus() != 7 {
		t.Errorf("the script exited %v, want 7", status)
	}
}

func TestASearchGoesPastADirectoryWhereTheFileIsNotExecutable(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(first, "cmd"), []byte("exit 1\n"), 0o644)
	os.WriteFile(filepath.Join(second, "cmd"), []byte("exit 5\n"), 0o755)
	p, err := Start([]string{"cmd"}, []string{"PATH=" + first + ":" + second}, currentMask(t))
	if err != nil {
		t.Fatal(err)
	}
	if status := reap(p.Pid); status.ExitStatus() != 5 {
		t.Errorf("exit %v, want the second directory's command (5)", status)
	}
}

func TestChildGetsExactlyItsArgvAndEnv(t *testing.T) {
	env := []string{"PATH=/usr/bin:/bin", "A=1", "A=2", "B=\xff"}
	p, err := Start([]string{"sh", "-c", `test "$0 $1" = "x y" && test "$A" = 1 -o "$A" = 2`, "x", "y"}, env, currentMask(t))
	if err != nil {
		t.Fatal(err)
	}
	if status := reap(p.Pid); status.ExitStatus() != 0 {
		t.Errorf("child saw other arguments or environment: %v", status)
	}
}

func currentMask(t *testing.T) *unix.Sigset_t {
	t.Helper()
	var mask unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, nil, &mask); err != nil {
		t.Fatal(err)
	}
	return &mask
}

func reap(pid int) syscall.WaitStatus {
	var ws syscall.WaitStatus
	for {
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
			return ws
		}
	}
}

func TestMain(m *testing.M) {
	// The test binary plays goinit's binary in the exec step.
	if IsExecStep(os.Args) {
		os.Exit(ExecStep(os.Args))
	}
	os.Exit(m.Run())
}

func TestStartReturnsOnlyOnceTheExecStepRunsTheCommand(t *testing.T) {
	// LISTEN_PID naming this process makes Start go through the exec
	// step, which is this test binary: the child must already be sleep
	// when Start returns, so that nothing forwarded meets the step.
	env := []string{"PATH=/usr/bin:/bin", "LISTEN_PID=" + strconv.Itoa(os.Getpid()), "LISTEN_FDS=0"}
	p, err := Start([]string{"sleep", "100"}, env, currentMask(t))
	if err != nil {
		t.Fatal(err)
	}
	defer reap(p.Pid)
	defer syscall.Kill(p.Pid, syscall.SIGKILL)
	if exe, err := os.Readlink("/proc/" + strconv.Itoa(p.Pid) + "/exe"); err != nil || filepath.Base(exe) != "sleep" {
		t.Errorf("when Start returned the child ran %q (%v), not sleep", exe, err)
	}
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/environ")
	if want := "LISTEN_PID=" + strconv.Itoa(p.Pid) + "\x00"; !strings.Contains(string(b), want) {
		t.Errorf("the command's environment %q has no %q", b, want)
	}
}
