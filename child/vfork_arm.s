//go:build linux && arm

#include "textflag.h"

// func rawVfork(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// See vfork_64bit.s.
TEXT ·rawVfork(SB),NOSPLIT|NOFRAME,$0-24
	JMP	syscall·rawVforkSyscall(SB)
