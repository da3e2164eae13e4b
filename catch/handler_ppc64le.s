#include "textflag.h"

// See handler_amd64.s. Arguments: sig R3, info R4, ctx R5; LR holds the
// return trampoline.
TEXT ·handler(SB),NOSPLIT|NOFRAME,$0
	MOVD	$·route(SB), R6
	ADD	R3, R6, R6
	MOVBZ	(R6), R6
	CMP	R6, $1
	BEQ	kernelfault
	CMP	R6, $2
	BEQ	ownurg
	CMP	R6, $3
	BEQ	ownpipe

report:
	CMP	R3, $17
	BNE	write
	MOVD	$1, R6
	MOVW	R6, ·childPending(SB)
write:
	MOVD	$·sigbytes(SB), R4
	ADD	R3, R4, R4
	MOVW	·pipeWrite(SB), R3
	MOVD	$1, R5
	MOVD	$4, R0 // SYS_write
	SYSCALL
	RET

kernelfault:
	MOVW	8(R4), R6
	CMP	R6, $0
	BGT	runtime
	BR	report

ownurg:
	MOVW	8(R4), R6
	CMP	R6, $-6 // si_code == SI_TKILL
	BNE	report
	MOVW	16(R4), R6
	MOVW	·ownPid(SB), R7
	CMPW	R6, R7
	BNE	report
	BR	runtime // the preemption is the runtime's

ownpipe:
	MOVW	16(R4), R6
	MOVW	·ownPid(SB), R7
	CMPW	R6, R7
	BNE	report
	RET

runtime:
	MOVD	·runtimeHandler(SB), R12
	MOVD	R12, CTR
	BR	(CTR)

TEXT ·handlerAddr(SB),NOSPLIT,$0-8
	MOVD	$·handler(SB), R3
	MOVD	R3, ret+0(FP)
	RET
