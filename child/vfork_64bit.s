//go:build linux && (amd64 || arm64 || ppc64le || s390x || riscv64)

#include "textflag.h"

// func rawVfork(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// A tail jump into the syscall package's own vfork entry. Calling that one
// from Go in this package would go through a generated ABI wrapper whose
// frame the child overwrites before the parent returns through it; this
// stub is ABI0 and adds no frame, so the caller's frame is the only one.
TEXT ·rawVfork(SB),NOSPLIT|NOFRAME,$0-48
	JMP	syscall·rawVforkSyscall(SB)
