package catch

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
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
// which TestMain keeps. It starts from the default action for every
// signal, whatever its parent ignored (make ignores 32 and 33), except in
// a child run of it that checks something else: the runtime's preemption
// (preemptionCheck), or a signal ignored from the start (ignoredCheck).
func TestMain(m *testing.M) {
	switch {
	case os.Getenv(ignoreAndExec) != "":
		signal.Ignore(syscall.SIGHUP) // SIG_IGN, which exec keeps
		os.Setenv(ignoreAndExec, "")
		syscall.Exec(os.Args[0], os.Args, append(os.Environ(), ignoredCheck+"=1"))
		os.Exit(1)
	case os.Getenv(ignoredCheck) == "":
		for sig := syscall.Signal(1); sig <= signals.RTMax; sig++ {
			if act, err := getAction(sig); err == nil && act.handler == sigIGN {
				act.handler = sigDFL
				setAction(sig, &act)
			}
		}
	}
	runtime.LockOSThread()
	report, err := Start(signals.Forwardable())
	if err != nil {
		fmt.Fprintln(os.Stderr, "catch.Start:", err)
		os.Exit(1)
	}
	switch {
	case os.Getenv(preemptionCheck) != "":
		os.Exit(spinUntilPreempted())
	case os.Getenv(ignoredCheck) != "":
		os.Exit(hupStaysIgnored(report))
	}
	os.Exit(m.Run())
}

// Variables that make the test binary a child run of itself.
const (
	ignoreAndExec = "GOINITTEST_CATCH_IGNORE_HUP_AND_EXEC"
	ignoredCheck  = "GOINITTEST_CATCH_IGNORED_CHECK"
)

func TestASignalIgnoredAtStartStaysIgnoredAndIsNotReported(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), ignoreAndExec+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("SIGHUP, ignored when catching started, was caught or reported: %v %s", err, out)
	}
}

// hupStaysIgnored returns 0 when SIGHUP, ignored when catching started, is
// named in the report, still ignored, and not reported when sent.
func hupStaysIgnored(report Report) int {
	if !slices.Contains(report.LeftIgnored, syscall.SIGHUP) {
		fmt.Println("SIGHUP is not in LeftIgnored:", report.LeftIgnored)
		return 3
	}
	if act, err := getAction(syscall.SIGHUP); err != nil || act.handler != sigIGN {
		fmt.Println("SIGHUP is no longer ignored")
		return 4
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1) // reported after any SIGHUP
	var got []syscall.Signal
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(got, syscall.SIGUSR1) && time.Now().Before(deadline) {
		got = Wait(got, deadline)
	}
	if slices.Contains(got, syscall.SIGHUP) || !slices.Contains(got, syscall.SIGUSR1) {
		fmt.Println("reported:", got)
		return 5
	}
	return 0
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
const preemptionCheck = "GOINITTEST_CATCH_PREEMPTION_CHECK"

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
