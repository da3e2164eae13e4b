#include "textflag.h"

// See sigprof_amd64.s.
TEXT ·profHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOV	$64, A7 // SYS_write
	MOVW	·profPipeWrite(SB), A0
	MOV	$·profByte(SB), A1
	MOV	$1, A2
	ECALL
	RET

TEXT ·profHandlerAddr(SB),NOSPLIT,$0-8
	MOV	$·profHandler(SB), A0
	MOV	A0, ret+0(FP)
	RET
