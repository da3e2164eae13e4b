// Package catch receives the signals sent to goinit, from Start until
// goinit exits.
//
// It does not use os/signal. Start gives every signal it is asked to catch
// a small handler of goinit's own (handler_*.s), which writes the signal's
// number to a pipe; Wait reads them back in the order they arrived. So:
//
//   - nothing is lost between Start and the first Wait: signals wait in the
//     pipe;
//   - every instance of a queued real-time signal is seen (os/signal merges
//     them), as are SIGPROF (which the Go runtime keeps for its profiler)
//     and signals 32 and 34 (which it leaves at their fatal default);
//   - a signal the Go runtime raises for itself is passed on to the
//     runtime's own handler, as the kernel would have delivered it, and
//     never reported: its preemption SIGURG (a tgkill from goinit's own
//     pid) and a fault in goinit's own code (SIGSEGV, SIGBUS, SIGFPE,
//     SIGILL, SIGTRAP, SIGSYS raised by the kernel). The same signals sent
//     by kill(2) are reported like any other;
//   - a SIGPIPE that goinit raised itself, by writing to a pipe whose reader
//     has gone (its siginfo names goinit as the sender), is dropped, so it
//     is never forwarded as if someone had sent it;
//   - SIGCHLD is reported at most once per Wait and is never lost, even if
//     the pipe is full.
//
// The handlers are installed with rt_sigaction(2), taking the flags and the
// return trampoline from the action the Go runtime installed for its own
// signals, so they run on the signal stack every Go thread has. A signal
// that was ignored when goinit started and that the Go runtime left ignored
// (SIGHUP, SIGINT, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, signals 32 and 34)
// stays ignored, so the child inherits that.
// A signal the kernel refuses a handler for (valgrind keeps one for
// itself) is left out and named in the Report; goinit runs without it.
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

	"golang.org/x/sys/unix"

	"goinit/signals"
)

// Read by the handler; set before it is installed and never changed.
var (
	pipeRead, pipeWrite int32                   = -1, -1
	route               [signals.RTMax + 1]byte // what the handler does with each signal
	sigbytes            [signals.RTMax + 1]byte // sigbytes[n] == n, what is written for n
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

// Report says how Start left each signal.
type Report struct {
	// Refused are the signals the kernel would not give a handler; goinit
	// neither receives nor forwards them.
	Refused []syscall.Signal
	// LeftIgnored were ignored when goinit started and stay ignored, in
	// goinit and in its child.
	LeftIgnored []syscall.Signal
	// Mask is the signal mask goinit's thread had before Start unblocked
	// the caught signals: the one goinit was started with, less what the
	// Go runtime unblocks for itself. The child gets it.
	Mask unix.Sigset_t
	// Parent is goinit's parent when Start began, to tell later whether
	// it has died since.
	Parent int
}

var started atomic.Bool

// Start installs goinit's handler for each of sigs and for SIGCHLD, and
// unblocks them on the calling thread, which must be the one that calls
// Wait (locked with runtime.LockOSThread). It may be called once. An error
// means nothing is being caught (no descriptor for the pipe, say).
func Start(sigs []syscall.Signal) (Report, error) {
	rep := Report{Parent: unix.Getppid()}
	if !started.CompareAndSwap(false, true) {
		return rep, errors.New("catch: Start called twice")
	}
	like, err := getAction(syscall.SIGSEGV)
	if err != nil {
		return rep, err
	}
	if like.handler == sigDFL || like.handler == sigIGN {
		return rep, errors.New("catch: the Go runtime has no signal handler installed")
	}
	if err := openPipe(); err != nil {
		return rep, err
	}
	runtimeHandler = like.handler
	setRoutes()

	if err := unix.PthreadSigmask(unix.SIG_SETMASK, nil, &rep.Mask); err != nil {
		return rep, err
	}
	var unblock unix.Sigset_t
	for _, sig := range append([]syscall.Signal{syscall.SIGCHLD}, sigs...) {
		cur, err := getAction(sig)
		if err == nil && cur.handler == sigIGN {
			rep.LeftIgnored = append(rep.LeftIgnored, sig)
			continue
		}
		act := like // the runtime's flags, mask and trampoline
		act.handler = handlerAddr()
		if err == nil {
			err = setAction(sig, &act)
		}
		if err != nil {
			rep.Refused = append(rep.Refused, sig)
			continue
		}
		signals.AddTo(&unblock, sig)
	}
	return rep, unix.PthreadSigmask(unix.SIG_UNBLOCK, &unblock, nil)
}

func openPipe() error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return err
	}
	pipeRead, pipeWrite = int32(p[0]), int32(p[1])
	return nil
}

func setRoutes() {
	ownPid = int32(unix.Getpid())
	for n := range sigbytes {
		sigbytes[n] = byte(n)
	}
	for _, sig := range []syscall.Signal{syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGSYS} {
		route[sig] = routeKernelFault
	}
	route[syscall.SIGURG] = routeRuntimeOwnURG
	route[syscall.SIGPIPE] = routeOwnPipe
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
		// A raw read: the pipe never blocks, and a read announced to the
		// Go runtime as a system call would wake its monitor thread.
		r, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(pipeRead), uintptr(unsafe.Pointer(&chunk[0])), uintptr(len(chunk)))
		n := int(r)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 || n <= 0 {
			break
		}
		for _, b := range chunk[:n] {
			if b != byte(syscall.SIGCHLD) {
				buf = append(buf, syscall.Signal(b))
			}
		}
		if n < len(chunk) {
			break
		}
	}
	if atomic.SwapUint32(&childPending, 0) != 0 {
		buf = append(buf, syscall.SIGCHLD)
	}
	return buf
}

// waitReadable blocks until the pipe has data, a signal handler has run on
// this thread, or timeout passes (never when it is negative).
func waitReadable(timeout time.Duration) {
	fds := []unix.PollFd{{Fd: pipeRead, Events: unix.POLLIN}}
	var ts *unix.Timespec
	if timeout >= 0 {
		t := unix.NsecToTimespec(int64(timeout))
		ts = &t
	}
	unix.Ppoll(fds, ts, nil)
}
