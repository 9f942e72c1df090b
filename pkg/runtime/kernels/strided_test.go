package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMulTStrided(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, k := range kernelSets(t) {
		p := newPool(1, k)
		for _, sh := range []struct{ rows, n, cols int }{
			{1, 1, 1}, {4, 3, 16}, {5, 4, 17}, {7, 13, 64}, {64, 12, 100}, {9, 2, 0},
		} {
			ldw, ldx, ldy := sh.cols+3, sh.cols+5, sh.rows+2
			w := randVec(r, sh.rows*ldw+1)
			x := randVec(r, sh.n*ldx+1)
			y := make([]float32, sh.n*ldy)
			for i := range y {
				y[i] = 42 // must be overwritten inside the block, kept outside
			}
			p.MulT(y, ldy, w, ldw, sh.rows, x, ldx, sh.n, sh.cols)
			for ti := range sh.n {
				for ri := 0; ri < ldy; ri++ {
					got := y[ti*ldy+ri]
					if ri >= sh.rows {
						if got != 42 {
							t.Fatalf("%s %+v: y[%d][%d] outside the block = %g", k.name, sh, ti, ri, got)
						}
						continue
					}
					var want, scale float64
					for j := range sh.cols {
						v := float64(w[ri*ldw+j]) * float64(x[ti*ldx+j])
						want += v
						scale += math.Abs(v)
					}
					if !closeRel(float64(got), want, scale, 1e-5) {
						t.Fatalf("%s %+v: y[%d][%d] = %g, want %g", k.name, sh, ti, ri, got, want)
					}
				}
			}
		}
		p.Close()
	}
}

func TestMulNN(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	tested := false
	for _, k := range kernelSets(t) {
		p := newPool(1, k)
		for _, sh := range []struct{ m, n, depth int }{{6, 64, 1}, {6, 64, 5}, {12, 128, 64}, {18, 64, 100}, {6, 64, 0}} {
			lda, ldb, ldc := sh.depth+3, sh.n+5, sh.n+7
			a := randVec(r, sh.m*lda+1)
			b := randVec(r, max(sh.depth, 1)*ldb+1)
			c := make([]float32, sh.m*ldc)
			for i := range c {
				c[i] = 42
			}
			if !p.MulNN(c, ldc, a, lda, sh.m, b, ldb, sh.depth, sh.n) {
				if k.tileNN != nil {
					t.Fatalf("%s %+v: MulNN declined a shape it takes", k.name, sh)
				}
				continue
			}
			tested = true
			for i := range sh.m {
				for j := 0; j < ldc; j++ {
					got := c[i*ldc+j]
					if j >= sh.n {
						if got != 42 {
							t.Fatalf("%s %+v: c[%d][%d] outside the block = %g", k.name, sh, i, j, got)
						}
						continue
					}
					var want, scale float64
					for d := range sh.depth {
						v := float64(a[i*lda+d]) * float64(b[d*ldb+j])
						want += v
						scale += math.Abs(v)
					}
					if !closeRel(float64(got), want, scale, 1e-5) {
						t.Fatalf("%s %+v: c[%d][%d] = %g, want %g", k.name, sh, i, j, got, want)
					}
				}
			}
		}
		if p.MulNN(make([]float32, 64*5), 64, make([]float32, 5), 1, 5, make([]float32, 64), 64, 1, 64) {
			t.Errorf("%s: MulNN took 5 rows", k.name)
		}
		p.Close()
	}
	if !tested {
		t.Skipf("no kernel set with the 6×64 tile (AVX-512) on this CPU: %v", KernelSets())
	}
}
