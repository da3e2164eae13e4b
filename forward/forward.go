// Package forward delivers the signals goinit passes on to its child: to
// the child's process group (the default) or to the child alone.
//
// A Forwarder never signals once told the child has been reaped: from then
// on the child's pid, which is also its group's id, may name an unrelated
// process. Which signals are passed on, and as what, is package signals'
// business; what the child leaves behind is package leftovers'.
package forward

import (
	"syscall"

	"golang.org/x/sys/unix"
)

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
		return ignoreGone(unix.Kill(f.pid, sig))
	}
	err := ignoreGone(unix.Kill(-f.pid, sig))
	if pgid, gerr := unix.Getpgid(f.pid); gerr == nil && pgid != f.pid {
		err = ignoreGone(unix.Kill(f.pid, sig))
	}
	return err
}

func ignoreGone(err error) error {
	if err == syscall.ESRCH {
		return nil
	}
	return err
}
