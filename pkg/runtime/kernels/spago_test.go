package kernels

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/nlpodyssey/spago/mat"
)

// spago (a design-card dependency) is used here as an independent fp32
// reference and as the speed baseline our kernels must beat to replace it:
// its Dense.Mul is a single-threaded AVX+FMA dot loop that allocates its
// result, and its matrix-matrix product is an SSE axpy loop.

func TestF32MatMulAgreesWithSpago(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, shape := range [][3]int{{1, 1, 1}, {3, 5, 1}, {17, 33, 1}, {64, 172, 4}, {96, 64, 7}, {5, 1000, 3}} {
		rows, cols, n := shape[0], shape[1], shape[2]
		w := randVec(r, rows*cols)
		x := randVec(r, n*cols)
		m, err := NewF32(rows, cols, w)
		if err != nil {
			t.Fatal(err)
		}
		for _, pool := range []*Pool{NewPool(2), NewPortablePool(2)} {
			y := make([]float32, n*rows)
			m.MatMul(pool, y, x, n)
			pool.Close()
			// spago: Y (rows×n) = W (rows×cols) · Xᵀ (cols×n).
			sw := mat.NewDense[float32](mat.WithShape(rows, cols), mat.WithBacking(append([]float32(nil), w...)))
			xt := make([]float32, cols*n)
			for tok := 0; tok < n; tok++ {
				for j := 0; j < cols; j++ {
					xt[j*n+tok] = x[tok*cols+j]
				}
			}
			sx := mat.NewDense[float32](mat.WithShape(cols, n), mat.WithBacking(xt))
			want := mat.Data[float32](sw.Mul(sx))
			for tok := 0; tok < n; tok++ {
				for i := 0; i < rows; i++ {
					got, ref := y[tok*rows+i], want[i*n+tok]
					if d := math.Abs(float64(got - ref)); d > 1e-4*math.Sqrt(float64(cols)) {
						t.Fatalf("%dx%d n=%d: y[%d][%d] = %v, spago %v (diff %g)", rows, cols, n, tok, i, got, ref, d)
					}
				}
			}
		}
	}
}

// BenchmarkSpagoMatVecF32 is spago's Dense.Mul on one goroutine, the
// baseline for BenchmarkMatVecF32OneThread.
func BenchmarkSpagoMatVecF32(b *testing.B) { benchSpago(b, 1) }

// BenchmarkSpagoMatVecF32RowBlocks splits the matrix into two zero-copy
// row-block views multiplied on two goroutines, the best spago arrangement
// runtime.md measured; the baseline for BenchmarkMatVecF32.
func BenchmarkSpagoMatVecF32RowBlocks(b *testing.B) { benchSpago(b, 2) }

func benchSpago(b *testing.B, parts int) {
	r := rand.New(rand.NewPCG(1, 1))
	w := randVec(r, benchRows*benchCols)
	var views [][]*mat.Dense[float32]
	var total int64
	for total < 256<<20 {
		c := append([]float32(nil), w...)
		var v []*mat.Dense[float32]
		for i := 0; i < parts; i++ {
			r0, r1 := benchRows*i/parts, benchRows*(i+1)/parts
			v = append(v, mat.NewDense[float32](mat.WithShape(r1-r0, benchCols), mat.WithBacking(c[r0*benchCols:r1*benchCols])))
		}
		views = append(views, v)
		total += int64(len(c)) * 4
	}
	x := mat.NewDense[float32](mat.WithShape(benchCols, 1), mat.WithBacking(randVec(r, benchCols)))
	b.SetBytes(int64(benchRows*benchCols) * 4)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := views[i%len(views)]
		var wg sync.WaitGroup
		for _, part := range v {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = part.Mul(x)
			}()
		}
		wg.Wait()
	}
}
