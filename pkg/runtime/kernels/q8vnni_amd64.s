//go:build amd64

#include "textflag.h"

// A byte of 0x80 in every lane: XOR with it turns a signed weight w into
// the unsigned byte w+128, and as an unsigned operand it multiplies by 128.
DATA bias80<>+0(SB)/4, $0x80808080
GLOBL bias80<>(SB), RODATA|NOPTR, $4

// Spread indices for VPERMPS: row i of a group takes lane 2i (its scale
// product for the first block of a pair) into lanes 0-7 and lane 2i+1 (the
// second block) into lanes 8-15.
#define SPREAD(i) \
	DATA spreadIdx<>+(i*64+0)(SB)/8, $(2*i)*0x100000001; \
	DATA spreadIdx<>+(i*64+8)(SB)/8, $(2*i)*0x100000001; \
	DATA spreadIdx<>+(i*64+16)(SB)/8, $(2*i)*0x100000001; \
	DATA spreadIdx<>+(i*64+24)(SB)/8, $(2*i)*0x100000001; \
	DATA spreadIdx<>+(i*64+32)(SB)/8, $(2*i+1)*0x100000001; \
	DATA spreadIdx<>+(i*64+40)(SB)/8, $(2*i+1)*0x100000001; \
	DATA spreadIdx<>+(i*64+48)(SB)/8, $(2*i+1)*0x100000001; \
	DATA spreadIdx<>+(i*64+56)(SB)/8, $(2*i+1)*0x100000001

SPREAD(0)
SPREAD(1)
SPREAD(2)
SPREAD(3)
GLOBL spreadIdx<>(SB), RODATA|NOPTR, $256

// One row of a group for the current pair of blocks. vpdpbusd multiplies
// unsigned by signed bytes, so the weights go in as w+128 (one XOR) and the
// excess 128·Σx, the same for every row, is subtracted by starting the
// int32 sums at its negation (Z1). x is in Z0, the four rows' scale
// products in Z7 (lanes 2i, 2i+1); the sums are exact, so the result is the
// same as the signed product's.
#define Q8ROW(woff, idx, acc) \
	VPXORD woff(SI), Z30, Z3; \
	VMOVDQA32 Z1, Z5; \
	VPDPBUSD Z0, Z3, Z5; \
	VCVTDQ2PS Z5, Z5; \
	VPERMPS Z7, idx, Z6; \
	VFMADD231PS Z6, Z5, acc

// func dotQ8x4VNNIAsm(wq *int8, wd *float32, xq *int8, xd *float32, pairs int, out *[4]float32)
// As dotQ8x4Asm, one pair of blocks per 512-bit step, with AVX-512 VNNI
// (vpdpbusd). Per pair the x-side work (compensation, the four rows' scale
// products) is done once and shared by the four rows.
TEXT ·dotQ8x4VNNIAsm(SB), NOSPLIT, $0-48
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), DX
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), BX
	MOVQ pairs+32(FP), CX
	VPBROADCASTD bias80<>(SB), Z30
	VMOVDQU32 spreadIdx<>+0(SB), Z24
	VMOVDQU32 spreadIdx<>+64(SB), Z25
	VMOVDQU32 spreadIdx<>+128(SB), Z26
	VMOVDQU32 spreadIdx<>+192(SB), Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19

vnniloop:
	VMOVDQU8 (DI), Z0
	VPXORD Z1, Z1, Z1
	VPDPBUSD Z0, Z30, Z1
	VPSUBD Z1, Z28, Z1
	VBROADCASTSD (BX), Z2
	VMULPS (DX), Y2, Y7
	Q8ROW(0, Z24, Z16)
	Q8ROW(64, Z25, Z17)
	Q8ROW(128, Z26, Z18)
	Q8ROW(192, Z27, Z19)
	ADDQ $256, SI
	ADDQ $32, DX
	ADDQ $64, DI
	ADDQ $8, BX
	DECQ CX
	JNZ  vnniloop

	MOVQ out+40(FP), DX
	VEXTRACTF32X8 $1, Z16, Y20
	VADDPS Y20, Y16, Y7
	VEXTRACTF128 $1, Y7, X15
	VADDPS X15, X7, X7
	VHADDPS X7, X7, X7
	VHADDPS X7, X7, X7
	VMOVSS X7, 0(DX)
	VEXTRACTF32X8 $1, Z17, Y20
	VADDPS Y20, Y17, Y7
	VEXTRACTF128 $1, Y7, X15
	VADDPS X15, X7, X7
	VHADDPS X7, X7, X7
	VHADDPS X7, X7, X7
	VMOVSS X7, 4(DX)
	VEXTRACTF32X8 $1, Z18, Y20
	VADDPS Y20, Y18, Y7
	VEXTRACTF128 $1, Y7, X15
	VADDPS X15, X7, X7
	VHADDPS X7, X7, X7
	VHADDPS X7, X7, X7
	VMOVSS X7, 8(DX)
	VEXTRACTF32X8 $1, Z19, Y20
	VADDPS Y20, Y19, Y7
	VEXTRACTF128 $1, Y7, X15
	VADDPS X15, X7, X7
	VHADDPS X7, X7, X7
	VHADDPS X7, X7, X7
	VMOVSS X7, 12(DX)
	VZEROUPPER
	RET
