package kernels

import "math"

// RMSNorm writes x·w/sqrt(mean(x²)+eps) into out (Llama's RMSNorm; the sum
// of squares is accumulated in float64).
func RMSNorm(out, x, w []float32, eps float32) {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	scale := float32(1 / math.Sqrt(ss/float64(len(x))+float64(eps)))
	for i, v := range x {
		out[i] = v * scale * w[i]
	}
}

// Softmax replaces x with softmax(x) in place, with p's kernels (p may be
// nil).
func (p *Pool) Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	inv := 1 / p.kernels().expSum(x, m)
	for i := range x {
		x[i] *= inv
	}
}

// Add sets dst[i] += src[i].
func Add(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}
