package catch

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"goinit/signals"
)

// The test binary catches signals as goinit does, on its main thread,
// which TestMain keeps. In a child run of it (preemptionCheck set) it
// checks the runtime's preemption instead.
func TestMain(m *testing.M) {
	runtime.LockOSThread()
	if _, err := Start(signals.Forwardable()); err != nil {
		fmt.Fprintln(os.Stderr, "catch.Start:", err)
		os.Exit(1)
	}
	if os.Getenv(preemptionCheck) != "" {
		os.Exit(spinUntilPreempted())
	}
	os.Exit(m.Run())
}

// waitFor collects signals until want has arrived (others are kept too)
// or the hang guard passes.
func waitFor(t *testing.T, want syscall.Signal) []syscall.Signal {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var got []syscall.Signal
	for !slices.Contains(got, want) {
		if time.Now().After(deadline) {
			t.Fatalf("%v never arrived; got %v", want, got)
		}
		got = Wait(got, deadline)
	}
	return got
}

func TestEveryForwardableSignalIsReported(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGPROF, syscall.SIGTSTP,
		syscall.SIGTTOU, syscall.SIGCONT, syscall.SIGPIPE, syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGURG, 32, 34, 64} {
		sendFromOutside(t, sig)
		waitFor(t, sig)
	}
}

// sendFromOutside has another process send sig to this one, as users do.
func sendFromOutside(t *testing.T, sig syscall.Signal) {
	t.Helper()
	cmd := exec.Command("kill", "-"+strconv.Itoa(int(sig)), strconv.Itoa(os.Getpid()))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kill -%d: %v %s", sig, err, out)
	}
}

func TestABrokenPipeOfGoinitsOwnIsNotReported(t *testing.T) {
	r, w, _ := os.Pipe()
	r.Close()
	syscall.Write(int(w.Fd()), []byte("x")) // EPIPE, and SIGPIPE from ourselves
	w.Close()
	syscall.Kill(os.Getpid(), syscall.SIGALRM) // handled after that SIGPIPE
	if got := waitFor(t, syscall.SIGALRM); slices.Contains(got, syscall.SIGPIPE) {
		t.Errorf("goinit's own SIGPIPE was reported: %v", got)
	}
}

func TestEveryQueuedRealtimeSignalIsReported(t *testing.T) {
	const n = 500
	sig := syscall.Signal(40)
	for i := 0; i < n; i++ {
		// rt_sigqueueinfo: queued, unlike kill, even while one is pending.
		var info [128]byte
		*(*int32)(unsafe.Pointer(&info[0])) = int32(sig)
		*(*int32)(unsafe.Pointer(&info[8])) = -1 // SI_QUEUE
		*(*int32)(unsafe.Pointer(&info[16])) = int32(os.Getpid())
		if _, _, errno := syscall.RawSyscall(syscall.SYS_RT_SIGQUEUEINFO, uintptr(os.Getpid()), uintptr(sig), uintptr(unsafe.Pointer(&info[0]))); errno != 0 {
			t.Fatal(errno)
		}
	}
	count := 0
	deadline := time.Now().Add(10 * time.Second)
	var got []syscall.Signal
	for count < n && time.Now().Before(deadline) {
		got = Wait(got[:0], deadline)
		for _, s := range got {
			if s == sig {
				count++
			}
		}
	}
	if count != n {
		t.Errorf("%d of %d queued signals reported", count, n)
	}
}

func TestAFaultInGoinitsOwnCodeStillPanics(t *testing.T) {
	// A real nil dereference is the runtime's business: it must become a
	// panic, not a reported SIGSEGV (which would fault again forever).
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	var p *int
	_ = *p
}

// preemptionCheck names the variable that makes the test binary run
// spinUntilPreempted.
const preemptionCheck = "GOINIT_CATCH_PREEMPTION_CHECK"

func TestTheRuntimesPreemptionReachesTheRuntimeAndIsNotReported(t *testing.T) {
	// Killed with SIGKILL when it hangs: it catches SIGTERM.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), preemptionCheck+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("a goroutine spinning without function calls was never preempted, or SIGURG was reported: %v; %s", err, out)
	}
	sendFromOutside(t, syscall.SIGURG)
	waitFor(t, syscall.SIGURG) // one somebody sent is reported
}

// spinUntilPreempted returns 0 when the runtime preempted a goroutine
// that spins without function calls on the only processor, which takes
// the runtime's own SIGURG reaching the runtime; 3 when that SIGURG was
// reported as received.
func spinUntilPreempted() int {
	runtime.GOMAXPROCS(1)
	var stop atomic.Bool
	done := make(chan bool)
	go func() {
		for !stop.Load() {
		}
		close(done)
	}()
	time.Sleep(50 * time.Millisecond) // needs the processor back
	stop.Store(true)
	<-done
	if got := Wait(nil, time.Now()); slices.Contains(got, syscall.SIGURG) {
		return 3
	}
	return 0
}

func TestSIGCHLDIsNeverLostEvenWithAFullPipe(t *testing.T) {
	fill := make([]byte, 4096)
	for {
		if _, err := syscall.Write(int(pipeWrite), fill); err != nil {
			break
		}
	}
	pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	got := waitFor(t, syscall.SIGCHLD)
	n := 0
	for _, s := range got {
		if s == syscall.SIGCHLD {
			n++
		}
	}
	if n != 1 {
		t.Errorf("SIGCHLD reported %d times in one Wait, want once", n)
	}
}

func TestWaitReturnsNothingAtTheDeadline(t *testing.T) {
	Wait(nil, time.Now()) // take anything earlier tests left
	start := time.Now()
	if got := Wait(nil, start.Add(20*time.Millisecond)); len(got) != 0 {
		t.Errorf("got %v with no signal sent", got)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Error("returned before the deadline")
	}
}
