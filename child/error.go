package child

import (
	"strconv"
	"syscall"
	"unsafe"
)

// Error reports a child that could not be started.
type Error struct {
	Command string        // argv[0] as given
	Path    string        // the path whose failure is reported
	Step    string        // "fork", "setpgid" or "exec"
	Errno   syscall.Errno // why
	Pid     int           // the exited child to reap, 0 when fork failed

	interpreterMissing bool // exec said ENOENT for a file that exists
}

// Error gives one line naming the command and the reason, for example
// `exec "foo": not found`.
func (e *Error) Error() string {
	if e.Step == "fork" {
		return "cannot start " + strconv.Quote(shorten(e.Command)) + ": fork: " + e.Errno.Error()
	}
	name := e.Path
	if e.ExitCode() == 127 {
		name = e.Command // not found anywhere: name what the user typed
	}
	return e.Step + " " + strconv.Quote(shorten(name)) + ": " + e.reason()
}

// shorten keeps a name readable in one line: its start and its end.
func shorten(name string) string {
	const keepStart, keepEnd = 96, 32
	if len(name) <= keepStart+keepEnd+3 {
		return name
	}
	return name[:keepStart] + "..." + name[len(name)-keepEnd:]
}

func (e *Error) reason() string {
	switch {
	case e.interpreterMissing:
		return "interpreter not found (check the #! line)"
	case e.Errno == syscall.ENOENT || e.Errno == syscall.ENOTDIR:
		return "not found"
	case e.Errno == syscall.EACCES:
		return "permission denied (not an executable file?)"
	case e.Errno == syscall.ENOEXEC:
		return "exec format error (not a binary for this machine, or a script without #!)"
	}
	return e.Errno.Error()
}

// ExitCode is the status goinit exits with for this failure, the shell's
// convention: 127 when the command is not found, 126 when it is found but
// cannot be executed, 1 for everything else (fork failed, argument list too
// long, out of memory...).
func (e *Error) ExitCode() int {
	if e.Step != "exec" {
		return 1
	}
	switch {
	case e.interpreterMissing:
		return 126
	case e.Errno == syscall.ENOENT || e.Errno == syscall.ENOTDIR:
		return 127
	case e.Errno == syscall.EACCES, e.Errno == syscall.EPERM, e.Errno == syscall.ENOEXEC, e.Errno == syscall.ETXTBSY:
		return 126
	}
	return 1
}

func ioctlPtr(fd int, req uint, arg *int32) error {
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(unsafe.Pointer(arg)))
	if errno != 0 {
		return errno
	}
	return nil
}
