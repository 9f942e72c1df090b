//go:build amd64

#include "textflag.h"

DATA rndOne<>+0(SB)/4, $1
GLOBL rndOne<>(SB), RODATA|NOPTR, $4
DATA rndHalf<>+0(SB)/4, $0x7fff
GLOBL rndHalf<>(SB), RODATA|NOPTR, $4
DATA rndAbs<>+0(SB)/4, $0x7fffffff
GLOBL rndAbs<>(SB), RODATA|NOPTR, $4
DATA rndInf<>+0(SB)/4, $0x7f800000
GLOBL rndInf<>(SB), RODATA|NOPTR, $4
DATA rndQuiet<>+0(SB)/4, $0x40
GLOBL rndQuiet<>(SB), RODATA|NOPTR, $4

// func roundBF16Asm(x *float32, bf *uint16, bfx *float32, n int)
// half.F32ToBF16 for n (a multiple of 8) values: bf gets the bfloat16 bits
// (to nearest, ties to even; NaN stays a quiet NaN) and bfx the same values
// widened back to float32.
TEXT ·roundBF16Asm(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ bf+8(FP), DI
	MOVQ bfx+16(FP), DX
	MOVQ n+24(FP), CX
	VPBROADCASTD rndOne<>(SB), Y10
	VPBROADCASTD rndHalf<>(SB), Y11
	VPBROADCASTD rndAbs<>(SB), Y12
	VPBROADCASTD rndInf<>(SB), Y13
	VPBROADCASTD rndQuiet<>(SB), Y14

rndloop:
	VMOVDQU (SI), Y0
	VPSRLD $16, Y0, Y1
	VPAND Y10, Y1, Y1
	VPADDD Y11, Y1, Y1
	VPADDD Y0, Y1, Y1
	VPSRLD $16, Y1, Y1
	VPAND Y12, Y0, Y2
	VPCMPGTD Y13, Y2, Y3
	VPSRLD $16, Y0, Y4
	VPOR Y14, Y4, Y4
	VPBLENDVB Y3, Y4, Y1, Y1
	VPSLLD $16, Y1, Y5
	VMOVDQU Y5, (DX)
	VEXTRACTI128 $1, Y1, X6
	VPACKUSDW X6, X1, X1
	VMOVDQU X1, (DI)
	ADDQ $32, SI
	ADDQ $16, DI
	ADDQ $32, DX
	SUBQ $8, CX
	JNZ  rndloop
	VZEROUPPER
	RET
