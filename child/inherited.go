package child

import (
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"goinit/internal/procfs"
)

// inheritedStdio maps descriptors 0, 1 and 2 to themselves when goinit
// inherited them, and closes them in the child otherwise (-1): a
// descriptor goinit inherited is never close-on-exec, one it opened itself
// always is.
func inheritedStdio() []uintptr {
	files := []uintptr{0, 1, 2}
	for fd := range files {
		if !inherited(fd) {
			files[fd] = ^uintptr(0)
		}
	}
	return files
}

func inherited(fd int) bool {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil && flags&unix.FD_CLOEXEC == 0
}

// maxProbed bounds the descriptors CloseInherited looks at one by one
// when /proc cannot list them.
const maxProbed = 1 << 16

// CloseInherited closes goinit's own copies of the descriptors above
// stderr that it inherited (the command has its own), keeping every
// descriptor goinit or the Go runtime opened, all of them close-on-exec.
// So a pipe the command closes reaches end of file at its reader, and a
// socket the command closes is closed, while goinit lives on. It returns
// how many it closed.
func CloseInherited() int {
	closed := 0
	for _, fd := range openDescriptors() {
		if fd > 2 && inherited(fd) && syscall.Close(fd) == nil {
			closed++
		}
	}
	return closed
}

// openDescriptors lists goinit's descriptors from /proc/self/fd, or when
// that cannot be read, every number below the descriptor limit (up to
// maxProbed) for CloseInherited to try.
func openDescriptors() []int {
	if names, err := procfs.ReadDir("/proc/self/fd"); err == nil {
		fds := make([]int, 0, len(names))
		for _, name := range names {
			if fd, err := strconv.Atoi(name); err == nil {
				fds = append(fds, fd)
			}
		}
		return fds
	}
	var lim syscall.Rlimit
	n := maxProbed
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < maxProbed {
		n = int(lim.Cur)
	}
	fds := make([]int, n)
	for i := range fds {
		fds[i] = i
	}
	return fds
}
