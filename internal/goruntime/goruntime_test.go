package goruntime

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// The signals the parent hands over ignored and blocked: ones the Go runtime
// takes over at start (USR2, PIPE, TERM), one it leaves alone until
// os/signal asks (TTOU) and one it respects (HUP).
var (
	handedIgnored = []syscall.Signal{syscall.SIGHUP, syscall.SIGUSR2, syscall.SIGPIPE, syscall.SIGTTOU} // in number order
	handedBlocked = []syscall.Signal{syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT}
)

func TestRuntimeStateMatchesWhatTheParentHandedOver(t *testing.T) {
	if os.Getenv("GORUNTIME_TEST_REPORT") == "1" {
		return // this is the child; see TestMain
	}
	// Hand this test binary, re-executed, some ignored and blocked signals.
	for _, s := range handedIgnored {
		signal.Ignore(s)
	}
	defer func() {
		for _, s := range handedIgnored {
			signal.Reset(s)
		}
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	set := maskOf(handedBlocked)
	var old uint64
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 0, uintptr(unsafe.Pointer(&set)), uintptr(unsafe.Pointer(&old)), SigsetSize, 0, 0)
	cmd := exec.Command(os.Args[0], "-test.run=TestRuntimeStateMatchesWhatTheParentHandedOver")
	cmd.Env = append(os.Environ(), "GORUNTIME_TEST_REPORT=1")
	out, err := cmd.CombinedOutput()
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 2, uintptr(unsafe.Pointer(&old)), 0, SigsetSize, 0, 0)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := fmt.Sprintf("ignored=%v mask=%#x", handedIgnored, maskOf(handedBlocked))
	if !strings.Contains(string(out), want) {
		t.Errorf("the runtime recorded %q, want %q", out, want)
	}
}

func TestMain(m *testing.M) {
	if os.Getenv("GORUNTIME_TEST_REPORT") == "1" {
		// Catch everything first, as goinit does, then report.
		signal.Notify(make(chan os.Signal, 1), syscall.SIGUSR2, syscall.SIGPIPE, syscall.SIGHUP, syscall.SIGTTOU, syscall.SIGQUIT)
		var ignored []syscall.Signal
		for sig := 1; sig <= NumSignals; sig++ {
			// 32 and 33 belong to the C library when cgo is on, as it
			// is in -race test binaries; goinit itself never uses cgo.
			if sig != 9 && sig != 19 && sig != 32 && sig != 33 && InheritedIgnored(sig) {
				ignored = append(ignored, syscall.Signal(sig))
			}
		}
		fmt.Printf("ignored=%v mask=%#x\n", ignored, InheritedMask())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func maskOf(sigs []syscall.Signal) uint64 {
	var m uint64
	for _, s := range sigs {
		m |= 1 << (uint(s) - 1)
	}
	return m
}

func TestEnvironIsTheRawEnvironment(t *testing.T) {
	if got, want := len(Environ()), len(os.Environ()); got < want {
		t.Errorf("Environ has %d entries, os.Environ %d", got, want)
	}
}
