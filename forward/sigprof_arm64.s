#include "textflag.h"

// See sigprof_amd64.s.
TEXT ·profHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVD	$64, R8 // SYS_write
	MOVW	·profPipeWrite(SB), R0
	MOVD	$·profByte(SB), R1
	MOVD	$1, R2
	SVC
	RET

TEXT ·profHandlerAddr(SB),NOSPLIT,$0-8
	MOVD	$·profHandler(SB), R0
	MOVD	R0, ret+0(FP)
	RET
