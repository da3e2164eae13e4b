#include "textflag.h"

// See handler_amd64.s. Arguments: sig R0, info R1, ctx R2; LR holds the
// return trampoline.
TEXT ·handler(SB),NOSPLIT|NOFRAME,$0
	MOVD	$·route(SB), R8
	MOVBU	(R8)(R0), R8
	CMP	$1, R8
	BEQ	kernelfault
	CMP	$2, R8
	BEQ	ownurg
	CMP	$3, R8
	BEQ	ownpipe

report:
	CMP	$17, R0
	BNE	write
	MOVD	$1, R8
	MOVW	R8, ·childPending(SB)
write:
	MOVD	$·sigbytes(SB), R1
	ADD	R0, R1, R1
	MOVW	·pipeWrite(SB), R0
	MOVD	$1, R2
	MOVD	$64, R8 // SYS_write
	SVC
	RET

kernelfault:
	MOVW	8(R1), R8
	CMP	$0, R8
	BGT	runtime
	B	report

ownurg:
	MOVW	8(R1), R8
	CMN	$6, R8 // si_code == SI_TKILL (-6)
	BNE	report
	MOVW	16(R1), R8
	MOVW	·ownPid(SB), R9
	CMPW	R9, R8
	BNE	report
	B	runtime // the preemption is the runtime's

ownpipe:
	MOVW	16(R1), R8
	MOVW	·ownPid(SB), R9
	CMPW	R9, R8
	BNE	report
	RET

runtime:
	MOVD	·runtimeHandler(SB), R8
	JMP	(R8)

TEXT ·handlerAddr(SB),NOSPLIT,$0-8
	MOVD	$·handler(SB), R0
	MOVD	R0, ret+0(FP)
	RET
