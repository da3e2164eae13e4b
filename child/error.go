package child

import (
	"errors"
	"strconv"
	"syscall"
)

var errNotForeground = errors.New("goinit is not in the foreground")

// DescriptorsToStart is how many descriptors goinit needs, below its
// RLIMIT_NOFILE, to start its command: stdin, stdout and stderr, the two
// ends of its signal pipe and the two of the pipe syscall.ForkExec
// reports a failed exec on. Once the command runs goinit holds five. A
// non-blocking stdin, stdout or stderr costs two more: package os then
// starts the Go runtime's network poller as goinit starts. So does socket
// activation's exec step, for the pipe goinit learns of its exec by.
const DescriptorsToStart = 7

// TooFewDescriptors says that RLIMIT_NOFILE is below DescriptorsToStart.
func TooFewDescriptors() string {
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	return "too many open files: goinit needs RLIMIT_NOFILE of " + strconv.Itoa(DescriptorsToStart) +
		" or more, stdin, stdout and stderr included, 2 more when one of them is non-blocking (it is " +
		strconv.FormatUint(lim.Cur, 10) + ")"
}

// Error reports a child that could not be started.
type Error struct {
	Command string        // argv[0] as given
	Path    string        // the path whose failure is reported
	Step    string        // "fork" or "exec"
	Errno   syscall.Errno // why
	// Interpreter is the #! interpreter that does not exist, when that is
	// why exec said ENOENT for a file that does.
	Interpreter string
}

// Error gives one line naming the command and the reason, for example
// `exec "foo": not found`.
func (e *Error) Error() string {
	if e.Errno == syscall.EMFILE {
		return "cannot start " + strconv.Quote(shorten(e.Command)) + ": " + TooFewDescriptors()
	}
	if e.Step == "fork" {
		return "cannot start " + strconv.Quote(shorten(e.Command)) + ": fork: " + e.Errno.Error()
	}
	name := e.Path
	if e.ExitCode() == 127 && e.Interpreter == "" {
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
	case e.Interpreter != "":
		return "interpreter " + strconv.Quote(shorten(e.Interpreter)) + " not found (check the #! line)"
	case e.Errno == syscall.ENOENT || e.Errno == syscall.ENOTDIR:
		return "not found"
	case e.Errno == syscall.EACCES:
		return "permission denied (not an executable file?)"
	case e.Errno == syscall.ENOEXEC:
		return "exec format error"
	}
	return e.Errno.Error()
}

// ExitCode is the status goinit exits with for this failure, tini's and the
// shell's convention: 127 when the command (or its #! interpreter) is not
// found, 126 when it is found but cannot be executed, 1 for everything
// else (fork failed, argument list too long, out of memory...).
func (e *Error) ExitCode() int {
	if e.Step != "exec" {
		return 1
	}
	switch e.Errno {
	case syscall.ENOENT, syscall.ENOTDIR:
		return 127
	case syscall.EACCES, syscall.EPERM, syscall.ENOEXEC, syscall.ETXTBSY:
		return 126
	}
	return 1
}

// missingInterpreter returns the interpreter exec's ENOENT about path, a
// file that exists, was about: the one its #! line names, or /bin/sh for
// a file without one.
func missingInterpreter(path string) string {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer syscall.Close(fd)
	var head [256]byte
	n, _ := syscall.Read(fd, head[:])
	switch {
	case n >= 4 && string(head[:4]) == "\x7fELF":
		return "" // a program whose loader is missing: not named here
	case n < 3 || head[0] != '#' || head[1] != '!':
		return shell // a script without #!: /bin/sh runs it, as execvp does
	}
	line := head[2:n]
	for len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		line = line[1:]
	}
	end := 0
	for end < len(line) && line[end] != ' ' && line[end] != '\t' && line[end] != '\n' {
		end++
	}
	return string(line[:end])
}
