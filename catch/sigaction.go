package catch

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Dispositions as the kernel spells them.
const (
	sigDFL = 0
	sigIGN = 1
)

// action is the kernel's struct sigaction as rt_sigaction(2) takes it,
// large enough on every port goinit builds for; the handler comes first
// on all of them. x/sys/unix has no wrapper for rt_sigaction.
type action struct {
	handler uintptr
	rest    [3]uint64 // flags, restorer and mask, laid out by the port
}

// sigsetSize is the size of the kernel's sigset, for rt_sigaction.
const sigsetSize = 8

func getAction(sig syscall.Signal) (action, error) {
	var act action
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&act)), sigsetSize, 0, 0)
	if errno != 0 {
		return act, errno
	}
	return act, nil
}

func setAction(sig syscall.Signal, act *action) error {
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)), 0, sigsetSize, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
