package diag

import (
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// output is goinit's own way of writing to stderr without blocking.
//
// O_NONBLOCK cannot simply be set on fd 2: the flag belongs to the open file
// description, which the child shares, and the child would start seeing
// EAGAIN. So, by what stderr is:
//   - a regular file never blocks and is written as it is;
//   - a socket is written with MSG_DONTWAIT;
//   - anything else (a pipe, a terminal) is written with RWF_NOWAIT where
//     the kernel supports it for that file (pipes, since Linux 5.x); else
//     reopened through /proc, which gives goinit a non-blocking description
//     of its own; else, when even that is refused (a pipe owned by another
//     user, as when goinit runs as non-root under an engine), written after
//     poll says there is room, which could only block if the child filled
//     the pipe in between.
type output struct {
	fd    int
	how   writeMethod
	owned bool // fd is goinit's own description, to close when done
	tty   bool // fd is a terminal
}

type writeMethod int

const (
	plainWrite writeMethod = iota
	sendDontWait
	writeNoWait
	pollThenWrite
)

func openOutput(target int) *output {
	var st syscall.Stat_t
	if syscall.Fstat(target, &st) != nil {
		return nil
	}
	o := &output{fd: target, tty: st.Mode&syscall.S_IFMT == syscall.S_IFCHR}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		o.how = plainWrite
	case syscall.S_IFSOCK:
		o.how = sendDontWait
	default:
		o.how = writeNoWait // until the kernel says it cannot
	}
	return o
}

// fallBack leaves RWF_NOWAIT for a description of goinit's own, or for
// polling before each write.
func (o *output) fallBack() {
	fd, err := syscall.Open("/proc/self/fd/"+strconv.Itoa(o.fd), syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	if err == nil {
		o.fd, o.owned, o.how = fd, true, plainWrite
		return
	}
	o.how = pollThenWrite
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
	var err error
	switch o.how {
	case plainWrite:
		_, err = syscall.Write(o.fd, line)
	case sendDontWait:
		err = syscall.Sendto(o.fd, line, syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, nil)
	case writeNoWait:
		_, err = unix.Pwritev2(o.fd, [][]byte{line}, -1, unix.RWF_NOWAIT)
		if err == syscall.EOPNOTSUPP || err == syscall.EINVAL || err == syscall.ENOSYS {
			o.fallBack()
			return o.write(line)
		}
	case pollThenWrite:
		fds := []unix.PollFd{{Fd: int32(o.fd), Events: unix.POLLOUT}}
		if n, _ := unix.Poll(fds, 0); n != 1 || fds[0].Revents&unix.POLLOUT == 0 {
			return fds[0].Revents&(unix.POLLERR|unix.POLLHUP) == 0
		}
		_, err = syscall.Write(o.fd, line)
	}
	switch err {
	case nil, syscall.EAGAIN, syscall.EINTR:
		return true // written, or dropped because it could not be written now
	}
	return false
}

func (o *output) close() {
	if o.owned {
		syscall.Close(o.fd)
	}
}

// backgroundWriteStops reports whether writing to the terminal fd would
// raise SIGTTOU: goinit's group is not in the foreground (the child has it,
// as under docker run -t) and the terminal has TOSTOP set.
func backgroundWriteStops(fd int) bool {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return false
	}
	fg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	if err != nil {
		return false
	}
	return fg != unix.Getpgrp() && t.Lflag&unix.TOSTOP != 0
}
