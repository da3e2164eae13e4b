#include "textflag.h"

// See sigprof_amd64.s.
TEXT ·profHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVD	$4, R1 // SYS_write
	MOVW	·profPipeWrite(SB), R2
	MOVD	$·profByte(SB), R3
	MOVD	$1, R4
	SYSCALL
	RET

TEXT ·profHandlerAddr(SB),NOSPLIT,$0-8
	MOVD	$·profHandler(SB), R2
	MOVD	R2, ret+0(FP)
	RET
