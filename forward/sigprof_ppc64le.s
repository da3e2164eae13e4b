#include "textflag.h"

// See sigprof_amd64.s.
TEXT ·profHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVD	$4, R0 // SYS_write
	MOVW	·profPipeWrite(SB), R3
	MOVD	$·profByte(SB), R4
	MOVD	$1, R5
	SYSCALL
	RET

TEXT ·profHandlerAddr(SB),NOSPLIT,$0-8
	MOVD	$·profHandler(SB), R3
	MOVD	R3, ret+0(FP)
	RET
