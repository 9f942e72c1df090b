//go:build amd64

#include "textflag.h"

// Lane k of the result of VPERMPS with this index is lane 0 for k < 8 and
// lane 1 for k >= 8: it spreads a pair of block scales over two 8-lane halves.
DATA pairIdx<>+0(SB)/8, $0
DATA pairIdx<>+8(SB)/8, $0
DATA pairIdx<>+16(SB)/8, $0
DATA pairIdx<>+24(SB)/8, $0
DATA pairIdx<>+32(SB)/8, $0x0000000100000001
DATA pairIdx<>+40(SB)/8, $0x0000000100000001
DATA pairIdx<>+48(SB)/8, $0x0000000100000001
DATA pairIdx<>+56(SB)/8, $0x0000000100000001
GLOBL pairIdx<>(SB), RODATA|NOPTR, $64

// Two blocks of one row of a Q8 row group: weights at woff(SI), scales at
// soff(DX); x in Z0, -x in Z1, the activation scale pair in X2.
#define Q8PAIR(woff, soff, acc) \
	VMOVDQU8 woff(SI), Z3; \
	VPMOVB2M Z3, K1; \
	VPABSB Z3, Z3; \
	VPBLENDMB Z1, Z0, K1, Z4; \
	VPXORD Z5, Z5, Z5; \
	VPDPBUSD Z4, Z3, Z5; \
	VCVTDQ2PS Z5, Z5; \
	VMOVSD soff(DX), X6; \
	VMULPS X2, X6, X6; \
	VPERMPS Z6, Z31, Z6; \
	VFMADD231PS Z6, Z5, acc

// func dotQ8x4VNNIAsm(wq *int8, wd *float32, xq *int8, xd *float32, pairs int, out *[4]float32)
// As dotQ8x4Asm, one pair of blocks per 512-bit step, with AVX-512 VNNI
// (vpdpbusd) instead of vpmaddubsw/vpmaddwd.
TEXT ·dotQ8x4VNNIAsm(SB), NOSPLIT, $0-48
	MOVQ wq+0(FP), SI
	MOVQ wd+8(FP), DX
	MOVQ xq+16(FP), DI
	MOVQ xd+24(FP), BX
	MOVQ pairs+32(FP), CX
	VMOVDQU32 pairIdx<>(SB), Z31
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19

vnniloop:
	VMOVDQU8 (DI), Z0
	VPXORD Z1, Z1, Z1
	VPSUBB Z0, Z1, Z1
	VMOVSD (BX), X2
	Q8PAIR(0, 0, Z16)
	Q8PAIR(64, 8, Z17)
	Q8PAIR(128, 16, Z18)
	Q8PAIR(192, 24, Z19)
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
