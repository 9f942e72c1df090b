package kernels

import (
	"fmt"

	"github.com/mlpack-go/mlpack/internal/half"
)

// A Matrix is a rows×cols weight matrix stored row-major in some format.
// Products split the rows across the pool's workers.
type Matrix interface {
	Rows() int
	Cols() int
	// MatVec computes y = W·x (len(y) == Rows(), len(x) == Cols()).
	MatVec(p *Pool, y, x []float32)
	// MatMul computes Y = X·Wᵀ for n input rows: x is n×Cols(), y is n×Rows().
	MatMul(p *Pool, y, x []float32, n int)
	// Row widens row i into dst (len Cols()), for embedding lookups.
	Row(dst []float32, i int)
	// Bytes reports the size of the weights in memory.
	Bytes() int64

	// mulRows computes rows [lo,hi) of Y = X·Wᵀ for n input rows; y has
	// stride Rows(). act holds x quantized when the matrix needs it.
	mulRows(k *impl, y, x []float32, in *prepared, n, lo, hi int)
	// inputForm is the form the matrix takes its prompt inputs in.
	inputForm() inputForm
}

// F32 is a matrix of float32 weights.
type F32 struct {
	rows, cols int
	data       []float32
}

// NewF32 wraps data (len rows*cols) without copying.
func NewF32(rows, cols int, data []float32) (*F32, error) {
	if rows <= 0 || cols <= 0 || len(data) != rows*cols {
		return nil, fmt.Errorf("kernels: %d values do not make a %d×%d matrix", len(data), rows, cols)
	}
	return &F32{rows: rows, cols: cols, data: data}, nil
}

func (m *F32) Rows() int            { return m.rows }
func (m *F32) Cols() int            { return m.cols }
func (m *F32) Bytes() int64         { return int64(len(m.data)) * 4 }
func (m *F32) Data() []float32      { return m.data }
func (m *F32) inputForm() inputForm { return inputF32 }

func (m *F32) Row(dst []float32, i int) { copy(dst, m.data[i*m.cols:(i+1)*m.cols]) }

func (m *F32) MatVec(p *Pool, y, x []float32)        { MatMul(p, m, y, x, 1) }
func (m *F32) MatMul(p *Pool, y, x []float32, n int) { MatMul(p, m, y, x, n) }

func (m *F32) mulRows(k *impl, y, x []float32, _ *prepared, n, lo, hi int) {
	mulRowsTiled(tiles[float32, float32]{k.dotF32, k.gemmF32, k.gemmF32x6, gemmKC}, m.data, m.rows, m.cols, y, x, x, n, lo, hi)
}

// gemmKC is the depth of one pass of the 4×3 GEMM tiles: four weight rows
// and three inputs of this many values (28 KiB for fp32) stay in L1 while
// every input triple of a prompt chunk passes over the same four rows. On
// the 1.1B shape a 512-token fp32 prompt ran at 125 tok/s with 1024, 121
// with 2048 and 113 unblocked.
const gemmKC = 1024

// BF16 is a matrix of bfloat16 weights, widened to fp32 as they are read.
type BF16 struct {
	rows, cols int
	data       []uint16
}

// NewBF16 wraps data (len rows*cols) without copying.
func NewBF16(rows, cols int, data []uint16) (*BF16, error) {
	if rows <= 0 || cols <= 0 || len(data) != rows*cols {
		return nil, fmt.Errorf("kernels: %d values do not make a %d×%d matrix", len(data), rows, cols)
	}
	return &BF16{rows: rows, cols: cols, data: data}, nil
}

func (m *BF16) Rows() int            { return m.rows }
func (m *BF16) Cols() int            { return m.cols }
func (m *BF16) Bytes() int64         { return int64(len(m.data)) * 2 }
func (m *BF16) inputForm() inputForm { return inputBF16 }

func (m *BF16) Row(dst []float32, i int) {
	for j, v := range m.data[i*m.cols : (i+1)*m.cols] {
		dst[j] = half.BF16ToF32(v)
	}
}

func (m *BF16) MatVec(p *Pool, y, x []float32)        { MatMul(p, m, y, x, 1) }
func (m *BF16) MatMul(p *Pool, y, x []float32, n int) { MatMul(p, m, y, x, n) }

func (m *BF16) mulRows(k *impl, y, x []float32, in *prepared, n, lo, hi int) {
	switch {
	case n == 1 || in == nil || in.bfx == nil:
		mulRowsTiled(tiles[uint16, float32]{k.dotBF16, k.gemmBF16, nil, gemmKC}, m.data, m.rows, m.cols, y, x, x, n, lo, hi)
	case k.gemmBF16BF16 != nil:
		// The whole depth at once: on the 1.1B shape, passes of 2048 / 1024
		// / 512 values made a 512-token prompt 8 / 15 / 30 % slower.
		dp := tiles[uint16, uint16]{k.dotBF16, k.gemmBF16BF16, k.gemmBF16BF16x6, m.cols}
		mulRowsTiled(dp, m.data, m.rows, m.cols, y, in.bf, in.bfx, n, lo, hi)
	default:
		mulRowsTiled(tiles[uint16, float32]{k.dotBF16, k.gemmBF16, nil, gemmKC}, m.data, m.rows, m.cols, y, in.bfx, in.bfx, n, lo, hi)
	}
}

// F16 is a matrix of IEEE half-precision weights, widened to fp32 as they
// are read (exactly, subnormals included).
type F16 struct {
	rows, cols int
	data       []uint16
}

// NewF16 wraps data (len rows*cols) without copying.
func NewF16(rows, cols int, data []uint16) (*F16, error) {
	if rows <= 0 || cols <= 0 || len(data) != rows*cols {
		return nil, fmt.Errorf("kernels: %d values do not make a %d×%d matrix", len(data), rows, cols)
	}
	return &F16{rows: rows, cols: cols, data: data}, nil
}

func (m *F16) Rows() int            { return m.rows }
func (m *F16) Cols() int            { return m.cols }
func (m *F16) Bytes() int64         { return int64(len(m.data)) * 2 }
func (m *F16) inputForm() inputForm { return inputF32 }

func (m *F16) Row(dst []float32, i int) {
	for j, v := range m.data[i*m.cols : (i+1)*m.cols] {
		dst[j] = half.F16ToF32(v)
	}
}

func (m *F16) MatVec(p *Pool, y, x []float32)        { MatMul(p, m, y, x, 1) }
func (m *F16) MatMul(p *Pool, y, x []float32, n int) { MatMul(p, m, y, x, n) }

func (m *F16) mulRows(k *impl, y, x []float32, _ *prepared, n, lo, hi int) {
	mulRowsTiled(tiles[uint16, float32]{k.dotF16, k.gemmF16, nil, gemmKC}, m.data, m.rows, m.cols, y, x, x, n, lo, hi)
}

// tiles are the kernels mulRowsTiled runs for one weight and input type.
type tiles[E, X float32 | uint16] struct {
	dot   func([]E, []float32) float32 // one row, one fp32 input
	gemm  func([]E, int, []X, int, int) [12]float32
	gemm6 func([]E, int, []X, int, int) [24]float32 // nil: triples only
	// kc is the depth of one pass over the tiles: four weight rows and the
	// inputs of a tile stay in L1 while every input group of a prompt chunk
	// passes over the same rows.
	kc int
}

// mulRowsTiled computes rows [lo, hi) of y = X·Wᵀ for a row-major weight
// array: 4×6 and 4×3 GEMM tiles over xg (the input in the form the tiles
// take) for prompts, walking the depth kc values at a time, and dot
// products over x (the same values in fp32) for a single input and the
// edges.
func mulRowsTiled[E, X float32 | uint16](k tiles[E, X], data []E, R, c int, y []float32, xg []X, x []float32, n, lo, hi int) {
	if n == 1 {
		for r := lo; r < hi; r++ {
			y[r] = k.dot(data[r*c:(r+1)*c], x)
		}
		return
	}
	n6, n3 := 0, n-n%3
	if k.gemm6 != nil {
		n6 = n - n%6
	}
	put := func(t, r int, out []float32, first bool) {
		for i := 0; i < 4; i++ {
			for j := 0; j < 3; j++ {
				if first {
					y[(t+j)*R+r+i] = out[i*3+j]
				} else {
					y[(t+j)*R+r+i] += out[i*3+j]
				}
			}
		}
	}
	r := lo
	for ; r+4 <= hi; r += 4 {
		w := data[r*c:]
		for kb := 0; kb < c; kb += k.kc {
			kc := min(k.kc, c-kb)
			for t := 0; t < n6; t += 6 {
				out := k.gemm6(w[kb:], c, xg[t*c+kb:], c, kc)
				put(t, r, out[:12], kb == 0)
				put(t+3, r, out[12:], kb == 0)
			}
			for t := n6; t < n3; t += 3 {
				out := k.gemm(w[kb:], c, xg[t*c+kb:], c, kc)
				put(t, r, out[:], kb == 0)
			}
		}
		for t := n3; t < n; t++ {
			for i := 0; i < 4; i++ {
				y[t*R+r+i] = k.dot(w[i*c:(i+1)*c], x[t*c:(t+1)*c])
			}
		}
	}
	for ; r < hi; r++ {
		for t := 0; t < n; t++ {
			y[t*R+r] = k.dot(data[r*c:(r+1)*c], x[t*c:(t+1)*c])
		}
	}
}
