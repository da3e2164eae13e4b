#include "textflag.h"

// See handler_amd64.s. Arguments: sig R0, info R1, ctx R2; LR holds the
// return trampoline. siginfo's si_pid is at 12 on 32-bit ports.
TEXT ·handler(SB),NOSPLIT|NOFRAME,$0
	MOVW	$·route(SB), R3
	ADD	R0, R3, R3
	MOVBU	(R3), R3
	CMP	$1, R3
	BEQ	kernelfault
	CMP	$2, R3
	BEQ	ownurg
	CMP	$3, R3
	BEQ	ownpipe

report:
	CMP	$17, R0
	BNE	write
	MOVW	$1, R3
	MOVW	R3, ·childPending(SB)
write:
	MOVW	$·sigbytes(SB), R1
	ADD	R0, R1, R1
	MOVW	·pipeWrite(SB), R0
	MOVW	$1, R2
	MOVW	$4, R7 // SYS_write
	SWI	$0
	RET

kernelfault:
	MOVW	8(R1), R3
	CMP	$0, R3
	BGT	runtime
	B	report

ownurg:
	MOVW	8(R1), R3
	CMN	$6, R3 // si_code == SI_TKILL (-6)
	BNE	report
	MOVW	12(R1), R3
	MOVW	·ownPid(SB), R4
	CMP	R4, R3
	BNE	report
	B	runtime // the preemption is the runtime's

ownpipe:
	MOVW	12(R1), R3
	MOVW	·ownPid(SB), R4
	CMP	R4, R3
	BNE	report
	RET

runtime:
	MOVW	·runtimeHandler(SB), R3
	B	(R3)

TEXT ·handlerAddr(SB),NOSPLIT,$0-4
	MOVW	$·handler(SB), R0
	MOVW	R0, ret+0(FP)
	RET
