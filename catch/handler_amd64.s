#include "textflag.h"

// func handler()
//
// Entered by the kernel as handler(sig DI, info SI, ctx DX) on the signal
// stack, returning to the runtime's sigreturn trampoline. Uses no stack.
TEXT ·handler(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$·route(SB), AX
	MOVBLZX	(AX)(DI*1), AX
	CMPL	AX, $1
	JEQ	kernelfault
	CMPL	AX, $2
	JEQ	ownurg
	CMPL	AX, $3
	JEQ	ownpipe

report:
	CMPL	DI, $17 // SIGCHLD: set the flag before writing
	JNE	write
	MOVL	$1, ·childPending(SB)
write:
	MOVQ	$·sigbytes(SB), SI
	ADDQ	DI, SI
	MOVLQSX	·pipeWrite(SB), DI
	MOVL	$1, DX
	MOVL	$1, AX // SYS_write
	SYSCALL
	RET

kernelfault: // raised by the kernel (si_code > 0): the runtime's
	MOVL	8(SI), AX
	CMPL	AX, $0
	JGT	runtime
	JMP	report

ownurg: // the runtime's preemption: tgkill (SI_TKILL) from goinit itself
	MOVL	8(SI), AX
	CMPL	AX, $-6
	JNE	report
	MOVL	16(SI), AX
	CMPL	AX, ·ownPid(SB)
	JNE	report
	JMP	runtime // the preemption is the runtime's

ownpipe: // raised by goinit's own write to a broken pipe: dropped
	MOVL	16(SI), AX
	CMPL	AX, ·ownPid(SB)
	JNE	report
	RET

runtime: // tail call, with the kernel's arguments untouched
	MOVQ	·runtimeHandler(SB), AX
	JMP	AX

// func handlerAddr() uintptr
TEXT ·handlerAddr(SB),NOSPLIT,$0-8
	MOVQ	$·handler(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
