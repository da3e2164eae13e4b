package diag

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"goinit/catch"
	"goinit/signals"
)

// The test binary catches signals as goinit does, so that a SIGPIPE of
// the logger's own can be told from one somebody sent.
func TestMain(m *testing.M) {
	runtime.LockOSThread()
	if _, err := catch.Start(signals.Forwardable()); err != nil {
		fmt.Fprintln(os.Stderr, "catch.Start:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func loggerTo(f *os.File, verbosity int) *Logger {
	return &Logger{verbosity: verbosity, fd: int(f.Fd()), usable: true}
}

func TestLinesArePrefixedSingleLinesWithinPipeBuf(t *testing.T) {
	got := string(oneLine([]byte("goinit: a\nb\tc\x1b[31m" + strings.Repeat("x", 5000))))
	if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "...\n") || len(got) > maxLine {
		t.Errorf("oneLine gave %d bytes, %d newlines: %q...", len(got), strings.Count(got, "\n"), got[:40])
	}
	if strings.ContainsAny(got[:len(got)-1], "\n\t\x1b") {
		t.Errorf("control characters left in %q", got[:40])
	}
}

func TestVerbosityChoosesWhatIsWritten(t *testing.T) {
	r, w, _ := os.Pipe()
	defer r.Close()
	l := loggerTo(w, 1)
	l.Debugf("debug")
	l.Infof("info %d", 1)
	l.Warnf("careful")
	l.Errorf("bad")
	w.Close()
	l.out.close()
	buf := make([]byte, 1000)
	n, _ := r.Read(buf)
	want := "goinit: info 1\ngoinit: warning: careful\ngoinit: bad\n"
	if string(buf[:n]) != want {
		t.Errorf("got %q, want %q", buf[:n], want)
	}
}

func TestWritingToAFullPipeDropsTheLineAtOnce(t *testing.T) {
	fd := fullPipe(t)
	l := &Logger{fd: fd, usable: true}
	done := make(chan struct{})
	go func() {
		for range 100 {
			l.Errorf("a line nobody reads")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("logging to a full pipe blocked")
	}
	if flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); flags&syscall.O_NONBLOCK != 0 {
		t.Error("the shared descriptor was made non-blocking")
	}
}

func TestWritingToABrokenPipeRaisesNoSIGPIPEForGoinit(t *testing.T) {
	r, w, _ := os.Pipe()
	defer w.Close()
	l := loggerTo(w, 0)
	l.Errorf("opens the pipe while it has a reader")
	r.Close()
	l.Errorf("hits the broken pipe")
	l.Errorf("is dropped")
	// The SIGPIPE of a failed write is handled on the writing thread
	// before write returns, so anything it reported precedes this SIGALRM.
	syscall.Kill(os.Getpid(), syscall.SIGALRM)
	var got []syscall.Signal
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(got, syscall.SIGALRM) && time.Now().Before(deadline) {
		got = catch.Wait(got, deadline)
	}
	if slices.Contains(got, syscall.SIGPIPE) || !slices.Contains(got, syscall.SIGALRM) {
		t.Fatalf("signals reported: %v; want SIGALRM only", got)
	}
	if l.out != nil {
		t.Error("the logger kept writing after the pipe broke")
	}
}

func TestClosedStderrIsNeverWritten(t *testing.T) {
	l := &Logger{fd: 2, usable: false}
	l.Errorf("nowhere")
	if l.out != nil {
		t.Error("a stderr that was not inherited was opened")
	}
}

func TestPollingBeforeWritingNeverBlocksOnAFullPipe(t *testing.T) {
	// The last resort, for a pipe goinit may not reopen on an old kernel.
	fd := fullPipe(t)
	l := &Logger{fd: fd, usable: true, opened: true, out: &output{fd: fd, how: pollThenWrite}}
	done := make(chan struct{})
	go func() {
		l.Errorf("a line nobody reads")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("logging blocked")
	}
}

// fullPipe returns the write end of a pipe that is full and that nobody
// reads, left blocking as a stderr would be.
func fullPipe(t *testing.T) int {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	fd := int(w.Fd())
	syscall.SetNonblock(fd, true)
	for {
		if _, err := syscall.Write(fd, make([]byte, 4096)); err != nil {
			break
		}
	}
	syscall.SetNonblock(fd, false) // the shared description stays blocking
	return fd
}
