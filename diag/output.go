package diag

import (
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
	tty   bool // fd is a terminal
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
	return &output{fd: fd, owned: true, tty: st.Mode&syscall.S_IFMT == syscall.S_IFCHR}
}

// write writes line at once or not at all. It reports false when stderr is
// gone for good (closed, or a pipe without readers).
//
// A broken pipe raises SIGPIPE at goinit; package catch recognises it as
// goinit's own (its siginfo names goinit as the sender) and drops it, so it
// is never forwarded as if someone had sent it.
func (o *output) write(line []byte) bool {
	if o.tty && backgroundWriteStops(o.fd) {
		return true // dropped: writing would raise SIGTTOU and be retried forever
	}
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
	}
	return false
}

// backgroundWriteStops reports whether writing to the terminal fd would
// raise SIGTTOU: goinit's group is not in the foreground (the child has it,
// as under docker run -t) and the terminal has TOSTOP set.
func backgroundWriteStops(fd int) bool {
	var t syscall.Termios
	if ioctl(fd, syscall.TCGETS, unsafe.Pointer(&t)) != nil {
		return false
	}
	var fg int32
	if ioctl(fd, syscall.TIOCGPGRP, unsafe.Pointer(&fg)) != nil {
		return false
	}
	return int(fg) != syscall.Getpgrp() && t.Lflag&syscall.TOSTOP != 0
}

func ioctl(fd int, req uint, arg unsafe.Pointer) error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

func (o *output) close() {
	if o.owned {
		syscall.Close(o.fd)
	}
}

func fcntl(fd, cmd int) (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
