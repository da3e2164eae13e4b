#include "textflag.h"

// See handler_amd64.s. Arguments: sig A0, info A1, ctx A2; RA holds the
// return trampoline.
TEXT ·handler(SB),NOSPLIT|NOFRAME,$0
	MOV	$·route(SB), T0
	ADD	A0, T0, T0
	MOVBU	(T0), T0
	MOV	$1, T1
	BEQ	T0, T1, kernelfault
	MOV	$2, T1
	BEQ	T0, T1, ownurg
	MOV	$3, T1
	BEQ	T0, T1, ownpipe

report:
	MOV	$17, T1
	BNE	A0, T1, write
	MOV	$1, T0
	MOVW	T0, ·childPending(SB)
write:
	MOV	$·sigbytes(SB), A1
	ADD	A0, A1, A1
	MOVW	·pipeWrite(SB), A0
	MOV	$1, A2
	MOV	$64, A7 // SYS_write
	ECALL
	RET

kernelfault:
	MOVW	8(A1), T0
	BGT	T0, ZERO, runtime
	JMP	report

ownurg:
	MOVW	8(A1), T0
	MOV	$-6, T1 // si_code == SI_TKILL
	BNE	T0, T1, report
	MOVW	16(A1), T0
	MOVW	·ownPid(SB), T1
	BNE	T0, T1, report
	JMP	runtime // the preemption is the runtime's

ownpipe:
	MOVW	16(A1), T0
	MOVW	·ownPid(SB), T1
	BNE	T0, T1, report
	RET

runtime:
	MOV	·runtimeHandler(SB), T0
	JMP	(T0)

TEXT ·handlerAddr(SB),NOSPLIT,$0-8
	MOV	$·handler(SB), A0
	MOV	A0, ret+0(FP)
	RET
