package kernels

import (
	"github.com/mlpack-go/mlpack/internal/half"
	"math"
	"math/rand/v2"
	"testing"
)

// The exponential is within 3e-7 relative (2 to 4 float32 ulps; measured
// max 2.5e-7 portable, 2.3e-7 AVX2 over 2M points) of math.Exp
// wherever the result is a normal float32, and clamps outside.
func TestExpAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	xs := []float32{0, -0.0, 1, -1, 0.34657359, -0.34657359, 10, -10, -87, 88, -86.9, 87.9}
	for range 20000 {
		xs = append(xs, float32(r.Float64()*175-87))
	}
	for _, k := range kernelSets(t) {
		got := append([]float32(nil), xs...)
		k.expSum(got, 0)
		for i, x := range xs {
			want := math.Exp(float64(x))
			if rel := math.Abs(float64(got[i])-want) / want; rel > 3e-7 {
				t.Fatalf("%s: exp(%g) = %g, want %g (relative error %.3g)", k.name, x, got[i], want, rel)
			}
		}
		clamped := []float32{-100, -1e30, 100, 1e30}
		k.expSum(clamped, 0)
		for i, want := range []float64{math.Exp(-87), math.Exp(-87), math.Exp(88), math.Exp(88)} {
			if rel := math.Abs(float64(clamped[i])-want) / want; rel > 3e-7 {
				t.Errorf("%s: clamped exp = %g, want %g", k.name, clamped[i], want)
			}
		}
	}
}

func TestSoftmaxAndSiLUKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for _, k := range kernelSets(t) {
		p := newPool(1, k)
		for _, n := range []int{1, 3, 8, 9, 17, 64, 1000} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * 8)
			}
			m, sum := math.Inf(-1), 0.0
			for _, v := range x {
				m = math.Max(m, float64(v))
			}
			for _, v := range x {
				sum += math.Exp(float64(v) - m)
			}
			got := append([]float32(nil), x...)
			p.Softmax(got)
			for i, v := range x {
				want := math.Exp(float64(v)-m) / sum
				if math.Abs(float64(got[i])-want) > 4e-6*want+1e-12 {
					t.Fatalf("%s softmax n=%d [%d]: got %g, want %g", k.name, n, i, got[i], want)
				}
			}
			g, u := append([]float32(nil), x...), make([]float32, n)
			for i := range u {
				u[i] = float32(r.NormFloat64())
			}
			k.siluMul(g, u)
			for i, v := range x {
				want := float64(v) / (1 + math.Exp(-float64(v))) * float64(u[i])
				if math.Abs(float64(g[i])-want) > 1e-6*math.Max(math.Abs(want), 1) {
					t.Fatalf("%s silu n=%d [%d]: got %g, want %g", k.name, n, i, g[i], want)
				}
			}
		}
		p.Close()
	}
}

func TestRoundBF16Kernels(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	x := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.Float32frombits(0x7f800001), math.Float32frombits(0xffc00001),
		math.Float32frombits(0x3f808000), math.Float32frombits(0x3f818000), // ties: to even, both ways
		math.Float32frombits(0x7f7fffff), math.Float32frombits(0x00000001)}
	for range 1000 {
		x = append(x, math.Float32frombits(r.Uint32()))
	}
	for _, k := range kernelSets(t) {
		bf, bfx := make([]uint16, len(x)), make([]float32, len(x))
		k.roundBF16(x, bf, bfx)
		for i, v := range x {
			want := half.F32ToBF16(v)
			if bf[i] != want || math.Float32bits(bfx[i]) != uint32(want)<<16 {
				t.Fatalf("%s: round %#08x = %#04x / %#08x, want %#04x", k.name, math.Float32bits(v), bf[i], math.Float32bits(bfx[i]), want)
			}
		}
	}
}
