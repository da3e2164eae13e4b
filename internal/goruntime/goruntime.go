// Package goruntime holds the few things goinit needs from inside the Go
// runtime and the syscall package that no public API gives:
//
//   - the signal dispositions and signal mask goinit was started with, which
//     the runtime replaces before any of goinit's code runs (the child must
//     get the originals);
//   - the soft RLIMIT_NOFILE goinit was started with, which the syscall
//     package raises at start-up;
//   - the environment exactly as the kernel passed it (os.Environ drops
//     duplicate names);
//   - installing a signal handler of goinit's own with the flags and return
//     trampoline the runtime uses for its own.
//
// Each is read from an unexported variable by //go:linkname. Pulling such
// variables needs the binary, and the test binaries of packages that import
// this one, to be linked with -ldflags=-checklinkname=0 (the Makefile does).
// Without it the link fails loudly; a goinit that silently changed its
// child's signal state would be worse. The variables are stable across Go
// releases; TestRuntimeStateMatchesWhatTheParentHandedOver checks them.
package goruntime

import (
	"sync/atomic"
	"syscall"
	"unsafe"
	_ "unsafe" // for go:linkname
)

//go:linkname fwdSig runtime.fwdSig
var fwdSig [65]uintptr

// runtime.initSigmask is [2]uint32 on little-endian ports and uint64 on the
// big-endian ones; both have the memory layout of the kernel's 64-bit sigset.
//
//go:linkname initSigmask runtime.initSigmask
var initSigmask uint64

//go:linkname origRlimitNofile syscall.origRlimitNofile
var origRlimitNofile atomic.Pointer[syscall.Rlimit]

//go:linkname runtimeEnvs syscall.runtime_envs
func runtimeEnvs() []string

// Dispositions as the kernel spells them.
const (
	SigDFL = 0
	SigIGN = 1
)

// NumSignals is the highest signal number on every port goinit builds for.
const NumSignals = 64

// Sigaction is the kernel's struct sigaction, large enough on every
// supported port. The handler comes first on all of them.
type Sigaction struct {
	Handler uintptr
	Rest    [3]uint64
}

// SigsetSize is the size of the kernel's sigset, for rt_sig* calls.
const SigsetSize = 8

// GetSigaction reads the current kernel disposition of sig.
func GetSigaction(sig int) (Sigaction, error) {
	var act Sigaction
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&act)), SigsetSize, 0, 0)
	if errno != 0 {
		return act, errno
	}
	return act, nil
}

func setSigaction(sig int, act *Sigaction) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)), 0, SigsetSize, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// inheritedIgnored is taken when this package is initialised, before any
// package that imports it installs handlers of its own.
var inheritedIgnored = readIgnored()

// readIgnored records which signals were ignored (SIG_IGN) when goinit
// started. A signal the runtime has not taken over still has its original
// disposition; for one it has, the runtime recorded the original when it
// installed its handler.
func readIgnored() (ignored [NumSignals + 1]bool) {
	for sig := 1; sig <= NumSignals; sig++ {
		act, err := GetSigaction(sig)
		switch {
		case err != nil, act.Handler == SigDFL:
		case act.Handler == SigIGN:
			ignored[sig] = true
		default:
			ignored[sig] = atomic.LoadUintptr(&fwdSig[sig]) == SigIGN
		}
	}
	return ignored
}

// InheritedIgnored reports whether sig was ignored (SIG_IGN) when goinit
// started.
func InheritedIgnored(sig int) bool {
	return sig > 0 && sig <= NumSignals && inheritedIgnored[sig]
}

// InheritedMask returns the signal mask goinit was started with, in the
// kernel's sigset layout.
func InheritedMask() uint64 { return initSigmask }

// RestoreFileLimit puts back the soft RLIMIT_NOFILE goinit was started
// with, so the child inherits it. goinit needs only a handful of
// descriptors.
func RestoreFileLimit() error {
	orig := origRlimitNofile.Load()
	if orig == nil {
		return nil
	}
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, orig)
}

// Environ returns goinit's environment exactly as the kernel passed it,
// duplicates and order included.
func Environ() []string { return runtimeEnvs() }

// InstallHandler makes handler, a function written in assembly that follows
// the C calling convention of signal handlers, the handler of each of sigs.
// It runs with the flags, mask and return trampoline of like, the action
// the runtime installed for one of its own signals (read with
// GetSigaction), so on the alternate signal stack every runtime thread has.
func InstallHandler(sigs []syscall.Signal, like Sigaction, handler uintptr) error {
	like.Handler = handler
	for _, sig := range sigs {
		if err := setSigaction(int(sig), &like); err != nil {
			return err
		}
	}
	return nil
}
