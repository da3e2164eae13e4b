// Package signals is what goinit knows about signals as numbers and names:
// which ones it passes on (Forwardable), how the user names them (Parse,
// Name), and what each received one is forwarded as (Rewrite). It sends
// and receives nothing; package catch receives, package forward delivers.
package signals

import "syscall"

// The real-time signals as the C library numbers them: SIGRTMIN+n is
// signal RTMin+n.
const (
	RTMin = 34
	RTMax = 64

	// goRuntime is the signal the Go runtime keeps for itself (as the C
	// library keeps 32 and 33); goinit can neither catch nor pass it on.
	goRuntime = 33
)

// Forwardable lists every signal goinit passes on, in number order: every
// signal a process can catch but SIGCHLD, which goinit consumes, and
// signal 33. That includes the job-control signals, signals 32 and 34, and
// every real-time signal up to SIGRTMAX.
func Forwardable() []syscall.Signal {
	sigs := make([]syscall.Signal, 0, RTMax)
	for n := syscall.Signal(1); n <= RTMax; n++ {
		if IsForwardable(n) {
			sigs = append(sigs, n)
		}
	}
	return sigs
}

// IsForwardable reports whether goinit passes sig on.
func IsForwardable(sig syscall.Signal) bool {
	return Catchable(sig) && sig != syscall.SIGCHLD
}

// Catchable reports whether a handler can be installed for sig at all.
func Catchable(sig syscall.Signal) bool {
	return sig >= 1 && sig <= RTMax && sig != syscall.SIGKILL && sig != syscall.SIGSTOP && sig != goRuntime
}
