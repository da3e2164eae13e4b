package child

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"goinit/internal/environ"
)

// execStepName is argv[0] of goinit's binary run as the exec step: a name
// no one starts goinit by.
const execStepName = "goinit (exec step)"

// IsExecStep reports whether this process is goinit's binary started by
// Start as the exec step, with these arguments.
func IsExecStep(args []string) bool {
	return len(args) > 1 && args[0] == execStepName
}

// ExecStep is the exec step's whole life: it sets LISTEN_PID to its own
// pid, which becomes the command's, and execs the command (args[1:]) by
// execvp's rules, with the rest of the environment, the descriptors and
// the signal state as Start gave them. It returns only when the command
// could not be run, with one line on stderr naming why, and the exit code
// goinit would have exited with.
func ExecStep(args []string) int {
	argv := args[1:]
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
