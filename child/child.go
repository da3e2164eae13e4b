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
// When the environment's LISTEN_PID names goinit (socket activation), the
// child first runs goinit's own binary as an exec step that sets
// LISTEN_PID to the child's pid, as the command expects, and then execs
// the command by the same rules. After the command has started, goinit
// closes its own copies of inherited descriptors (CloseInherited).
//
// Start returns once exec has succeeded or failed; on failure the *Error
// says which step failed and why. Start never waits for a child that
// runs: the caller's reaper is the only waiter. (syscall.ForkExec itself
// collects a child whose exec failed, by its pid, before it returns; no
// other child can be taken that way.)
package child

import (
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"goinit/signals"
)

// Process is a started child.
type Process struct {
	Pid int
	// Foreground is true when the child's group was made the terminal's
	// foreground group.
	Foreground bool
}

// Start runs argv as a new child with environment env and signal mask
// mask. argv[0] is looked up in env's PATH unless it contains a slash. It
// must be called from the thread goinit's signals are unblocked on; it
// stays there.
//
// When env's LISTEN_PID names goinit (socket activation: the activator
// started goinit and passed it the sockets for the command), the child
// is goinit's own binary run as a short exec step, which sets LISTEN_PID
// to its own pid, the command's once it execs, and then execs the command
// as Start would have (see ExecStep).
func Start(argv, env []string, mask *unix.Sigset_t) (*Process, error) {
	if len(argv) == 0 || argv[0] == "" { // execvp: an empty name is not found
		return nil, &Error{Command: "", Path: "", Step: "exec", Errno: syscall.ENOENT}
	}
	s := spawner{env: env, foreground: ownsForeground()}
	// The child's mask is the one its creating thread has at the fork.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var own unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, mask, &own); err != nil {
		return nil, &Error{Command: argv[0], Step: "fork", Errno: err.(syscall.Errno)}
	}
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &own, nil)

	if self, ok := execStepPath(env); ok {
		if errno := s.startExecStep(self, argv); errno != 0 {
			return nil, &Error{Command: argv[0], Path: self, Step: forkOrExec(errno), Errno: errno}
		}
		return &Process{Pid: s.pid, Foreground: s.foreground}, nil
	}
	if err := execvp(argv, env, s.try); err != nil {
		return nil, err
	}
	return &Process{Pid: s.pid, Foreground: s.foreground}, nil
}

// spawner starts the child, trying one path after another.
type spawner struct {
	env        []string
	foreground bool
	pid        int // the child, once started
}

// try starts path with argv as a new child, through /bin/sh when the
// kernel does not take it as a program, and leaves its pid in s.pid. A
// path that does not exist costs no fork.
func (s *spawner) try(path string, argv []string) syscall.Errno {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return err.(syscall.Errno)
	}
	errno := s.forkExec(path, argv)
	if errno == syscall.ENOEXEC {
		errno = s.forkExec(shell, append([]string{shell, path}, argv[1:]...))
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
	// Should the shell take the foreground back meanwhile, the kernel
	// would answer with SIGTTOU, which goinit catches, and the call would
	// be restarted for ever: with SIGTTOU blocked it fails instead.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ttou, old unix.Sigset_t
	signals.AddTo(&ttou, unix.SIGTTOU)
	unix.PthreadSigmask(unix.SIG_BLOCK, &ttou, &old)
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
	return unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, pgid)
}
