package diag

import (
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// output is goinit's own way of writing to stderr without blocking.
//
// O_NONBLOCK cannot simply be set on fd 2: the flag belongs to the open file
// description, which the child shares, and the child would start seeing
// EAGAIN. Instead a pipe, FIFO or terminal is reopened through /proc, which
// gives goinit a description of its own; a socket is written with
// MSG_DONTWAIT; a regular file never blocks and is written as it is.
type output struct {
	fd    int
	owned bool // fd is goinit's own description, to close when done
	send  bool // fd is a socket
}

func openOutput(target int) *output {
	var st syscall.Stat_t
	if syscall.Fstat(target, &st) != nil {
		return nil
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return &output{fd: target}
	case syscall.S_IFSOCK:
		return &output{fd: target, send: true}
	}
	fd, err := syscall.Open("/proc/self/fd/"+strconv.Itoa(target), syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	if err != nil {
		// ENXIO: a FIFO with no reader left, so nothing would be read.
		// Anything else (no /proc): writing could block, so stay quiet.
		return nil
	}
	return &output{fd: fd, owned: true}
}

// write writes line at once or not at all. It reports false when stderr is
// gone for good (closed, or a pipe without readers).
//
// The write runs with SIGPIPE and SIGTTOU blocked on its thread: a broken
// pipe then leaves its SIGPIPE pending on this thread, where it is taken
// back before unblocking, instead of reaching goinit's signal handling as
// if someone had sent it; and a background write to a terminal with TOSTOP
// set is let through instead of raising SIGTTOU.
func (o *output) write(line []byte) bool {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old := blockOnThread(1<<(syscall.SIGPIPE-1) | 1<<(syscall.SIGTTOU-1))
	defer setThreadMask(old)

	var errno syscall.Errno
	if o.send {
		_, _, errno = syscall.Syscall6(syscall.SYS_SENDTO, uintptr(o.fd), uintptr(unsafe.Pointer(&line[0])), uintptr(len(line)),
			syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, 0, 0)
	} else {
		_, _, errno = syscall.Syscall(syscall.SYS_WRITE, uintptr(o.fd), uintptr(unsafe.Pointer(&line[0])), uintptr(len(line)))
	}
	switch errno {
	case 0, syscall.EAGAIN, syscall.EINTR:
		return true // written, or dropped because it could not be written now
	case syscall.EPIPE:
		discardPendingSIGPIPE()
	}
	return false
}

func (o *output) close() {
	if o.owned {
		syscall.Close(o.fd)
	}
}

const (
	sigBlock   = 0
	sigSetmask = 2
)

func blockOnThread(set uint64) (old uint64) {
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, sigBlock, uintptr(unsafe.Pointer(&set)), uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	return old
}

func setThreadMask(mask uint64) {
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, sigSetmask, uintptr(unsafe.Pointer(&mask)), 0, 8, 0, 0)
}

// discardPendingSIGPIPE takes the SIGPIPE that a failed write just queued
// for this thread, without waiting.
func discardPendingSIGPIPE() {
	set := uint64(1 << (syscall.SIGPIPE - 1))
	var zero syscall.Timespec
	syscall.RawSyscall6(syscall.SYS_RT_SIGTIMEDWAIT, uintptr(unsafe.Pointer(&set)), 0, uintptr(unsafe.Pointer(&zero)), 8, 0, 0)
}

func fcntl(fd, cmd int) (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
