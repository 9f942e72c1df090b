//go:build amd64

#include "textflag.h"

// Horizontal sum of the 8 lanes of y into the low lane of x (clobbers X15).
#define HSUM(y, x) VEXTRACTF128 $1, y, X15; VADDPS X15, x, x; VHADDPS x, x, x; VHADDPS x, x, x

// func dotF32Asm(a, b *float32, n int) float32
// n is a positive multiple of 8.
TEXT ·dotF32Asm(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

f32loop32:
	CMPQ CX, $32
	JL   f32loop8
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  f32loop32

f32loop8:
	CMPQ CX, $8
	JL   f32done
	VMOVUPS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  f32loop8

f32done:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM(Y0, X0)
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotBF16Asm(w *uint16, x *float32, n int) float32
// n is a positive multiple of 8.
TEXT ·dotBF16Asm(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

bf16loop32:
	CMPQ CX, $32
	JL   bf16loop8
	VPMOVZXWD (SI), Y4
	VPMOVZXWD 16(SI), Y5
	VPMOVZXWD 32(SI), Y6
	VPMOVZXWD 48(SI), Y7
	VPSLLD $16, Y4, Y4
	VPSLLD $16, Y5, Y5
	VPSLLD $16, Y6, Y6
	VPSLLD $16, Y7, Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  bf16loop32

bf16loop8:
	CMPQ CX, $8
	JL   bf16done
	VPMOVZXWD (SI), Y4
	VPSLLD $16, Y4, Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  bf16loop8

bf16done:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM(Y0, X0)
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// One Q8 block: 32 int8 weights at (SI), 32 int8 activations at (DI), the
// product of their scales broadcast into the accumulator acc.
#define Q8BLOCK(off, soff, acc) \
	VMOVDQU off(SI), Y1; \
	VMOVDQU off(DI), Y2; \
	VPSIGNB Y1, Y2, Y2; \
	VPABSB Y1, Y1; \
	VPMADDUBSW Y2, Y1, Y3; \
	VPMADDWD Y15, Y3, Y3; \
	VCVTDQ2PS Y3, Y3; \
	VMOVSS soff(R8), X4; \
	VMULSS soff(R9), X4, X4; \
	VBROADCASTSS X4, Y4; \
	VFMADD231PS Y4, Y3, acc

// func dotQ8Asm(wq *int8, wd *float32, xq *int8, xd *float32, nb int) float32
// nb >= 1 blocks of 32 values with one float32 scale each.
TEXT ·dotQ8Asm(SB), NOSPLIT, $0-44
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), R8
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), R9
	MOVQ nb+32(FP), CX
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15 // sixteen int16 ones
	VXORPS Y0, Y0, Y0
	VXORPS Y5, Y5, Y5

q8loop2:
	CMPQ CX, $2
	JL   q8loop1
	Q8BLOCK(0, 0, Y0)
	Q8BLOCK(32, 4, Y5)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $8, R8
	ADDQ $8, R9
	SUBQ $2, CX
	JMP  q8loop2

q8loop1:
	CMPQ CX, $1
	JL   q8done
	Q8BLOCK(0, 0, Y0)

q8done:
	VADDPS Y5, Y0, Y0
	HSUM(Y0, X0)
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// Reduce the 12 accumulators Y0..Y11 and store them to out (R12).
#define STORE12 \
	HSUM(Y0, X0); VMOVSS X0, 0(R12); \
	HSUM(Y1, X1); VMOVSS X1, 4(R12); \
	HSUM(Y2, X2); VMOVSS X2, 8(R12); \
	HSUM(Y3, X3); VMOVSS X3, 12(R12); \
	HSUM(Y4, X4); VMOVSS X4, 16(R12); \
	HSUM(Y5, X5); VMOVSS X5, 20(R12); \
	HSUM(Y6, X6); VMOVSS X6, 24(R12); \
	HSUM(Y7, X7); VMOVSS X7, 28(R12); \
	HSUM(Y8, X8); VMOVSS X8, 32(R12); \
	HSUM(Y9, X9); VMOVSS X9, 36(R12); \
	HSUM(Y10, X10); VMOVSS X10, 40(R12); \
	HSUM(Y11, X11); VMOVSS X11, 44(R12)

#define ZERO12 \
	VXORPS Y0, Y0, Y0; VXORPS Y1, Y1, Y1; VXORPS Y2, Y2, Y2; VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7; \
	VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11

// func gemmF32Asm(w *float32, ldw int, x *float32, ldx, k int, out *[12]float32)
// out[r*3+t] = Σ_{j<k} w[r*ldw+j]·x[t*ldx+j] for r < 4, t < 3; k is a
// positive multiple of 8.
TEXT ·gemmF32Asm(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), R8
	MOVQ ldw+8(FP), AX
	SHLQ $2, AX
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	MOVQ x+16(FP), SI
	MOVQ ldx+24(FP), AX
	SHLQ $2, AX
	LEAQ (SI)(AX*1), DI
	LEAQ (DI)(AX*1), BX
	MOVQ k+32(FP), CX
	SHLQ $2, CX
	MOVQ out+40(FP), R12
	ZERO12
	XORQ AX, AX

gf32loop:
	VMOVUPS (SI)(AX*1), Y12
	VMOVUPS (DI)(AX*1), Y13
	VMOVUPS (BX)(AX*1), Y14
	VMOVUPS (R8)(AX*1), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VMOVUPS (R9)(AX*1), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VMOVUPS (R10)(AX*1), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VMOVUPS (R11)(AX*1), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ $32, AX
	CMPQ AX, CX
	JL   gf32loop

	STORE12
	VZEROUPPER
	RET

// func gemmBF16Asm(w *uint16, ldw int, x *float32, ldx, k int, out *[12]float32)
// As gemmF32Asm with bfloat16 weights widened on load.
TEXT ·gemmBF16Asm(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), R8
	MOVQ ldw+8(FP), AX
	SHLQ $1, AX
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	MOVQ x+16(FP), SI
	MOVQ ldx+24(FP), AX
	SHLQ $2, AX
	LEAQ (SI)(AX*1), DI
	LEAQ (DI)(AX*1), BX
	MOVQ k+32(FP), CX
	SHLQ $2, CX
	MOVQ out+40(FP), R12
	ZERO12
	XORQ AX, AX // byte offset into x
	XORQ DX, DX // byte offset into w

gbf16loop:
	VMOVUPS (SI)(AX*1), Y12
	VMOVUPS (DI)(AX*1), Y13
	VMOVUPS (BX)(AX*1), Y14
	VPMOVZXWD (R8)(DX*1), Y15
	VPSLLD $16, Y15, Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VPMOVZXWD (R9)(DX*1), Y15
	VPSLLD $16, Y15, Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VPMOVZXWD (R10)(DX*1), Y15
	VPSLLD $16, Y15, Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VPMOVZXWD (R11)(DX*1), Y15
	VPSLLD $16, Y15, Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ $32, AX
	ADDQ $16, DX
	CMPQ AX, CX
	JL   gbf16loop

	STORE12
	VZEROUPPER
	RET

// One block of one row of a Q8 row group: weights at woff(SI), the row's
// block scale at soff(DX); activation block in Y2, its scale broadcast in
// Y14; sixteen int16 ones in Y15.
#define Q8ROW(woff, soff, acc) \
	VMOVDQU woff(SI), Y1; \
	VPSIGNB Y1, Y2, Y3; \
	VPABSB Y1, Y1; \
	VPMADDUBSW Y3, Y1, Y3; \
	VPMADDWD Y15, Y3, Y3; \
	VCVTDQ2PS Y3, Y3; \
	VBROADCASTSS soff(DX), Y4; \
	VMULPS Y14, Y4, Y4; \
	VFMADD231PS Y4, Y3, acc

// func dotQ8x4Asm(wq *int8, wd *float32, xq *int8, xd *float32, pairs int, out *[4]float32)
// The four rows of a Q8 row group (tiled layout, see Q8) against one
// quantized activation row, pairs >= 1 pairs of blocks.
TEXT ·dotQ8x4Asm(SB), NOSPLIT, $0-48
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), DX
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), BX
	MOVQ pairs+32(FP), CX
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8

q8x4loop:
	VMOVDQU (DI), Y2
	VBROADCASTSS (BX), Y14
	Q8ROW(0, 0, Y5)
	Q8ROW(64, 8, Y6)
	Q8ROW(128, 16, Y7)
	Q8ROW(192, 24, Y8)
	VMOVDQU 32(DI), Y2
	VBROADCASTSS 4(BX), Y14
	Q8ROW(32, 4, Y5)
	Q8ROW(96, 12, Y6)
	Q8ROW(160, 20, Y7)
	Q8ROW(224, 28, Y8)
	ADDQ $256, SI
	ADDQ $32, DX
	ADDQ $64, DI
	ADDQ $8, BX
	DECQ CX
	JNZ  q8x4loop

	MOVQ out+40(FP), DX
	HSUM(Y5, X5)
	VMOVSS X5, 0(DX)
	HSUM(Y6, X6)
	VMOVSS X6, 4(DX)
	HSUM(Y7, X7)
	VMOVSS X7, 8(DX)
	HSUM(Y8, X8)
	VMOVSS X8, 12(DX)
	VZEROUPPER
	RET

// func axpyAsm(y *float32, a float32, x *float32, n int)
// y[i] += a·x[i] for i < n, n a positive multiple of 8.
TEXT ·axpyAsm(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	VBROADCASTSS a+8(FP), Y0
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX

axpyloop:
	VMOVUPS (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  axpyloop
	VZEROUPPER
	RET

// func dotF16Asm(w *uint16, x *float32, n int) float32
// n is a positive multiple of 8; IEEE half weights widened with F16C.
TEXT ·dotF16Asm(SB), NOSPLIT, $0-28
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

f16loop32:
	CMPQ CX, $32
	JL   f16loop8
	VCVTPH2PS (SI), Y4
	VCVTPH2PS 16(SI), Y5
	VCVTPH2PS 32(SI), Y6
	VCVTPH2PS 48(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  f16loop32

f16loop8:
	CMPQ CX, $8
	JL   f16done
	VCVTPH2PS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  f16loop8

f16done:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM(Y0, X0)
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func gemmF16Asm(w *uint16, ldw int, x *float32, ldx, k int, out *[12]float32)
// As gemmF32Asm with IEEE half weights widened on load (F16C).
TEXT ·gemmF16Asm(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), R8
	MOVQ ldw+8(FP), AX
	SHLQ $1, AX
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	MOVQ x+16(FP), SI
	MOVQ ldx+24(FP), AX
	SHLQ $2, AX
	LEAQ (SI)(AX*1), DI
	LEAQ (DI)(AX*1), BX
	MOVQ k+32(FP), CX
	SHLQ $2, CX
	MOVQ out+40(FP), R12
	ZERO12
	XORQ AX, AX // byte offset into x
	XORQ DX, DX // byte offset into w

gf16loop:
	VMOVUPS (SI)(AX*1), Y12
	VMOVUPS (DI)(AX*1), Y13
	VMOVUPS (BX)(AX*1), Y14
	VCVTPH2PS (R8)(DX*1), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VCVTPH2PS (R9)(DX*1), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VCVTPH2PS (R10)(DX*1), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VCVTPH2PS (R11)(DX*1), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ $32, AX
	ADDQ $16, DX
	CMPQ AX, CX
	JL   gf16loop

	STORE12
	VZEROUPPER
	RET
