package signals

import (
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel's own reading of a set: the thread's mask, blocked and read
// back through rt_sigprocmask with a 64-bit word, which has the kernel's
// layout of the first 64 signals on every port (one unsigned long on a
// 64-bit one, two little-endian ones on 32-bit ARM).
func TestASetUnblocksExactlyTheSignalAddedToIt(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var saved uint64
	rawSigprocmask(t, unix.SIG_SETMASK, nil, &saved)
	defer rawSigprocmask(t, unix.SIG_SETMASK, &saved, nil)
	for sig := syscall.Signal(1); sig <= RTMax; sig++ {
		if !Catchable(sig) {
			continue
		}
		// Block all the kernel lets this thread block (never KILL and
		// STOP; qemu's user mode keeps two signals of its own as well).
		all, blocked := ^uint64(0), uint64(0)
		rawSigprocmask(t, unix.SIG_SETMASK, &all, &blocked)
		rawSigprocmask(t, unix.SIG_SETMASK, nil, &blocked)
		var set unix.Sigset_t
		AddTo(&set, sig)
		if err := unix.PthreadSigmask(unix.SIG_UNBLOCK, &set, nil); err != nil {
			t.Fatal(err)
		}
		var now uint64
		rawSigprocmask(t, unix.SIG_SETMASK, nil, &now)
		rawSigprocmask(t, unix.SIG_SETMASK, &saved, nil)
		bit := uint64(1) << (sig - 1)
		if blocked&bit == 0 {
			continue // one of qemu's
		}
		if unblocked := blocked &^ now; unblocked != bit {
			t.Errorf("%s: the set unblocked %#x, want only bit %d (%#x)", Name(sig), unblocked, sig-1, bit)
		}
	}
}

func rawSigprocmask(t *testing.T, how int, set, old *uint64) {
	t.Helper()
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, uintptr(how),
		uintptr(unsafe.Pointer(set)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if errno != 0 {
		t.Fatal(errno)
	}
}
