//go:build amd64

#include "textflag.h"

DATA qAbs<>+0(SB)/4, $0x7fffffff
GLOBL qAbs<>(SB), RODATA|NOPTR, $4
DATA qSign<>+0(SB)/4, $0x80000000
GLOBL qSign<>(SB), RODATA|NOPTR, $4
DATA qHalf<>+0(SB)/4, $0.5
GLOBL qHalf<>(SB), RODATA|NOPTR, $4
DATA q127<>+0(SB)/4, $127.0
GLOBL q127<>(SB), RODATA|NOPTR, $4
// After vpackssdw and vpacksswb the dwords of a 32-byte result are in the
// order 0 4 1 5 2 6 3 7 (the packs work within 128-bit lanes).
DATA qPerm<>+0(SB)/4, $0
DATA qPerm<>+4(SB)/4, $4
DATA qPerm<>+8(SB)/4, $1
DATA qPerm<>+12(SB)/4, $5
DATA qPerm<>+16(SB)/4, $2
DATA qPerm<>+20(SB)/4, $6
DATA qPerm<>+24(SB)/4, $3
DATA qPerm<>+28(SB)/4, $7
GLOBL qPerm<>(SB), RODATA|NOPTR, $32

// ROUND replaces Y with int32(Y·Y9 + copysign(0.5, Y·Y9)): Go's
// int32(f + half) in quantizeRow, rounding halves away from zero.
#define ROUND(y) \
	VMULPS Y9, y, y; \
	VANDPS Y13, y, Y8; \
	VORPS Y14, Y8, Y8; \
	VADDPS Y8, y, y; \
	VCVTTPS2DQ y, y

// func quantizeBlocksAsm(x *float32, q *int8, d *float32, nb int)
// quantizeRow for nb whole blocks of 32 values, bit for bit: d = max|x|/127,
// q = round(x·(127/max|x|)); an all-zero block gets d = 0 and zeros.
TEXT ·quantizeBlocksAsm(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ nb+24(FP), CX
	VPBROADCASTD qAbs<>(SB), Y12
	VPBROADCASTD qSign<>(SB), Y13
	VPBROADCASTD qHalf<>(SB), Y14
	VMOVSS q127<>(SB), X15
	VMOVDQU qPerm<>(SB), Y11
	VXORPS X10, X10, X10

qloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VANDPS Y12, Y0, Y4
	VANDPS Y12, Y1, Y5
	VANDPS Y12, Y2, Y6
	VANDPS Y12, Y3, Y7
	VMAXPS Y5, Y4, Y4
	VMAXPS Y7, Y6, Y6
	VMAXPS Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS X5, X4, X4
	VPERMILPS $0x4e, X4, X5
	VMAXPS X5, X4, X4
	VPERMILPS $0xb1, X4, X5
	VMAXPS X5, X4, X4
	VUCOMISS X10, X4
	JEQ  qzero
	VDIVSS X15, X4, X5
	VMOVSS X5, (DX)
	VDIVSS X4, X15, X9
	VBROADCASTSS X9, Y9
	ROUND(Y0)
	ROUND(Y1)
	ROUND(Y2)
	ROUND(Y3)
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VPERMD Y0, Y11, Y0
	VMOVDQU Y0, (DI)
	JMP  qnext

qzero:
	VMOVSS X10, (DX)
	VXORPS Y0, Y0, Y0
	VMOVDQU Y0, (DI)

qnext:
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ  qloop
	VZEROUPPER
	RET
