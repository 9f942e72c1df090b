package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sentinel fills an output block's buffer: the product must overwrite it
// inside the block and leave it alone outside.
const sentinel = 42

func sentinels(n int) []float32 {
	y := make([]float32, n)
	for i := range y {
		y[i] = sentinel
	}
	return y
}

// checkBlock compares y (rows × ld, the first cols of each row written)
// with the float64 product term(i, j, d) summed over d < depth.
func checkBlock(y []float32, ld, rows, cols, depth int, term func(i, j, d int) float64) error {
	for i := range rows {
		for j := range ld {
			got := y[i*ld+j]
			if j >= cols {
				if got != sentinel {
					return fmt.Errorf("[%d][%d] outside the block = %g", i, j, got)
				}
				continue
			}
			var want, scale float64
			for d := range depth {
				v := term(i, j, d)
				want += v
				scale += math.Abs(v)
			}
			if !closeRel(float64(got), want, scale, 1e-5) {
				return fmt.Errorf("[%d][%d] = %g, want %g", i, j, got, want)
			}
		}
	}
	return nil
}

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
			y := sentinels(sh.n * ldy)
			p.MulT(y, ldy, w, ldw, sh.rows, x, ldx, sh.n, sh.cols)
			err := checkBlock(y, ldy, sh.n, sh.rows, sh.cols, func(ti, ri, j int) float64 {
				return float64(w[ri*ldw+j]) * float64(x[ti*ldx+j])
			})
			if err != nil {
				t.Fatalf("%s MulT %+v: y%v", k.name, sh, err)
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
			c := sentinels(sh.m * ldc)
			if !p.MulNN(c, ldc, a, lda, sh.m, b, ldb, sh.depth, sh.n) {
				if k.tileNN != nil {
					t.Fatalf("%s %+v: MulNN declined a shape it takes", k.name, sh)
				}
				continue
			}
			tested = true
			err := checkBlock(c, ldc, sh.m, sh.n, sh.depth, func(i, j, d int) float64 {
				return float64(a[i*lda+d]) * float64(b[d*ldb+j])
			})
			if err != nil {
				t.Fatalf("%s MulNN %+v: c%v", k.name, sh, err)
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
