// Package forward owns the signals goinit passes on: which ones, catching
// them, and delivering them to the child.
//
// Catching starts when the package is initialised, before goinit's main
// runs, and never stops; signals that arrive before there is a child wait in
// Received until the caller reads them. Every signal a Go program can catch
// is caught except SIGCHLD, which belongs to the reaper. The Go runtime's own
// preemption signals (SIGURG) are never among them, provided the binary is
// built with asynchronous preemption off (the Makefile's
// runtime.godebugDefault=asyncpreemptoff=1); a SIGURG someone sent is.
//
// That includes signals 32 and 34, which C libraries reserve and the Go
// runtime leaves at their fatal default action (goinit installs the
// runtime's handler for them), and every real-time signal from SIGRTMIN (34,
// as the C library numbers it) to SIGRTMAX (64). Signal 33 is the one signal
// goinit cannot catch: the Go runtime uses it internally and discards it
// when someone else sends it.
//
// A Forwarder delivers to one child, or to its process group. It never
// signals once told the child has been reaped: from then on the child's pid,
// which is also its group's id, may name an unrelated process.
package forward

import (
	"os"
	"os/signal"
	"syscall"

	"goinit/internal/goruntime"
)

// The real-time signals as the C library numbers them: SIGRTMIN+n is
// signal SigRTMin+n.
const (
	SigRTMin = 34
	SigRTMax = 64

	// sigRuntime is used by the Go runtime itself and cannot be caught.
	sigRuntime = 33
	// reserved are left at their default action by the Go runtime.
	reserved32 = 32
)

// Forwardable lists every signal goinit catches and forwards, in number
// order.
var Forwardable = forwardable()

func forwardable() []os.Signal {
	var sigs []os.Signal
	for n := syscall.Signal(1); n <= SigRTMax; n++ {
		switch n {
		case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, sigRuntime:
		default:
			sigs = append(sigs, n)
		}
	}
	return sigs
}

// received holds caught signals until the caller reads them. Its room
// exceeds the number of distinct signals, and the runtime merges repeats of
// a signal still pending, so a burst does not overflow it while the reader
// keeps up.
var received = make(chan os.Signal, 2*len(Forwardable))

func init() {
	signal.Notify(received, Forwardable...)
	for _, sig := range []int{reserved32, SigRTMin} {
		// SIGCHLD always has the runtime's handler. Should this fail, the
		// signal keeps the default action it has in every Go program.
		_ = goruntime.CatchReserved(sig, int(syscall.SIGCHLD))
	}
	// Should this fail, SIGPROF stays with the runtime, which drops it.
	_ = catchSIGPROF()
}

// Received delivers every caught signal, in the order caught.
func Received() <-chan os.Signal { return received }

// A Forwarder delivers signals to one child.
type Forwarder struct {
	pid         int
	singleChild bool
	reaped      bool
}

// New returns a Forwarder for the child pid, which leads its own process
// group. With singleChild, signals go to the child alone; otherwise to its
// whole group.
func New(pid int, singleChild bool) *Forwarder {
	return &Forwarder{pid: pid, singleChild: singleChild}
}

// ChildReaped tells the Forwarder the child has been reaped; Forward does
// nothing after it.
func (f *Forwarder) ChildReaped() { f.reaped = true }

// Forward delivers sig. The group goes on receiving signals even if the
// child leaves it (setpgid, setsid); the child then gets them on its own
// too. A target that is already gone is not an error.
func (f *Forwarder) Forward(sig syscall.Signal) error {
	if f.reaped {
		return nil
	}
	if f.singleChild {
		return ignoreGone(syscall.Kill(f.pid, sig))
	}
	err := ignoreGone(syscall.Kill(-f.pid, sig))
	if pgid, gerr := syscall.Getpgid(f.pid); gerr == nil && pgid != f.pid {
		err = ignoreGone(syscall.Kill(f.pid, sig))
	}
	return err
}

func ignoreGone(err error) error {
	if err == syscall.ESRCH {
		return nil
	}
	return err
}
