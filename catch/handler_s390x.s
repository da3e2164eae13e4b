#include "textflag.h"

// See handler_amd64.s. Arguments: sig R2, info R3, ctx R4; R14 holds the
// return trampoline.
TEXT ·handler(SB),NOSPLIT|NOFRAME,$0
	MOVD	$·route(SB), R5
	ADD	R2, R5
	MOVBZ	(R5), R5
	CMPBEQ	R5, $1, kernelfault
	CMPBEQ	R5, $2, ownurg
	CMPBEQ	R5, $3, ownpipe

report:
	CMPBNE	R2, $17, write
	MOVD	$1, R5
	MOVW	R5, ·childPending(SB)
write:
	MOVD	$·sigbytes(SB), R3
	ADD	R2, R3
	MOVW	·pipeWrite(SB), R2
	MOVD	$1, R4
	MOVD	$4, R1 // SYS_write
	SYSCALL
	RET

kernelfault:
	MOVW	8(R3), R5
	CMPBGT	R5, $0, runtime
	BR	report

ownurg:
	MOVW	8(R3), R5
	CMPBNE	R5, $-6, report // si_code == SI_TKILL
	MOVW	16(R3), R5
	MOVW	·ownPid(SB), R6
	CMPBNE	R5, R6, report
	BR	runtime // the preemption is the runtime's

ownpipe:
	MOVW	16(R3), R5
	MOVW	·ownPid(SB), R6
	CMPBNE	R5, R6, report
	RET

runtime:
	MOVD	·runtimeHandler(SB), R5
	BR	(R5)

TEXT ·handlerAddr(SB),NOSPLIT,$0-8
	MOVD	$·handler(SB), R2
	MOVD	R2, ret+0(FP)
	RET
