package signals

import (
	"syscall"
	"testing"
)

func TestForwardableIsEveryCatchableSignalButSIGCHLD(t *testing.T) {
	in := map[syscall.Signal]bool{}
	for _, s := range Forwardable() {
		in[s] = true
	}
	for _, s := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGPROF, syscall.SIGURG, syscall.SIGTSTP, syscall.SIGSEGV, 32, RTMin, RTMax} {
		if !in[s] {
			t.Errorf("%s is not forwarded", Name(s))
		}
	}
	for _, s := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, 33} {
		if in[s] {
			t.Errorf("%s is forwarded", Name(s))
		}
	}
	if n := len(Forwardable()); n != 60 {
		t.Errorf("%d signals forwarded, want 60 (64 less KILL, STOP, CHLD and 33)", n)
	}
}

func TestSignalNames(t *testing.T) {
	for sig, want := range map[syscall.Signal]string{
		1: "SIGHUP", 15: "SIGTERM", 31: "SIGSYS", 32: "signal 32", 33: "signal 33",
		34: "SIGRTMIN", 35: "SIGRTMIN+1", 39: "SIGRTMIN+5", 63: "SIGRTMIN+29", 64: "SIGRTMAX", 65: "signal 65",
	} {
		if got := Name(sig); got != want {
			t.Errorf("Name(%d) = %q, want %q", sig, got, want)
		}
	}
}
