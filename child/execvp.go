package child

import (
	"strings"
	"syscall"

	"goinit/internal/environ"
)

// DefaultPath is searched when the environment has no PATH, as Docker does.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// shell runs what the kernel will not (ENOEXEC), as execvp does.
const shell = "/bin/sh"

// execvp runs argv by execvp(3)'s rules, calling try for each path it
// would exec (try runs a file the kernel refuses as not a program through
// the shell, as execvp does). It returns nil once one starts, or the error
// execvp would report: a missing file or directory moves on to the next
// PATH entry, a permission problem is remembered and moves on too, any
// other error stops the search.
func execvp(argv, env []string, try func(path string, argv []string) syscall.Errno) *Error {
	paths := candidates(argv[0], pathOf(env))
	var report *Error // what fails if nothing starts
	for _, path := range paths {
		errno := try(path, argv)
		if errno == 0 {
			return nil
		}
		e := &Error{Command: argv[0], Path: path, Step: forkOrExec(errno), Errno: errno}
		switch {
		case e.Step == "fork":
			return e
		case errno == syscall.EACCES:
			if report == nil || report.Errno != syscall.EACCES {
				report = e
			}
		case errno == syscall.ENOENT:
			// exec says ENOENT for a file that exists when its #!
			// interpreter does not: name that.
			e.Interpreter = missingInterpreter(path)
			if report == nil || (e.Interpreter != "" && report.Errno != syscall.EACCES) {
				report = e
			}
		case errno == syscall.ESTALE, errno == syscall.ENOTDIR, errno == syscall.ENODEV, errno == syscall.ETIMEDOUT:
			if report == nil {
				report = e
			}
		default:
			return e
		}
	}
	return report
}

// forkOrExec names the step an errno comes from: exec never fails with
// EAGAIN or ENOMEM for a program goinit may start, fork does; and too few
// descriptors keep goinit from starting anything (EMFILE, ENFILE).
func forkOrExec(errno syscall.Errno) string {
	switch errno {
	case syscall.EAGAIN, syscall.ENOMEM, syscall.EMFILE, syscall.ENFILE:
		return "fork"
	}
	return "exec"
}

// pathOf is env's PATH, as execvp reads it.
func pathOf(env []string) string {
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
