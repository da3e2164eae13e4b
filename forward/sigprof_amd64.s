#include "textflag.h"

// func profHandler()
// Entered by the kernel as handler(sig, info, ctx); writes profByte to the
// pipe and returns to the runtime's sigreturn trampoline.
TEXT ·profHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVL	$1, AX // SYS_write
	MOVLQSX	·profPipeWrite(SB), DI
	MOVQ	$·profByte(SB), SI
	MOVL	$1, DX
	SYSCALL
	RET

// func profHandlerAddr() uintptr
TEXT ·profHandlerAddr(SB),NOSPLIT,$0-8
	MOVQ	$·profHandler(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
