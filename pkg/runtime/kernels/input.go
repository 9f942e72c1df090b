package kernels

import "github.com/mlpack-go/mlpack/internal/half"

// inputForm is how a matrix wants a product's input.
type inputForm int

const (
	inputF32  inputForm = iota // as it is
	inputQ8                    // quantized like a Q8 row, for int8·int8 products
	inputBF16                  // rounded to bfloat16 when it has several rows
)

// prepared is a product's input converted once for every matrix and row
// range that reads it, one row per token.
type prepared struct {
	// q and d are the input quantized like Q8 rows (inputQ8).
	q []int8
	d []float32
	// bf is the input rounded to bfloat16 and bfx the same values widened
	// back to fp32 (inputBF16 with more than one row). Prompt products of
	// bf16 weights multiply bf16 by bf16, exactly in fp32, as PyTorch's
	// bfloat16 matmul and llama.cpp do: on AVX512_BF16 that is vdpbf16ps, 32
	// products an instruction, and the other kernel sets compute the same
	// values from bfx.
	bf  []uint16
	bfx []float32
}

// prepare converts x (n rows of cols) into every form the matrices want.
func (p *Pool) prepare(x []float32, n, cols int, forms ...inputForm) *prepared {
	var a *prepared
	if p == nil {
		a = &prepared{}
	} else {
		a = &p.act
	}
	a.q, a.d, a.bf, a.bfx = a.q[:0], a.d[:0], a.bf[:0], a.bfx[:0]
	for _, f := range forms {
		switch {
		case f == inputQ8 && len(a.q) == 0:
			a.quantize(p.kernels(), x, n, cols)
		case f == inputBF16 && n > 1 && len(a.bf) == 0:
			a.roundBF16(p.kernels(), x[:n*cols])
		}
	}
	return a
}

func (a *prepared) quantize(k *impl, x []float32, n, cols int) {
	nb := q8Blocks(cols)
	w := nb * Q8Block
	a.q, a.d = grow(a.q, n*w), grow(a.d, n*nb)
	for t := 0; t < n; t++ {
		k.quantizeRow(a.q[t*w:(t+1)*w], a.d[t*nb:(t+1)*nb], x[t*cols:(t+1)*cols])
	}
}

func (a *prepared) roundBF16(k *impl, x []float32) {
	a.bf, a.bfx = grow(a.bf, len(x)), grow(a.bfx, len(x))
	k.roundBF16(x, a.bf, a.bfx)
}

func roundBF16Go(x []float32, bf []uint16, bfx []float32) {
	bf, bfx = bf[:len(x)], bfx[:len(x)]
	for i, v := range x {
		b := half.F32ToBF16(v)
		bf[i], bfx[i] = b, half.BF16ToF32(b)
	}
}

// grow returns s resliced to n elements, reallocated when too small.
func grow[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, n)
	}
	return s[:n]
}
