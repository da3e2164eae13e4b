// Package child starts goinit's command so that, to the command, nothing
// seems to stand between it and whoever started goinit.
//
// Start forks and execs the command (searched in PATH as execvp does, but
// without execvp's fallback of running an unrecognised file with /bin/sh,
// exactly as a container runtime's own exec behaves). The new process:
//
//   - leads a new process group (pgid == pid), made before exec, so a signal
//     sent to the group as soon as Start returns cannot miss it;
//   - becomes the terminal's foreground group when goinit's stdin is goinit's
//     controlling terminal and goinit's own group held the foreground;
//   - gets the argv and environment it is given, goinit's working directory
//     and every descriptor goinit inherited (goinit's own descriptors are
//     close-on-exec), and the signal mask and ignored signals that goinit
//     itself was started with, not the ones the Go runtime set up.
//
// Start puts goinit's own soft RLIMIT_NOFILE back to the value goinit was
// started with (the Go runtime raises it), so the child inherits that too.
//
// Start returns once exec has succeeded or failed. On success the command is
// running. On failure the returned *Error says which step failed and why;
// if a child process was created it has already exited and Error.Pid names
// it, for the caller's reaper to collect. Start never waits for a child:
// the caller's reaper is the only waiter.
//
// Reading the signal state goinit was started with needs unexported Go
// runtime variables, so binaries using this package must be linked with
// -ldflags=-checklinkname=0 (the Makefile does).
package child

import (
	"errors"
	"strings"
	"syscall"

	"goinit/internal/goruntime"
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

// Start runs argv as a new child with environment env. argv[0] is looked up
// in env's PATH unless it contains a slash.
func Start(argv, env []string) (*Process, error) {
	if len(argv) == 0 {
		return nil, errors.New("child: no command")
	}
	paths := candidates(argv[0], lookupEnv(env, "PATH"))
	l := &launch{
		foreground: ownsForeground(),
		signals:    readInheritedSignals(),
	}
	var err error
	if l.candidates, err = cStrings(paths, false); err != nil {
		return nil, &Error{Command: argv[0], Path: argv[0], Step: "exec", Errno: syscall.EINVAL}
	}
	if l.argv, err = cStrings(argv, true); err != nil {
		return nil, &Error{Command: argv[0], Path: argv[0], Step: "exec", Errno: syscall.EINVAL}
	}
	if l.envv, err = cStrings(env, true); err != nil {
		return nil, &Error{Command: argv[0], Path: argv[0], Step: "exec", Errno: syscall.EINVAL}
	}

	if err := goruntime.RestoreFileLimit(); err != nil {
		return nil, &Error{Command: argv[0], Step: "fork", Errno: err.(syscall.Errno)}
	}
	pid, errno := l.forkExec()
	if errno != 0 {
		return nil, &Error{Command: argv[0], Step: "fork", Errno: errno}
	}
	if l.failedStep != stepNone {
		e := &Error{Command: argv[0], Path: paths[l.decisive], Errno: l.errno, Pid: pid, Step: "exec"}
		if l.failedStep == stepSetpgid {
			e.Step = "setpgid"
		}
		e.interpreterMissing = e.Errno == syscall.ENOENT && anyRegularFile(paths)
		return nil, e
	}
	return &Process{Pid: pid, Foreground: l.foreground}, nil
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

// lookupEnv returns the first value of name in env, as getenv does.
func lookupEnv(env []string, name string) string {
	for _, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:]
		}
	}
	return ""
}

// cStrings converts ss to NUL-terminated C strings, with a trailing NULL
// pointer when nullTerminated (for argv and envp).
func cStrings(ss []string, nullTerminated bool) ([]*byte, error) {
	n := len(ss)
	if nullTerminated {
		n++
	}
	out := make([]*byte, n)
	for i, s := range ss {
		p, err := syscall.BytePtrFromString(s)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// ownsForeground reports whether goinit's stdin is its controlling terminal
// and goinit's process group is that terminal's foreground group: only then
// does the child take the terminal over, so a goinit started in the
// background never steals it from the shell.
func ownsForeground() bool {
	fg, err := tcgetpgrp(0)
	return err == nil && fg == syscall.Getpgrp()
}

func tcgetpgrp(fd int) (int, error) {
	var pgid int32
	if err := ioctlPtr(fd, syscall.TIOCGPGRP, &pgid); err != nil {
		return 0, err
	}
	return int(pgid), nil
}

func anyRegularFile(paths []string) bool {
	for _, p := range paths {
		var st syscall.Stat_t
		if syscall.Stat(p, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG {
			return true
		}
	}
	return false
}

// GiveTerminal makes the process group pgid the foreground group of the
// terminal on goinit's stdin, provided goinit's own group holds the
// foreground now: after the shell's bg, goinit leaves the terminal to the
// shell.
func GiveTerminal(pgid int) error {
	fg, err := tcgetpgrp(0)
	if err != nil {
		return err
	}
	if fg != syscall.Getpgrp() {
		return errors.New("goinit is not in the foreground")
	}
	id := int32(pgid)
	return ioctlPtr(0, syscall.TIOCSPGRP, &id)
}
