package kernels

import "github.com/mlpack-go/mlpack/internal/half"

// impl is one set of inner kernels. Every pool uses one; the portable set is
// the reference the assembly is tested against.
type impl struct {
	name    string
	dotF32  func(a, b []float32) float32
	dotBF16 func(w []uint16, x []float32) float32
	dotF16  func(w []uint16, x []float32) float32
	// dotQ8 is the dot product of nb blocks of 32 int8 values with scales.
	dotQ8 func(wq []int8, wd []float32, xq []int8, xd []float32) float32
	// gemmF32 computes out[r*3+t] = Σ_j w[r*ldw+j]·x[t*ldx+j] for 4 rows of w
	// and 3 rows of x over k columns.
	gemmF32 func(w []float32, ldw int, x []float32, ldx, k int) [12]float32
	// gemmF32x6 is gemmF32 for 4 rows and 6 inputs: out[0:12] is the tile
	// of inputs 0-2, out[12:24] that of inputs 3-5 (nil: triples only).
	gemmF32x6 func(w []float32, ldw int, x []float32, ldx, k int) [24]float32
	gemmBF16  func(w []uint16, ldw int, x []float32, ldx, k int) [12]float32
	gemmF16   func(w []uint16, ldw int, x []float32, ldx, k int) [12]float32
	// dotQ8x4 is dotQ8 for the 4 rows of one Q8 row group (the tiled
	// layout: per pair of blocks, 64 bytes of each row, then the pair's two
	// scales of each row) against one activation row of 2·pairs blocks.
	dotQ8x4 func(wq []int8, wd []float32, xq []int8, xd []float32, pairs int) [4]float32
	// gemmBF16BF16 is gemmBF16 with bfloat16 inputs (AVX512_BF16 only; nil
	// elsewhere, where bf16 prompt products widen the rounded inputs).
	gemmBF16BF16 func(w []uint16, ldw int, x []uint16, ldx, k int) [12]float32
	// gemmBF16BF16x6 is gemmBF16BF16 for 4 rows and 6 inputs: out[0:12]
	// is the tile of inputs 0-2, out[12:24] that of inputs 3-5.
	gemmBF16BF16x6 func(w []uint16, ldw int, x []uint16, ldx, k int) [24]float32
	// tileNN sets C[i][0:64] = Σ_{j<k} A[i][j]·B[j][0:64] for i < 6, with
	// leading dimensions lda, ldb, ldc (AVX-512 only; nil elsewhere).
	tileNN func(a []float32, lda int, b []float32, ldb, k int, c []float32, ldc int)
	axpy   func(y []float32, a float32, x []float32)
	// expSum sets x[i] = exp(x[i]-m) and returns the sum (softmax).
	expSum func(x []float32, m float32) float32
	// siluMul sets g[i] = silu(g[i])·u[i] (SwiGLU).
	siluMul func(g, u []float32)
	// roundBF16 sets bf[i] = half.F32ToBF16(x[i]) and bfx[i] to its value.
	roundBF16 func(x []float32, bf []uint16, bfx []float32)
	// quantizeRow is quantizeRow (q8.go), bit for bit on finite inputs.
	quantizeRow func(q []int8, d []float32, x []float32)
}

var portable = &impl{
	name:        "portable",
	dotF32:      dotF32Go,
	dotBF16:     dotBF16Go,
	dotF16:      dotF16Go,
	dotQ8:       dotQ8Go,
	gemmF32:     gemmF32Go,
	gemmBF16:    gemmBF16Go,
	gemmF16:     gemmF16Go,
	dotQ8x4:     dotQ8x4Go,
	axpy:        axpyGo,
	expSum:      expSumGo,
	siluMul:     siluMulGo,
	roundBF16:   roundBF16Go,
	quantizeRow: quantizeRow,
}

// Axpy sets y[i] += a·x[i] (len(x) >= len(y)).
func Axpy(y []float32, a float32, x []float32) { native.axpy(y, a, x) }

func axpyGo(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}

func dotQ8x4Go(wq []int8, wd []float32, xq []int8, xd []float32, pairs int) (out [4]float32) {
	for p := 0; p < pairs; p++ {
		for r := 0; r < 4; r++ {
			u := p*4 + r
			out[r] += dotQ8Go(wq[u*64:u*64+64], wd[u*2:u*2+2], xq[p*64:p*64+64], xd[p*2:p*2+2])
		}
	}
	return out
}

// Dot returns the inner product of a and b (len(b) >= len(a)) with the
// fastest kernel the CPU supports.
func Dot(a, b []float32) float32 { return native.dotF32(a, b[:len(a)]) }

func dotF32Go(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
		s4 += a[i+4] * b[i+4]
		s5 += a[i+5] * b[i+5]
		s6 += a[i+6] * b[i+6]
		s7 += a[i+7] * b[i+7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

func dotBF16Go(w []uint16, x []float32) float32 {
	x = x[:len(w)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(w); i += 4 {
		s0 += half.BF16ToF32(w[i]) * x[i]
		s1 += half.BF16ToF32(w[i+1]) * x[i+1]
		s2 += half.BF16ToF32(w[i+2]) * x[i+2]
		s3 += half.BF16ToF32(w[i+3]) * x[i+3]
	}
	for ; i < len(w); i++ {
		s0 += half.BF16ToF32(w[i]) * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func dotQ8Go(wq []int8, wd []float32, xq []int8, xd []float32) float32 {
	var s float32
	for b := range wd {
		w := wq[b*32 : b*32+32]
		x := xq[b*32 : b*32+32]
		var acc int32
		for j := range w {
			acc += int32(w[j]) * int32(x[j])
		}
		s += float32(acc) * (wd[b] * xd[b])
	}
	return s
}

func gemmF32Go(w []float32, ldw int, x []float32, ldx, k int) (out [12]float32) {
	for r := 0; r < 4; r++ {
		for t := 0; t < 3; t++ {
			out[r*3+t] = dotF32Go(w[r*ldw:r*ldw+k], x[t*ldx:t*ldx+k])
		}
	}
	return out
}

func gemmBF16Go(w []uint16, ldw int, x []float32, ldx, k int) (out [12]float32) {
	for r := 0; r < 4; r++ {
		for t := 0; t < 3; t++ {
			out[r*3+t] = dotBF16Go(w[r*ldw:r*ldw+k], x[t*ldx:t*ldx+k])
		}
	}
	return out
}

func dotF16Go(w []uint16, x []float32) float32 {
	x = x[:len(w)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(w); i += 4 {
		s0 += half.F16ToF32(w[i]) * x[i]
		s1 += half.F16ToF32(w[i+1]) * x[i+1]
		s2 += half.F16ToF32(w[i+2]) * x[i+2]
		s3 += half.F16ToF32(w[i+3]) * x[i+3]
	}
	for ; i < len(w); i++ {
		s0 += half.F16ToF32(w[i]) * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func gemmF16Go(w []uint16, ldw int, x []float32, ldx, k int) (out [12]float32) {
	for r := 0; r < 4; r++ {
		for t := 0; t < 3; t++ {
			out[r*3+t] = dotF16Go(w[r*ldw:r*ldw+k], x[t*ldx:t*ldx+k])
		}
	}
	return out
}

// gemmTail adds depth columns [from, k) of a 4-row tile to out, the part the
// assembly leaves when k is not a multiple of its step: for tokens == 3,
// out[r*3+t]; for 6, out[(t/3)*12+r*3+t%3] (two 4×3 tiles). we and xe widen
// a weight and an input to fp32.
func gemmTail[E, X float32 | uint16](out []float32, tokens int, w []E, ldw int, x []X, ldx, from, k int,
	we func(E) float32, xe func(X) float32) {
	for j := from; j < k; j++ {
		for r := 0; r < 4; r++ {
			for t := 0; t < tokens; t++ {
				out[(t/3)*12+r*3+t%3] += we(w[r*ldw+j]) * xe(x[t*ldx+j])
			}
		}
	}
}

// widenF32 is the identity, gemmTail's widening for fp32 operands.
func widenF32(v float32) float32 { return v }
