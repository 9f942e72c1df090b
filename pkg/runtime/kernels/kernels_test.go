package kernels

import (
	"github.com/google/go-cmp/cmp"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpack-go/mlpack/internal/half"
)

func randVec(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func toBF16(v []float32) []uint16 {
	out := make([]uint16, len(v))
	for i, f := range v {
		out[i] = uint16(math.Float32bits(f) >> 16) // truncation is fine for test data
	}
	return out
}

// roundedBF16 is v rounded to bfloat16 (to nearest even) as the runtime
// rounds prompt inputs, widened back.
func roundedBF16(v []float32) []float32 {
	out := make([]float32, len(v))
	for i, f := range v {
		out[i] = half.BF16ToF32(half.F32ToBF16(f))
	}
	return out
}

// toF16 rounds v to IEEE half precision by truncation (test data is in
// the normal range; smaller values flush to zero).
func toF16(v []float32) []uint16 {
	out := make([]uint16, len(v))
	for i, f := range v {
		b := math.Float32bits(f)
		sign := uint16(b>>16) & 0x8000
		exp := int(b>>23&0xff) - 127 + 15
		switch {
		case exp <= 0:
			out[i] = sign
		case exp >= 31:
			out[i] = sign | 0x7c00
		default:
			out[i] = sign | uint16(exp)<<10 | uint16(b>>13&0x3ff)
		}
	}
	return out
}

// closeRel reports whether got is within tol of want, relative to scale.
func closeRel(got, want, scale, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, scale)
}

// refDot is the float64 reference.
func refDot(a, b []float32) (s, scale float64) {
	for i := range a {
		s += float64(a[i]) * float64(b[i])
		scale += math.Abs(float64(a[i]) * float64(b[i]))
	}
	return s, scale
}

// kernelSets returns the kernel sets to test: always the portable one, and
// every assembly set the CPU can run (AVX2, AVX-512 VNNI).
func kernelSets(t *testing.T) []*impl {
	sets := append([]*impl{portable}, accelerated()...)
	if len(sets) == 1 {
		t.Logf("CPU has no AVX2+FMA: only the portable kernels are tested")
	}
	return sets
}

func TestDotKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range kernelSets(t) {
		for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 64, 100, 2048, 5632 + 5} {
			a, b := randVec(r, n), randVec(r, n)
			want, scale := refDot(a, b)
			if got := k.dotF32(a, b); !closeRel(float64(got), want, scale, 1e-5) {
				t.Errorf("%s dotF32 n=%d: got %g, want %g", k.name, n, got, want)
			}
			w := toBF16(a)
			wf := make([]float32, n)
			for i, v := range w {
				wf[i] = half.BF16ToF32(v)
			}
			want, scale = refDot(wf, b)
			if got := k.dotBF16(w, b); !closeRel(float64(got), want, scale, 1e-5) {
				t.Errorf("%s dotBF16 n=%d: got %g, want %g", k.name, n, got, want)
			}
			h := toF16(a)
			for i, v := range h {
				wf[i] = half.F16ToF32(v)
			}
			want, scale = refDot(wf, b)
			if got := k.dotF16(h, b); !closeRel(float64(got), want, scale, 1e-5) {
				t.Errorf("%s dotF16 n=%d: got %g, want %g", k.name, n, got, want)
			}
		}
	}
}

func TestDotQ8MatchesExactIntegerSum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range kernelSets(t) {
		for _, nb := range []int{1, 2, 3, 64, 177} {
			wq, xq := make([]int8, nb*32), make([]int8, nb*32)
			for i := range wq {
				wq[i] = int8(r.IntN(255) - 127)
				xq[i] = int8(r.IntN(255) - 127)
			}
			// Extremes: |w|·x pairs at ±127 must not saturate.
			for i := 0; i < 32; i++ {
				wq[i], xq[i] = -127, 127
			}
			wd, xd := make([]float32, nb), make([]float32, nb)
			var want, scale float64
			for b := range wd {
				wd[b], xd[b] = float32(r.Float64()), float32(r.Float64())
				var acc int64
				for j := b * 32; j < b*32+32; j++ {
					acc += int64(wq[j]) * int64(xq[j])
				}
				want += float64(acc) * float64(wd[b]*xd[b])
				scale += math.Abs(float64(acc) * float64(wd[b]*xd[b]))
			}
			if got := k.dotQ8(wq, wd, xq, xd); !closeRel(float64(got), want, scale, 1e-5) {
				t.Errorf("%s dotQ8 nb=%d: got %g, want %g", k.name, nb, got, want)
			}
		}
	}
}

func TestGemmBF16BF16(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	tested := false
	for _, k := range kernelSets(t) {
		if k.gemmBF16BF16 == nil {
			continue
		}
		tested = true
		for _, c := range []int{1, 31, 32, 33, 64, 200, 1024} {
			w, x := toBF16(randVec(r, 4*c+3)), toBF16(randVec(r, 6*c+1))
			got3 := k.gemmBF16BF16(w, c, x, c, c)
			got6 := k.gemmBF16BF16x6(w, c, x, c, c)
			for i := 0; i < 4; i++ {
				for j := 0; j < 6; j++ {
					var want, scale float64
					for m := range c {
						p := float64(half.BF16ToF32(w[i*c+m])) * float64(half.BF16ToF32(x[j*c+m]))
						want += p
						scale += math.Abs(p)
					}
					if g := got6[(j/3)*12+i*3+j%3]; !closeRel(float64(g), want, scale, 1e-5) {
						t.Errorf("%s gemmBF16BF16x6 c=%d [%d,%d]: got %g, want %g", k.name, c, i, j, g, want)
					}
					if j >= 3 {
						continue
					}
					if g := got3[i*3+j]; !closeRel(float64(g), want, scale, 1e-5) {
						t.Errorf("%s gemmBF16BF16 c=%d [%d,%d]: got %g, want %g", k.name, c, i, j, g, want)
					}
				}
			}
		}
	}
	if !tested {
		t.Skipf("this CPU has no bf16×bf16 kernel (AVX512_BF16); kernel sets: %v", KernelSets())
	}
}

func TestGemmF32x6(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	tested := false
	for _, k := range kernelSets(t) {
		if k.gemmF32x6 == nil {
			continue
		}
		tested = true
		for _, c := range []int{1, 15, 16, 17, 64, 200, 1024} {
			w, x := randVec(r, 4*c+3), randVec(r, 6*c+1)
			got := k.gemmF32x6(w, c, x, c, c)
			for i := 0; i < 4; i++ {
				for j := 0; j < 6; j++ {
					want, scale := refDot(w[i*c:(i+1)*c], x[j*c:(j+1)*c])
					if g := got[(j/3)*12+i*3+j%3]; !closeRel(float64(g), want, scale, 1e-5) {
						t.Errorf("%s gemmF32x6 c=%d [%d,%d]: got %g, want %g", k.name, c, i, j, g, want)
					}
				}
			}
		}
	}
	if !tested {
		t.Skipf("no 6-input fp32 tile (AVX-512) on this CPU: %v", KernelSets())
	}
}

func TestGemmMicroKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range kernelSets(t) {
		for _, c := range []int{1, 8, 13, 64, 200} {
			w, x := randVec(r, 4*c+3), randVec(r, 3*c+1)
			wb, wh := toBF16(w), toF16(w)
			var got, gotB, gotH [12]float32
			got = k.gemmF32(w, c, x, c, c)
			gotB = k.gemmBF16(wb, c, x, c, c)
			gotH = k.gemmF16(wh, c, x, c, c)
			for i := 0; i < 4; i++ {
				for j := 0; j < 3; j++ {
					want, scale := refDot(w[i*c:(i+1)*c], x[j*c:(j+1)*c])
					if g := got[i*3+j]; !closeRel(float64(g), want, scale, 1e-5) {
						t.Errorf("%s gemmF32 c=%d [%d,%d]: got %g, want %g", k.name, c, i, j, g, want)
					}
					wf := make([]float32, c)
					for m := range wf {
						wf[m] = half.BF16ToF32(wb[i*c+m])
					}
					want, scale = refDot(wf, x[j*c:(j+1)*c])
					if g := gotB[i*3+j]; !closeRel(float64(g), want, scale, 1e-5) {
						t.Errorf("%s gemmBF16 c=%d [%d,%d]: got %g, want %g", k.name, c, i, j, g, want)
					}
					for m := range wf {
						wf[m] = half.F16ToF32(wh[i*c+m])
					}
					want, scale = refDot(wf, x[j*c:(j+1)*c])
					if g := gotH[i*3+j]; !closeRel(float64(g), want, scale, 1e-5) {
						t.Errorf("%s gemmF16 c=%d [%d,%d]: got %g, want %g", k.name, c, i, j, g, want)
					}
				}
			}
		}
	}
}

func pools(t *testing.T) map[string]*Pool {
	ps := map[string]*Pool{"portable/1": NewPortablePool(1), "portable/2": NewPortablePool(2), "native/2": NewPool(2), "native/3": NewPool(3)}
	t.Cleanup(func() {
		for _, p := range ps {
			p.Close()
		}
	})
	return ps
}

func TestMatMulAllFormats(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for name, p := range pools(t) {
		for _, sh := range []struct{ rows, cols, n int }{{3, 5, 1}, {64, 64, 1}, {300, 172, 1}, {130, 200, 7}, {257, 96, 6}, {512, 64, 12}, {64, 2100, 10}} {
			w, x := randVec(r, sh.rows*sh.cols), randVec(r, sh.n*sh.cols)
			f32, _ := NewF32(sh.rows, sh.cols, w)
			bf, _ := NewBF16(sh.rows, sh.cols, toBF16(w))
			hf, _ := NewF16(sh.rows, sh.cols, toF16(w))
			q8 := QuantizeQ8(p, f32)
			for _, tc := range []struct {
				name string
				m    Matrix
				tol  float64
			}{{"f32", f32, 1e-5}, {"bf16", bf, 1e-5}, {"f16", hf, 1e-5}, {"q8", q8, 0.03}} {
				y := make([]float32, sh.n*sh.rows)
				tc.m.MatMul(p, y, x, sh.n)
				row := make([]float32, sh.cols)
				in := x
				if tc.name == "bf16" && sh.n > 1 {
					// Prompt products of bf16 weights take bf16 inputs.
					in = roundedBF16(x)
				}
				for i := 0; i < sh.rows; i++ {
					// The reference uses the matrix's own weights (widened or
					// dequantized), so for q8 only the input quantization errs.
					tc.m.Row(row, i)
					if tc.name == "q8" {
						copy(row, w[i*sh.cols:(i+1)*sh.cols])
					}
					for j := 0; j < sh.n; j++ {
						want, scale := refDot(row, in[j*sh.cols:(j+1)*sh.cols])
						if got := y[j*sh.rows+i]; !closeRel(float64(got), want, scale, tc.tol) {
							t.Fatalf("%s %s %v: y[%d,%d] = %g, want %g", name, tc.name, sh, j, i, got, want)
						}
					}
				}
			}
		}
	}
}

func TestSharedAndSwiGLU(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for name, p := range pools(t) {
		const cols, n = 96, 4
		x := randVec(r, n*cols)
		a, _ := NewF32(40, cols, randVec(r, 40*cols))
		b, _ := NewF32(24, cols, randVec(r, 24*cols))
		ya, yb := make([]float32, n*40), make([]float32, n*24)
		MatMulShared(p, x, n, []Matrix{a, b}, [][]float32{ya, yb})
		wa, wb := make([]float32, n*40), make([]float32, n*24)
		MatMul(nil, a, wa, x, n)
		MatMul(nil, b, wb, x, n)
		for i := range wa {
			if math.Abs(float64(wa[i]-ya[i])) > 1e-4 {
				t.Fatalf("%s shared a[%d] = %g, want %g", name, i, ya[i], wa[i])
			}
		}
		for i := range wb {
			if math.Abs(float64(wb[i]-yb[i])) > 1e-4 {
				t.Fatalf("%s shared b[%d] = %g, want %g", name, i, yb[i], wb[i])
			}
		}
		up, _ := NewF32(40, cols, randVec(r, 40*cols))
		h, u := make([]float32, n*40), make([]float32, n*40)
		SwiGLU(p, a, up, h, u, x, n)
		wu := make([]float32, n*40)
		MatMul(nil, up, wu, x, n)
		for i := range h {
			g := float64(wa[i])
			want := g / (1 + math.Exp(-g)) * float64(wu[i])
			if math.Abs(float64(h[i])-want) > 1e-4*math.Max(1, math.Abs(want)) {
				t.Fatalf("%s swiglu h[%d] = %g, want %g", name, i, h[i], want)
			}
		}
	}
}

func TestQuantizeRowRoundTrip(t *testing.T) {
	x := []float32{0, 1, -1, 0.5, 127, -127, 3.3}
	q := make([]int8, 32)
	d := make([]float32, 1)
	quantizeRow(q, d, x)
	want := []int8{0, 1, -1, 1, 127, -127, 3}
	for i, w := range want {
		if q[i] != w {
			t.Errorf("q[%d] = %d, want %d", i, q[i], w)
		}
	}
	for i := len(x); i < 32; i++ {
		if q[i] != 0 {
			t.Errorf("padding q[%d] = %d, want 0", i, q[i])
		}
	}
	if d[0] != 1 {
		t.Errorf("scale = %g, want 1", d[0])
	}
}

// Every kernel set quantizes exactly as quantizeRow does: int8 products
// are then the same on every machine.
func TestQuantizeRowKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	for _, k := range kernelSets(t) {
		for _, cols := range []int{1, 31, 32, 33, 64, 100, 2048, 5632} {
			nb := q8Blocks(cols)
			x := randVec(r, cols)
			if cols >= 64 {
				clear(x[32:64]) // an all-zero block
				x[0], x[1] = 0.5, -0.5
				x[2] = 127 / 3.0
			}
			wq, wd := make([]int8, nb*Q8Block), make([]float32, nb)
			gq, gd := make([]int8, nb*Q8Block), make([]float32, nb)
			for i := range gq {
				gq[i] = 99 // every byte must be written
			}
			quantizeRow(wq, wd, x)
			k.quantizeRow(gq, gd, x)
			if d := cmp.Diff(wq, gq); d != "" {
				t.Fatalf("%s cols=%d: quantized values differ (-go +kernel):\n%s", k.name, cols, d)
			}
			if d := cmp.Diff(wd, gd); d != "" {
				t.Fatalf("%s cols=%d: scales differ (-go +kernel):\n%s", k.name, cols, d)
			}
		}
	}
}

func TestMatVecDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	p := NewPool(2)
	defer p.Close()
	const rows, cols = 512, 256
	f, _ := NewF32(rows, cols, randVec(r, rows*cols))
	q := QuantizeQ8(p, f)
	x, y, u := randVec(r, cols), make([]float32, rows), make([]float32, rows)
	for _, m := range []Matrix{f, q} {
		m.MatVec(p, y, x) // grow the scratch
		SwiGLU(p, m, m, y, u, x, 1)
		if a := testing.AllocsPerRun(50, func() { m.MatVec(p, y, x); SwiGLU(p, m, m, y, u, x, 1) }); a != 0 {
			t.Errorf("%T: %v allocations per product, want 0", m, a)
		}
	}
}

func TestAxpyKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, k := range kernelSets(t) {
		for _, n := range []int{1, 8, 13, 64, 100} {
			y, x := randVec(r, n), randVec(r, n)
			want := make([]float64, n)
			for i := range want {
				want[i] = float64(y[i]) + 0.75*float64(x[i])
			}
			k.axpy(y, 0.75, x)
			for i := range y {
				if math.Abs(float64(y[i])-want[i]) > 1e-5 {
					t.Fatalf("%s axpy n=%d: y[%d] = %g, want %g", k.name, n, i, y[i], want[i])
				}
			}
		}
	}
}

func TestDotQ8x4Kernels(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, k := range kernelSets(t) {
		for _, pairs := range []int{1, 2, 3, 32, 89} {
			wq, xq := make([]int8, pairs*256), make([]int8, pairs*64)
			for i := range wq {
				wq[i] = int8(r.IntN(255) - 127)
			}
			for i := range xq {
				xq[i] = int8(r.IntN(255) - 127)
			}
			wq[0], xq[0] = -127, 127
			wq[1] = -128 // not produced by quantization, but within the kernels' contract
			wd, xd := make([]float32, pairs*8), make([]float32, pairs*2)
			for i := range wd {
				wd[i] = float32(r.Float64())
			}
			for i := range xd {
				xd[i] = float32(r.Float64())
			}
			got := k.dotQ8x4(wq, wd, xq, xd, pairs)
			for row := 0; row < 4; row++ {
				// Tiled layout: pair p holds 64 bytes of each row in turn,
				// then the pair's two scales of each row.
				var want, scale float64
				for b := 0; b < 2*pairs; b++ {
					unit := (b/2)*4 + row
					var acc int64
					for j := 0; j < 32; j++ {
						acc += int64(wq[unit*64+(b%2)*32+j]) * int64(xq[b*32+j])
					}
					p := float64(acc) * float64(wd[unit*2+b%2]*xd[b])
					want += p
					scale += math.Abs(p)
				}
				if !closeRel(float64(got[row]), want, scale, 1e-5) {
					t.Errorf("%s dotQ8x4 pairs=%d row %d: got %g, want %g", k.name, pairs, row, got[row], want)
				}
			}
		}
	}
}

func TestQ8RowRoundTripsTiledLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, sh := range [][2]int{{1, 1}, {3, 33}, {5, 64}, {9, 100}, {4, 172}} {
		rows, cols := sh[0], sh[1]
		w := randVec(r, rows*cols)
		f, _ := NewF32(rows, cols, w)
		q := QuantizeQ8(nil, f)
		row := make([]float32, cols)
		for i := 0; i < rows; i++ {
			q.Row(row, i)
			for j, v := range row {
				// Dequantized values are within half a step (max|block|/254).
				lo := j / 32 * 32
				var amax float64
				for _, x := range w[i*cols+lo : i*cols+min(lo+32, cols)] {
					amax = math.Max(amax, math.Abs(float64(x)))
				}
				if d := math.Abs(float64(v - w[i*cols+j])); d > amax/254*1.001 {
					t.Fatalf("%dx%d: row %d col %d: %g, want %g ± %g", rows, cols, i, j, v, w[i*cols+j], amax/254)
				}
			}
		}
	}
}
