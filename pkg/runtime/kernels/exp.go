package kernels

import "math"

// The exponential used by softmax and SiLU: within 2.5e-7 relative of
// math.Exp (a few float32 ulps; exp_test.go measures it) at a fraction of
// its cost, with the same algorithm in the portable and vector kernels. x is clamped to
// [expLo, expHi], so the result is a normal float32 (exp(-87) ≈ 1.6e-38,
// exp(88) ≈ 1.7e38); then x = n·ln2 + r with |r| ≤ ln2/2, e^r is a degree-6
// Taylor polynomial (truncation error r⁷/7! ≤ 1.2e-7 relative) and 2^n is
// put into the exponent bits.
const (
	expLo    = -87.0
	expHi    = 88.0
	expLog2e = 1.44269504088896341
	expLn2Hi = 0.693359375 // ln2 split so that n·ln2Hi is exact
	expLn2Lo = -2.12194440e-4
)

var expPoly = [...]float32{1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1}

func exp32(x float32) float32 {
	x = min(max(x, expLo), expHi)
	n := float32(math.RoundToEven(float64(x * expLog2e)))
	r := x - n*expLn2Hi
	r -= n * expLn2Lo
	p := expPoly[0]
	for _, c := range expPoly[1:] {
		p = p*r + c
	}
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// expSumGo sets x[i] = exp(x[i]-m) and returns the sum.
func expSumGo(x []float32, m float32) float32 {
	var sum float32
	for i, v := range x {
		e := exp32(v - m)
		x[i] = e
		sum += e
	}
	return sum
}

// siluMulGo sets g[i] = silu(g[i])·u[i] = g[i]/(1+exp(-g[i]))·u[i].
func siluMulGo(g, u []float32) {
	u = u[:len(g)]
	for i, v := range g {
		g[i] = v / (1 + exp32(-v)) * u[i]
	}
}
