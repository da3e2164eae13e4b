// Package reaper collects goinit's exited children: its own child and every
// orphan the kernel re-parents to it.
//
// It is the only code in goinit that waits for children, and the caller must
// keep it so (no os/exec Wait, no other wait4): two waiters would steal each
// other's exits, and the main child's status could be lost. Reap collects
// with wait4(-1, WNOHANG) until nothing more has exited, because one SIGCHLD
// may stand for any number of exits; it never blocks. The caller calls Reap
// after every SIGCHLD (package catch reports them).
//
// A pid is reported once, when it is collected; after that it may be reused
// by an unrelated process, and the caller must not signal it.
package reaper

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BecomeSubreaper asks the kernel to re-parent goinit's orphaned
// descendants to goinit instead of to PID 1 of the namespace.
func BecomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// Reap collects every child that has exited so far and calls collected for
// each with its wait status. A child that has stopped (status.Stopped()) is
// reported too, once per stop, and not collected. Reap returns when none is
// left to report, and reports whether goinit still has children, that is,
// whether any of its descendants is still alive (an orphan is re-parented
// to goinit, so the last descendant to go is always one of goinit's
// children).
func Reap(collected func(pid int, status syscall.WaitStatus)) (childrenLeft bool) {
	for {
		var status syscall.WaitStatus
		pid, err := wait4NoHang(&status)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.ECHILD:
			return false
		case err != nil || pid <= 0: // 0: children left, none exited
			return true
		}
		collected(pid, status)
	}
}

// ExitCode is the shell's encoding of a wait status: the exit code, or
// 128+N for a process killed by signal N.
func ExitCode(status syscall.WaitStatus) int {
	if status.Signaled() {
		return 128 + int(status.Signal())
	}
	return status.ExitStatus()
}

// wait4NoHang is wait4(-1, status, WNOHANG|WUNTRACED) as a raw system
// call: with WNOHANG it never blocks, and a call announced to the Go
// runtime as one that may (syscall.Wait4) wakes its monitor thread, once
// per exit reaped.
func wait4NoHang(status *syscall.WaitStatus) (int, error) {
	r, _, errno := syscall.RawSyscall6(syscall.SYS_WAIT4, ^uintptr(0), uintptr(unsafe.Pointer(status)),
		syscall.WNOHANG|syscall.WUNTRACED, 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
