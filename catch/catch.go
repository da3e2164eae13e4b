// Package catch receives the signals sent to goinit. It owns goinit's signal
// handling from the moment it is initialised, before main runs, until goinit
// exits.
//
// It does not use os/signal. Every signal goinit can catch (1 to 64 except
// SIGKILL, SIGSTOP and 33, which the Go runtime keeps) gets a small handler
// of its own (handler_*.s) that writes the signal's number to a pipe. Wait
// reads them back in the order they arrived. So:
//
//   - nothing is lost before the first Wait: signals wait in the pipe;
//   - every instance of a queued real-time signal is seen (os/signal merges
//     them), as are SIGPROF (which the Go runtime keeps for its profiler)
//     and signals 32 and 34 (which it leaves at their fatal default);
//   - a signal the Go runtime raises for itself is handed to the runtime and
//     never reported: its preemption SIGURG (a tgkill from goinit's own pid)
//     and a fault in goinit's own code (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
//     SIGTRAP, SIGSYS raised by the kernel). The same signals sent by kill(2)
//     are reported like any other;
//   - a SIGPIPE that goinit raised itself, by writing to a pipe whose reader
//     has gone (its siginfo names goinit as the sender), is dropped, so it
//     is never forwarded as if someone had sent it;
//   - SIGCHLD is reported at most once per Wait and is never lost, even if
//     the pipe is full.
//
// The pipe holds 65,536 signals; beyond that, while nobody calls Wait, new
// signals other than SIGCHLD are dropped (the kernel already merges repeats
// of a standard signal that is still pending).
package catch

import (
	"errors"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"goinit/forward"
	"goinit/internal/goruntime"
)

// Read by the handler; set before it is installed and never changed.
var (
	pipeRead, pipeWrite int32                = -1, -1
	route               [numSignals + 1]byte // what the handler does with each signal
	sigbytes            [numSignals + 1]byte // sigbytes[n] == n, what is written for n
)

// ownPid is goinit's pid, to recognise the runtime's signals to itself.
//
//lint:ignore U1000 read by handler_*.s
var ownPid int32

// runtimeHandler is the Go runtime's own handler, which the handler calls
// for the signals that are the runtime's.
//
//lint:ignore U1000 read by handler_*.s
var runtimeHandler uintptr

// childPending is set by the handler on SIGCHLD, before it writes to the
// pipe, and cleared by Wait.
var childPending uint32

const numSignals = goruntime.NumSignals

// Values of route.
const (
	routeReport        = 0 // write it to the pipe
	routeKernelFault   = 1 // to the runtime when the kernel raised it (si_code > 0)
	routeRuntimeOwnURG = 2 // to the runtime when it is the runtime's own tgkill
	routeOwnPipe       = 3 // dropped when goinit raised it itself (si_pid is goinit's)
)

// handler is entered by the kernel as handler(sig, info, ctx), in the C
// calling convention, on the signal stack.
//
//lint:ignore U1000 installed through handlerAddr
func handler()

// handlerAddr returns handler's entry address.
func handlerAddr() uintptr

// parentAtStart is goinit's parent when catching began, as early as
// goinit's code runs.
var parentAtStart = syscall.Getppid()

// ParentAtStart returns goinit's parent pid as early as goinit could read
// it, to tell whether the parent has died since.
func ParentAtStart() int { return parentAtStart }

// initErr records why catching could not be set up; see Err.
var initErr = install()

// Err reports a failure to set up signal catching at start-up (no
// descriptors left, say); goinit cannot work without it.
func Err() error { return initErr }

func install() error {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		return err
	}
	pipeRead, pipeWrite = int32(p[0]), int32(p[1])
	ownPid = int32(syscall.Getpid())
	for n := range sigbytes {
		sigbytes[n] = byte(n)
	}
	for _, sig := range []syscall.Signal{syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGSYS} {
		route[sig] = routeKernelFault
	}
	route[syscall.SIGURG] = routeRuntimeOwnURG
	route[syscall.SIGPIPE] = routeOwnPipe

	act, err := goruntime.GetSigaction(int(syscall.SIGSEGV))
	if err != nil {
		return err
	}
	if act.Handler == goruntime.SigDFL || act.Handler == goruntime.SigIGN {
		return errors.New("catch: the Go runtime has no signal handler installed")
	}
	runtimeHandler = act.Handler
	// The runtime's own flags (SA_SIGINFO, SA_ONSTACK, SA_RESTART) and
	// return trampoline, with goinit's handler.
	caught := append([]syscall.Signal{syscall.SIGCHLD}, forward.Forwardable...)
	return goruntime.InstallHandler(caught, act, handlerAddr())
}

// Wait appends to buf the signals received since the last call, in the
// order they arrived, waiting for at least one until deadline (forever when
// deadline is zero). It returns buf unchanged when the deadline passes.
func Wait(buf []syscall.Signal, deadline time.Time) []syscall.Signal {
	start := len(buf)
	for {
		timeout := time.Duration(-1)
		if !deadline.IsZero() {
			if timeout = time.Until(deadline); timeout < 0 {
				timeout = 0
			}
		}
		waitReadable(timeout)
		if buf = drain(buf); len(buf) > start || timeout == 0 {
			return buf
		}
	}
}

// drain reads every byte waiting in the pipe. SIGCHLD is taken from the
// flag, which the handler sets even when the pipe is full.
func drain(buf []syscall.Signal) []syscall.Signal {
	var chunk [512]byte
	for {
		n, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(pipeRead), uintptr(unsafe.Pointer(&chunk[0])), uintptr(len(chunk)))
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 || n == 0 {
			break
		}
		for _, b := range chunk[:n] {
			if b != byte(syscall.SIGCHLD) {
				buf = append(buf, syscall.Signal(b))
			}
		}
		if int(n) < len(chunk) {
			break
		}
	}
	if atomic.SwapUint32(&childPending, 0) != 0 {
		buf = append(buf, syscall.SIGCHLD)
	}
	return buf
}

// waitReadable blocks in ppoll until the pipe has data, a signal handler
// has run on this thread, or timeout passes (never when it is negative).
func waitReadable(timeout time.Duration) {
	fds := [1]struct {
		fd              int32
		events, revents int16
	}{{fd: pipeRead, events: 0x1}} // POLLIN
	var ts *syscall.Timespec
	if timeout >= 0 {
		t := syscall.NsecToTimespec(int64(timeout))
		ts = &t
	}
	syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), 1, uintptr(unsafe.Pointer(ts)), 0, 0, 0)
}
