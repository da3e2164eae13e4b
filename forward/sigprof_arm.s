#include "textflag.h"

// See sigprof_amd64.s.
TEXT ·profHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVW	$4, R7 // SYS_write
	MOVW	·profPipeWrite(SB), R0
	MOVW	$·profByte(SB), R1
	MOVW	$1, R2
	SWI	$0
	RET

TEXT ·profHandlerAddr(SB),NOSPLIT,$0-4
	MOVW	$·profHandler(SB), R0
	MOVW	R0, ret+0(FP)
	RET
