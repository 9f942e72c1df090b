//go:build amd64

#include "textflag.h"

// Constants of exp32 (exp.go), eight lanes each.
#define C8(name, bits) \
	DATA name<>+0(SB)/4, bits; \
	DATA name<>+4(SB)/4, bits; \
	DATA name<>+8(SB)/4, bits; \
	DATA name<>+12(SB)/4, bits; \
	DATA name<>+16(SB)/4, bits; \
	DATA name<>+20(SB)/4, bits; \
	DATA name<>+24(SB)/4, bits; \
	DATA name<>+28(SB)/4, bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

C8(expLo, $-87.0)
C8(expHi, $88.0)
C8(expLog2e, $1.44269504088896341)
C8(expLn2Hi, $0.693359375)
C8(expLn2Lo, $-2.12194440e-4)
C8(expC6, $0.001388888888888889)
C8(expC5, $0.008333333333333333)
C8(expC4, $0.041666666666666664)
C8(expC3, $0.16666666666666666)
C8(expHalf, $0.5)
C8(expOne, $1.0)
C8(exp127, $0x7f)

// EXP replaces Y0 with exp32(Y0), lane by lane; it uses Y1 and Y2.
#define EXP \
	VMAXPS expLo<>(SB), Y0, Y0; \
	VMINPS expHi<>(SB), Y0, Y0; \
	VMULPS expLog2e<>(SB), Y0, Y1; \
	VROUNDPS $0, Y1, Y1; \
	VFNMADD231PS expLn2Hi<>(SB), Y1, Y0; \
	VFNMADD231PS expLn2Lo<>(SB), Y1, Y0; \
	VMOVUPS expC6<>(SB), Y2; \
	VFMADD213PS expC5<>(SB), Y0, Y2; \
	VFMADD213PS expC4<>(SB), Y0, Y2; \
	VFMADD213PS expC3<>(SB), Y0, Y2; \
	VFMADD213PS expHalf<>(SB), Y0, Y2; \
	VFMADD213PS expOne<>(SB), Y0, Y2; \
	VFMADD213PS expOne<>(SB), Y0, Y2; \
	VCVTPS2DQ Y1, Y1; \
	VPADDD exp127<>(SB), Y1, Y1; \
	VPSLLD $23, Y1, Y1; \
	VMULPS Y1, Y2, Y0

// func expSumAsm(x *float32, n int, m float32) float32
// x[i] = exp32(x[i]-m) for n (a multiple of 8) values; returns their sum.
TEXT ·expSumAsm(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS m+16(FP), Y15
	VXORPS Y14, Y14, Y14

exploop:
	VMOVUPS (SI), Y0
	VSUBPS Y15, Y0, Y0
	EXP
	VMOVUPS Y0, (SI)
	VADDPS Y0, Y14, Y14
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  exploop

	VEXTRACTF128 $1, Y14, X1
	VADDPS X1, X14, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func siluMulAsm(gate, up *float32, n int)
// g[i] = g[i]/(1+exp32(-g[i]))·u[i] for n (a multiple of 8) values.
TEXT ·siluMulAsm(SB), NOSPLIT, $0-24
	MOVQ gate+0(FP), SI
	MOVQ up+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15

siluloop:
	VMOVUPS (SI), Y3
	VSUBPS Y3, Y15, Y0
	EXP
	VADDPS expOne<>(SB), Y0, Y0
	VDIVPS Y0, Y3, Y3
	VMULPS (DI), Y3, Y3
	VMOVUPS Y3, (SI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  siluloop
	VZEROUPPER
	RET
