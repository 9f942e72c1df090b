package main

import (
	"encoding/binary"
	"math"

	"github.com/mlpack-go/mlpack/internal/half"
)

// Q8_0 as ggml defines it: blocks of 32 values, each an f16 scale d followed
// by 32 int8 quants, value ≈ d·q.
const (
	q8Block      = 32
	q8BlockBytes = 2 + q8Block
)

// quantizeQ8 appends the Q8_0 blocks of x (len(x) a multiple of 32) to dst,
// computed as ggml's reference quantize_row_q8_0: d = amax/127, q =
// round(x·(1/d)) (halves away from zero) in float32, d stored as f16 rounded
// to nearest even.
func quantizeQ8(dst []byte, x []float32) []byte {
	for len(x) >= q8Block {
		b := x[:q8Block]
		x = x[q8Block:]
		var amax float32
		for _, v := range b {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		dst = binary.LittleEndian.AppendUint16(dst, half.F32ToF16(d))
		for _, v := range b {
			dst = append(dst, byte(int8(math.Round(float64(v*id)))))
		}
	}
	return dst
}

// dequantizeQ8 appends the values of the Q8_0 blocks in src to dst.
func dequantizeQ8(dst []float32, src []byte) []float32 {
	for len(src) >= q8BlockBytes {
		d := half.F16ToF32(binary.LittleEndian.Uint16(src))
		for _, q := range src[2:q8BlockBytes] {
			dst = append(dst, d*float32(int8(q)))
		}
		src = src[q8BlockBytes:]
	}
	return dst
}
