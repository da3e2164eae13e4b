package tests

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestClosedStdioChangesNothing(t *testing.T) {
	// tini exits 1 when stdin is closed; goinit must run the command and
	// exit with its status, also while logging at -vv to a closed stderr.
	inEachMode(t, func(t *testing.T, m mode) {
		for _, redirect := range []string{"<&-", ">&-", "2>&-", "<&- >&- 2>&-"} {
			script := `exec "$0" -vv -- sh -c 'exit 3' ` + redirect
			cmd := exec.Command("sh", "-c", script, goinitBin)
			r := start(t, m, cmd)
			if code := r.exitStatus(); code != 3 {
				t.Errorf("with %s: goinit exited %d, want 3; stderr %q", redirect, code, r.Stderr())
			}
		}
	})
}

func TestStdinFromDevNullChangesNothing(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		cmd := exec.Command(goinitBin, "--", "sh", "-c", "cat; exit 4")
		cmd.Stdin = nil // /dev/null
		cmd.Stdout, cmd.Stderr = nil, nil
		if m.pid1 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
		}
		err := cmd.Run()
		if code := exitCodeOf(err); code != 4 {
			t.Errorf("goinit exited %d (%v), want 4", code, err)
		}
	})
}

func TestLoggingToAFullPipeNeverBlocksGoinit(t *testing.T) {
	// stderr is a pipe that is full and that nobody reads; goinit logs a
	// line per reaped orphan (-vv) and must still finish promptly.
	inEachMode(t, func(t *testing.T, m mode) {
		full := fullPipe(t)
		cmd := exec.Command(goinitBin, "-vv", "--", helperBin, "orphans", "2000")
		r := startWithStderr(t, m, cmd, full)
		r.expect("orphans done")
		if !eventually(func() bool { return len(children(r.pid())) == 1 }) {
			t.Fatalf("goinit stopped reaping: %d children left", len(children(r.pid())))
		}
		if code := r.finish(); code != 0 {
			t.Errorf("goinit exited %d, want 0", code)
		}
	})
}

func TestLoggingToABrokenPipeNeitherKillsGoinitNorSignalsTheChild(t *testing.T) {
	// Writing to a pipe without readers raises SIGPIPE; goinit must not die
	// of it and must not forward a SIGPIPE that nobody sent. The reader of
	// goinit's stderr goes away after the first line; only then does the
	// child make orphans, whose reaping goinit logs at -vv.
	inEachMode(t, func(t *testing.T, m mode) {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pw.Close()
		script := "read go; " + helperBin + " orphans 50 </dev/null & exec " + helperBin + " signals"
		r := startWithStderr(t, m, exec.Command(goinitBin, "-vv", "--", "sh", "-c", script), pw)
		first, err := bufio.NewReader(pr).ReadString('\n')
		if !strings.Contains(first, "started") {
			t.Fatalf("first line of stderr %q, %v", first, err)
		}
		pr.Close()
		io.WriteString(r.stdin, "go\n")
		r.expectAll("child ready", "orphans done")
		if !eventually(func() bool { return len(children(r.pid())) == 1 }) {
			t.Fatalf("orphans not reaped")
		}
		if code := r.finish(); code != 0 {
			t.Errorf("goinit exited %d, want 0", code)
		}
		for _, line := range r.seen {
			if strings.Contains(line, " got ") {
				t.Errorf("the child received a signal nobody sent: %q", line)
			}
		}
	})
}

// fullPipe returns the write end of a pipe that is full; its read end stays
// open and unread until the test ends.
func fullPipe(t *testing.T) *os.File {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pr.Close(); pw.Close() })
	fd := int(pw.Fd()) // Fd makes the descriptor blocking; call it once
	if err := syscall.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := syscall.Write(fd, chunk); err != nil {
			break
		}
	}
	// Hand goinit a blocking description, as a real full pipe would be.
	blocking, err := os.OpenFile("/proc/self/fd/"+strconv.Itoa(fd), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blocking.Close() })
	return blocking
}

// startWithStderr starts cmd with stderr going to f; goinit's own stderr
// is then not collected.
func startWithStderr(t *testing.T, m mode, cmd *exec.Cmd, f *os.File) *running {
	t.Helper()
	cmd.Stderr = f
	return start(t, m, cmd)
}

func exitCodeOf(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
	return -1
}
