package child

import (
	"runtime"
	"syscall"
	"unsafe"

	"goinit/internal/goruntime"
)

// These are the hooks the syscall package uses around its own fork+exec;
// the runtime exports them for exactly this purpose.

//go:linkname runtimeBeforeFork syscall.runtime_BeforeFork
func runtimeBeforeFork()

//go:linkname runtimeAfterFork syscall.runtime_AfterFork
func runtimeAfterFork()

// rawVfork is syscall.rawVforkSyscall, reached through vfork_*.s.
func rawVfork(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)

const sigSetmask = 2 // SIG_SETMASK for rt_sigprocmask

// step names the part of starting the child that failed.
type step uint8

const (
	stepNone step = iota
	stepFork
	stepSetpgid
	stepExec
)

// launch is everything the child needs between fork and exec, prepared by
// the parent so the child allocates nothing.
type launch struct {
	candidates []*byte // NUL-terminated paths to try, in order
	argv       []*byte // NULL-terminated
	envv       []*byte // NULL-terminated
	foreground bool    // make the new group the terminal's foreground
	signals    inheritedSignals
	reportFD   int // write end of a close-on-exec pipe for the child's failure

	// Filled in from the child's report when it could not exec.
	failedStep step
	errno      syscall.Errno
	decisive   int // index of the candidate whose error is reported
}

// A failing child writes a report: step, errno and decisive candidate.
// vfork would let it write them into the parent's memory, but emulators
// such as qemu-user run vfork as a plain fork, so it uses a pipe, which
// exec closes when it succeeds.
const reportSize = 3 * 4

// forkExec starts the child and returns its pid once it has exec'd or
// failed. The fork itself failing is reported as the returned errno.
func (l *launch) forkExec() (int, syscall.Errno) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return 0, err.(syscall.Errno)
	}
	l.reportFD = p[1]
	syscall.ForkLock.Lock()
	pid, errno := l.vforkAndExecInChild()
	runtimeAfterFork()
	syscall.ForkLock.Unlock()
	syscall.Close(p[1])
	if errno == 0 {
		l.readReport(p[0])
	}
	syscall.Close(p[0])
	return int(pid), errno
}

// readReport reads the child's failure report, if any: end of file means
// exec succeeded.
func (l *launch) readReport(fd int) {
	var words [3]uint32
	report := (*[reportSize]byte)(unsafe.Pointer(&words))
	n := 0
	for n < reportSize {
		m, err := syscall.Read(fd, report[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m == 0 {
			break
		}
		n += m
	}
	if n < reportSize {
		return
	}
	l.failedStep, l.errno, l.decisive = step(words[0]), syscall.Errno(words[1]), int(words[2])
}

// vforkAndExecInChild runs in both processes. The child shares the parent's
// memory and stack until it execs or exits, so from the fork on it calls
// only nosplit raw system calls, allocates nothing, and never returns; the
// parent returns at once, using nothing the child may have written to this
// frame.
//
//go:norace
//go:noinline
func (l *launch) vforkAndExecInChild() (pid uintptr, errno syscall.Errno) {
	var (
		e         syscall.Errno
		i         int
		sig       uintptr
		self      int32 // the child's pid, a C pid_t for TIOCSPGRP
		r1        uintptr
		act       goruntime.Sigaction
		sawEACCES bool
		failed    step
		reason    syscall.Errno
		decisive  int
		report    [3]uint32
	)
	// From here on no stack growth: the runtime makes any attempt fatal.
	runtimeBeforeFork()
	if runtime.GOARCH == "s390x" {
		// On s390x the first two arguments of clone are swapped.
		pid, errno = rawVfork(syscall.SYS_CLONE, 0, syscall.CLONE_VM|syscall.CLONE_VFORK|uintptr(syscall.SIGCHLD), 0)
	} else {
		pid, errno = rawVfork(syscall.SYS_CLONE, syscall.CLONE_VM|syscall.CLONE_VFORK|uintptr(syscall.SIGCHLD), 0, 0)
	}
	if errno != 0 || pid != 0 {
		return pid, errno
	}

	// In the child. Every signal is still blocked (runtimeBeforeFork), so
	// nothing can reach it before its state is the one it will exec with.

	// Its own group first: once the parent resumes, a signal to the group
	// must reach the child.
	if _, _, e = syscall.RawSyscall(syscall.SYS_SETPGID, 0, 0, 0); e != 0 {
		failed = stepSetpgid
		goto fail
	}
	if l.foreground {
		// Allowed from a background group because SIGTTOU is blocked. A
		// terminal that went away is not worth failing for.
		r1, _, _ = syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
		self = int32(r1)
		syscall.RawSyscall(syscall.SYS_IOCTL, 0, syscall.TIOCSPGRP, uintptr(unsafe.Pointer(&self)))
	}

	// The Go runtime's handlers become the defaults exec would give; what
	// goinit was started with ignored stays ignored; then the original mask.
	for sig = 1; sig <= goruntime.NumSignals; sig++ {
		if sig == uintptr(syscall.SIGKILL) || sig == uintptr(syscall.SIGSTOP) {
			continue
		}
		act.Handler = goruntime.SigDFL
		if l.signals.ignored[sig] {
			act.Handler = goruntime.SigIGN
		}
		syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, sig, uintptr(unsafe.Pointer(&act)), 0, goruntime.SigsetSize, 0, 0)
	}
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, sigSetmask, uintptr(unsafe.Pointer(&l.signals.mask)), 0, goruntime.SigsetSize, 0, 0)

	// Try the candidates the way execvp does: a missing file moves on to
	// the next directory, a permission problem is remembered, anything
	// else is final. The parent's memory is written only once exec has
	// failed for good.
	failed, reason = stepExec, syscall.ENOENT
	for i = 0; i < len(l.candidates); i++ {
		_, _, e = syscall.RawSyscall(syscall.SYS_EXECVE,
			uintptr(unsafe.Pointer(l.candidates[i])),
			uintptr(unsafe.Pointer(&l.argv[0])),
			uintptr(unsafe.Pointer(&l.envv[0])))
		switch e {
		case syscall.EACCES:
			if !sawEACCES {
				sawEACCES = true
				reason, decisive = e, i
			}
		case syscall.ENOENT, syscall.ENOTDIR, syscall.ESTALE, syscall.ENODEV, syscall.ETIMEDOUT:
			if !sawEACCES {
				reason, decisive = e, i
			}
		default:
			reason, decisive = e, i
			goto fail
		}
	}

fail:
	if reason == 0 {
		reason = e
	}
	report[0], report[1], report[2] = uint32(failed), uint32(reason), uint32(decisive)
	syscall.RawSyscall(syscall.SYS_WRITE, uintptr(l.reportFD), uintptr(unsafe.Pointer(&report[0])), reportSize)
	for {
		syscall.RawSyscall(syscall.SYS_EXIT, 127, 0, 0)
	}
}
