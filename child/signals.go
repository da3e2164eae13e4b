package child

import (
	"syscall"

	"goinit/internal/goruntime"
)

// inheritedSignals is the signal state goinit itself was started with, which
// the child gets in place of the one the Go runtime set up for goinit.
type inheritedSignals struct {
	mask    uint64 // blocked signals, in the kernel's sigset layout
	ignored [goruntime.NumSignals + 1]bool
}

func readInheritedSignals() inheritedSignals {
	st := inheritedSignals{mask: goruntime.InheritedMask()}
	for sig := 1; sig <= goruntime.NumSignals; sig++ {
		if sig != int(syscall.SIGKILL) && sig != int(syscall.SIGSTOP) {
			st.ignored[sig] = goruntime.InheritedIgnored(sig)
		}
	}
	return st
}
