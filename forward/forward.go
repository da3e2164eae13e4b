// Package forward owns which signals goinit passes on and delivers them to
// the child: to its process group (the default) or to the child alone.
//
// Every signal a process can catch is forwarded, except SIGCHLD, which
// goinit consumes, and signal 33, which the Go runtime keeps for itself (as
// the C library does). That includes the job-control signals, signals 32
// and 34, and every real-time signal up to SIGRTMAX (64). Package catch
// receives them.
//
// A Forwarder never signals once told the child has been reaped: from then
// on the child's pid, which is also its group's id, may name an unrelated
// process. ToAll, for what the child leaves behind, signals only goinit's
// own tree (the whole PID namespace when goinit is its PID 1).
package forward

import "syscall"

// The real-time signals as the C library numbers them: SIGRTMIN+n is
// signal SigRTMin+n.
const (
	SigRTMin = 34
	SigRTMax = 64

	// sigRuntime is used by the Go runtime itself and cannot be caught.
	sigRuntime = 33
)

// Forwardable lists every signal goinit forwards, in number order.
var Forwardable = forwardable()

func forwardable() []syscall.Signal {
	sigs := make([]syscall.Signal, 0, SigRTMax)
	for n := syscall.Signal(1); n <= SigRTMax; n++ {
		switch n {
		case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, sigRuntime:
		default:
			sigs = append(sigs, n)
		}
	}
	return sigs
}

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
