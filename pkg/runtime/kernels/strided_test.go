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
