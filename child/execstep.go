package child

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"goinit/internal/environ"
)

// execStepName is argv[0] of goinit's binary run as the exec step: a name
// no one starts goinit by.
const execStepName = "goinit (exec step)"

// IsExecStep reports whether this process is goinit's binary started by
// Start as the exec step, with these arguments: its name, the descriptor
// to close when it execs the command, then the command.
func IsExecStep(args []string) bool {
	return len(args) > 2 && args[0] == execStepName
}

// startExecStep starts goinit's binary at self as the exec step of argv
// and returns once the step has exec'd the command (or given up): until
// then a signal forwarded to it would meet the Go runtime starting in it,
// not the command. It knows by a pipe whose writing end the step holds
// and marks close-on-exec.
func (s *spawner) startExecStep(self string, argv []string) syscall.Errno {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return err.(syscall.Errno)
	}
	defer syscall.Close(p[0])
	// The step inherits the writing end: not close-on-exec in goinit.
	if _, err := unix.FcntlInt(uintptr(p[1]), unix.F_SETFD, 0); err != nil {
		syscall.Close(p[1])
		return err.(syscall.Errno)
	}
	errno := s.forkExec(self, append([]string{execStepName, strconv.Itoa(p[1])}, argv...))
	syscall.Close(p[1])
	if errno != 0 {
		return errno
	}
	var b [1]byte
	for {
		if _, err := syscall.Read(p[0], b[:]); err != syscall.EINTR {
			return 0 // end of file: the step exec'd or exited
		}
	}
}

// ExecStep is the exec step's whole life: it sets LISTEN_PID to its own
// pid, which becomes the command's, marks the descriptor args[1] (goinit's
// pipe) close-on-exec, and execs the command (args[2:]) by execvp's rules,
// with the rest of the environment, the descriptors and the signal state
// as Start gave them. It returns only when the command could not be run,
// with one line on stderr naming why, and the exit code goinit would have
// exited with.
func ExecStep(args []string) int {
	if fd, err := strconv.Atoi(args[1]); err == nil {
		unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC)
	}
	argv := args[2:]
	env := environ.Read()
	pid := strconv.Itoa(os.Getpid())
	for i, kv := range env {
		if strings.HasPrefix(kv, "LISTEN_PID=") {
			env[i] = "LISTEN_PID=" + pid
		}
	}
	// The signal mask is the thread's: exec from the thread that has the
	// one Start gave.
	runtime.LockOSThread()
	err := execvp(argv, env, func(path string, argv []string) syscall.Errno {
		errno := syscall.Exec(path, argv, env).(syscall.Errno)
		if errno == syscall.ENOEXEC {
			errno = syscall.Exec(shell, append([]string{shell, path}, argv[1:]...), env).(syscall.Errno)
		}
		return errno
	})
	os.Stderr.WriteString("goinit: " + err.Error() + "\n")
	return err.ExitCode()
}

// execStepPath returns the path of goinit's own binary when env asks for
// the exec step: its LISTEN_PID names goinit. Without /proc goinit cannot
// find itself, and the command starts as usual.
func execStepPath(env []string) (string, bool) {
	listenPID, ok := environ.Lookup(env, "LISTEN_PID")
	if !ok || listenPID != strconv.Itoa(os.Getpid()) {
		return "", false
	}
	self := "/proc/self/exe"
	if err := syscall.Access(self, 1 /* X_OK */); err != nil {
		return "", false
	}
	return self, true
}
