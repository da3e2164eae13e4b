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
//   - catching signals 32 and 34, which the runtime leaves at their default
//     action (fatal) because C libraries reserve them, although it delivers
//     them to os/signal like any other once its handler is installed.
//
// Each is read from an unexported variable by //go:linkname. Pulling such
// variables needs the binary, and the test binaries of packages that import
// this one, to be linked with -ldflags=-checklinkname=0 (the Makefile does).
// Without it the link fails loudly; a goinit that silently changed its
// child's signal state would be worse. The variables are stable across Go
// releases; TestRuntimeStateMatchesKernel checks them against the kernel.
package goruntime

import (
	"sync/atomic"
	"syscall"
	"unsafe"
	_ "unsafe" // for go:linkname
)

//go:linkname fwdSig runtime.fwdSig
var fwdSig [65]uintptr

//go:linkname handlingSig runtime.handlingSig
var handlingSig [65]uint32

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

// InheritedIgnored reports whether sig was ignored (SIG_IGN) when goinit
// started. A signal the runtime has not taken over still has its original
// disposition; for one it has, the runtime recorded the original when it
// installed its handler.
func InheritedIgnored(sig int) bool {
	act, err := GetSigaction(sig)
	switch {
	case err != nil:
		return false
	case act.Handler == SigIGN:
		return true
	case act.Handler == SigDFL:
		return false
	}
	return atomic.LoadUintptr(&fwdSig[sig]) == SigIGN
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

// CatchReserved makes the runtime catch sig, one of the signals it leaves at
// the default action (32 and 34 on Linux), by installing for it the handler
// the runtime installed for template (a signal it handles, such as SIGCHLD).
// The caller must already have called signal.Notify for sig: the runtime's
// handler passes a signal someone sent (kill, tgkill) to os/signal when it
// is wanted there and drops it otherwise.
func CatchReserved(sig, template int) error {
	act, err := GetSigaction(template)
	if err != nil {
		return err
	}
	if act.Handler == SigDFL || act.Handler == SigIGN {
		return syscall.EINVAL // the runtime does not handle template
	}
	atomic.StoreUint32(&handlingSig[sig], 1)
	return setSigaction(sig, &act)
}

// InstallHandler makes handler, a function written in assembly that follows
// the C calling convention of signal handlers, the handler of sig. It runs
// with the flags, mask and return trampoline the runtime uses for template
// (a signal the runtime handles, such as SIGCHLD), so on the alternate
// signal stack every runtime thread has.
func InstallHandler(sig, template int, handler uintptr) error {
	act, err := GetSigaction(template)
	if err != nil {
		return err
	}
	if act.Handler == SigDFL || act.Handler == SigIGN {
		return syscall.EINVAL // the runtime does not handle template
	}
	act.Handler = handler
	return setSigaction(sig, &act)
}
