package child

import (
	"reflect"
	"strings"
	"syscall"
	"testing"
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
		{Error{Command: "./x", Path: "./x", Step: "exec", Errno: syscall.ENOENT, interpreterMissing: true}, 126, `exec "./x": interpreter not found`},
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
	p, err := Start([]string{"sleep", "100"}, []string{"PATH=/usr/bin:/bin"})
	if err != nil {
		t.Fatal(err)
	}
	defer reap(p.Pid)
	defer syscall.Kill(p.Pid, syscall.SIGKILL)
	if pgid, err := syscall.Getpgid(p.Pid); err != nil || pgid != p.Pid {
		t.Errorf("child's group is %d (%v), want its own, %d", pgid, err, p.Pid)
	}
}

func TestStartReportsExecFailureAndTheChildToReap(t *testing.T) {
	_, err := Start([]string{"goinit-test-no-such-command"}, []string{"PATH=/usr/bin:/bin"})
	cerr, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v, want *Error", err)
	}
	if cerr.ExitCode() != 127 || cerr.Pid == 0 {
		t.Errorf("got %+v, want exit code 127 and the pid of the child that tried", cerr)
	}
	if status := reap(cerr.Pid); status.ExitStatus() != 127 {
		t.Errorf("the child that tried exited %v", status)
	}
}

func TestChildGetsExactlyItsArgvAndEnv(t *testing.T) {
	env := []string{"PATH=/usr/bin:/bin", "A=1", "A=2", "B=\xff"}
	p, err := Start([]string{"sh", "-c", `test "$0 $1" = "x y" && test "$A" = 1 -o "$A" = 2`, "x", "y"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if status := reap(p.Pid); status.ExitStatus() != 0 {
		t.Errorf("child saw other arguments or environment: %v", status)
	}
}

func reap(pid int) syscall.WaitStatus {
	var ws syscall.WaitStatus
	for {
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
			return ws
		}
	}
}
