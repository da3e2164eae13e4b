// Package child starts goinit's command so that, to the command, nothing
// seems to stand between it and whoever started goinit.
//
// Start finds the command as execvp(3) does, as tini, dumb-init and
// catatonit do: a name without a slash is searched in PATH (a default when
// it is unset); a directory where the file is not executable is passed
// over, and reported only when nothing else is found; a file the kernel
// refuses as not a program (ENOEXEC: a script without #!) is run by
// /bin/sh. The new process, started with syscall.ForkExec:
//
//   - leads a new process group (pgid == pid), made before exec, so a signal
//     sent to the group as soon as Start returns cannot miss it;
//   - becomes the terminal's foreground group when goinit's stdin is its
//     controlling terminal and goinit's own group holds the foreground;
//   - gets the argv and environment it is given, goinit's working directory,
//     every descriptor goinit inherited (goinit's own are close-on-exec),
//     the soft RLIMIT_NOFILE goinit was started with (the Go runtime raises
//     goinit's own and restores it in every child), the signal mask it is
//     given, and the default action for every signal goinit catches.
//
// Start returns once exec has succeeded or failed; on failure the *Error
// says which step failed and why. Start never waits for a child that
// runs: the caller's reaper is the only waiter. (syscall.ForkExec itself
// collects a child whose exec failed, by its pid, before it returns; no
// other child can be taken that way.)
package child

import (
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"goinit/internal/environ"
)

// Process is a started child.
type Process struct {
	Pid int
	// Foreground is true when the child's group was made the terminal's
	// foreground group.
	Foreground bool
}

// DefaultPath is searched when the environment has no PATH, as Docker does.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// shell runs what the kernel will not (ENOEXEC), as execvp does.
const shell = "/bin/sh"

// Start runs argv as a new child with environment env and signal mask
// mask. argv[0] is looked up in env's PATH unless it contains a slash. It
// must be called from the thread goinit's signals are unblocked on; it
// stays there.
func Start(argv, env []string, mask *unix.Sigset_t) (*Process, error) {
	s := spawner{argv: argv, env: env, foreground: ownsForeground()}
	if len(argv) == 0 || argv[0] == "" { // execvp: an empty name is not found
		return nil, &Error{Command: "", Path: "", Step: "exec", Errno: syscall.ENOENT}
	}
	// The child's mask is the one its creating thread has at the fork.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var own unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, mask, &own); err != nil {
		return nil, &Error{Command: argv[0], Step: "fork", Errno: err.(syscall.Errno)}
	}
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &own, nil)
	return s.execvp(candidates(argv[0], path(env)))
}

// spawner tries the candidates for one command.
type spawner struct {
	argv, env  []string
	foreground bool
	pid        int // the child, once started
}

// execvp tries each path as execvp does and returns the first child that
// starts, or the error execvp would report.
func (s *spawner) execvp(paths []string) (*Process, error) {
	var report *Error // what fails if nothing starts
	for _, path := range paths {
		errno := s.try(path)
		if errno == 0 {
			return &Process{Pid: s.pid, Foreground: s.foreground}, nil
		}
		e := &Error{Command: s.argv[0], Path: path, Step: "exec", Errno: errno}
		switch errno {
		case syscall.EAGAIN, syscall.ENOMEM:
			e.Step = "fork"
			return nil, e
		case syscall.EACCES:
			if report == nil || report.Errno != syscall.EACCES {
				report = e
			}
		case syscall.ENOENT, syscall.ESTALE, syscall.ENOTDIR, syscall.ENODEV, syscall.ETIMEDOUT:
			if report == nil || report.Errno != syscall.EACCES {
				report = e
			}
		default:
			return nil, e
		}
	}
	if report.Errno == syscall.ENOENT && len(paths) == 1 {
		report.Interpreter = missingInterpreter(report.Path)
	}
	return nil, report
}

// try starts path, through /bin/sh when the kernel does not take it as a
// program; it leaves the pid in s.pid.
func (s *spawner) try(path string) syscall.Errno {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return err.(syscall.Errno) // nothing to start: no fork
	}
	errno := s.forkExec(path, s.argv)
	if errno == syscall.ENOEXEC {
		errno = s.forkExec(shell, append([]string{shell, path}, s.argv[1:]...))
	}
	return errno
}

// forkExec starts path with argv, and sets s.pid when it runs.
func (s *spawner) forkExec(path string, argv []string) syscall.Errno {
	attr := &syscall.ProcAttr{
		Env:   s.env,
		Files: inheritedStdio(),
		Sys:   &syscall.SysProcAttr{Setpgid: true, Foreground: s.foreground, Ctty: 0},
	}
	pid, err := syscall.ForkExec(path, argv, attr)
	if s.foreground && lostTerminal(err) {
		// The terminal went away since ownsForeground looked.
		s.foreground = false
		attr.Sys.Foreground = false
		pid, err = syscall.ForkExec(path, argv, attr)
	}
	if err != nil {
		return err.(syscall.Errno)
	}
	s.pid = pid
	return 0
}

func lostTerminal(err error) bool {
	return err == syscall.ENOTTY || err == syscall.ENXIO || err == syscall.EIO
}

// inheritedStdio maps descriptors 0, 1 and 2 to themselves when goinit
// inherited them, and closes them in the child otherwise (-1): a
// descriptor goinit inherited is never close-on-exec, one it opened itself
// always is.
func inheritedStdio() []uintptr {
	files := []uintptr{0, 1, 2}
	for fd := range files {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			files[fd] = ^uintptr(0)
		}
	}
	return files
}

// path is env's PATH, as execvp reads it.
func path(env []string) string {
	p, _ := environ.Lookup(env, "PATH")
	return p
}

// candidates lists the paths execvp would try for name.
func candidates(name, pathEnv string) []string {
	if strings.Contains(name, "/") {
		return []string{name}
	}
	if pathEnv == "" {
		pathEnv = DefaultPath
	}
	dirs := strings.Split(pathEnv, ":")
	out := make([]string, 0, len(dirs))
	for _, dir := range dirs {
		if dir == "" {
			dir = "." // an empty PATH entry means the current directory
		}
		out = append(out, dir+"/"+name)
	}
	return out
}

// ownsForeground reports whether goinit's stdin is its controlling terminal
// and goinit's process group is that terminal's foreground group: only then
// does the child take the terminal over, so a goinit started in the
// background never steals it from the shell.
func ownsForeground() bool {
	fg, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// GiveTerminal makes the process group pgid the foreground group of the
// terminal on goinit's stdin, provided goinit's own group holds the
// foreground now: after the shell's bg, goinit leaves the terminal to the
// shell.
func GiveTerminal(pgid int) error {
	if !ownsForeground() {
		return errNotForeground
	}
	return unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, pgid)
}
