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
	mulRowsTiled(k.dotF32, k.gemmF32, m.data, m.rows, m.cols, y, x, x, n, lo, hi)
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
		mulRowsTiled(k.dotBF16, k.gemmBF16, m.data, m.rows, m.cols, y, x, x, n, lo, hi)
	case k.gemmBF16BF16 != nil:
		m.mulRowsDP(k, y, in, n, lo, hi)
	default:
		mulRowsTiled(k.dotBF16, k.gemmBF16, m.data, m.rows, m.cols, y, in.bfx, in.bfx, n, lo, hi)
	}
}

// mulRowsDP is mulRowsTiled for bf16×bf16 prompt products: 4×6 tiles, a
// 4×3 tile for a remaining triple, dot products over the widened inputs for
// the rest and the edge rows. Unlike the fp32 tiles it walks the whole depth
// at once: on the 1.1B shape, passes of 2048 / 1024 / 512 values made a
// 512-token prompt 8 / 15 / 30 % slower (216 tok/s unblocked).
func (m *BF16) mulRowsDP(k *impl, y []float32, in *prepared, n, lo, hi int) {
	R, c, data, xb := m.rows, m.cols, m.data, in.bf
	n6, n3 := n-n%6, n-n%3
	put := func(t, r int, out []float32) {
		for i := 0; i < 4; i++ {
			for j := 0; j < 3; j++ {
				y[(t+j)*R+r+i] = out[i*3+j]
			}
		}
	}
	r := lo
	for ; r+4 <= hi; r += 4 {
		w := data[r*c:]
		for t := 0; t < n6; t += 6 {
			out := k.gemmBF16BF16x6(w, c, xb[t*c:], c, c)
			put(t, r, out[:12])
			put(t+3, r, out[12:])
		}
		for t := n6; t < n3; t += 3 {
			out := k.gemmBF16BF16(w, c, xb[t*c:], c, c)
			put(t, r, out[:])
		}
		for t := n3; t < n; t++ {
			for i := 0; i < 4; i++ {
				y[t*R+r+i] = k.dotBF16(w[i*c:(i+1)*c], in.bfx[t*c:(t+1)*c])
			}
		}
	}
	for ; r < hi; r++ {
		for t := 0; t < n; t++ {
			y[t*R+r] = k.dotBF16(data[r*c:(r+1)*c], in.bfx[t*c:(t+1)*c])
		}
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
	mulRowsTiled(k.dotF16, k.gemmF16, m.data, m.rows, m.cols, y, x, x, n, lo, hi)
}

// mulRowsTiled computes rows [lo, hi) of y = X·Wᵀ for a row-major weight
// array with the given kernels: 4×3 GEMM tiles over xg (the input in the
// form gemm takes) for prompts, walking the depth gemmKC values at a time,
// and dot products over x (the same values in fp32) for a single input and
// the edges.
func mulRowsTiled[E, X float32 | uint16](dot func([]E, []float32) float32, gemm func([]E, int, []X, int, int) [12]float32,
	data []E, R, c int, y []float32, xg []X, x []float32, n, lo, hi int) {
	if n == 1 {
		for r := lo; r < hi; r++ {
			y[r] = dot(data[r*c:(r+1)*c], x)
		}
		return
	}
	n3 := n - n%3
	r := lo
	for ; r+4 <= hi; r += 4 {
		w := data[r*c:]
		for kb := 0; kb < c; kb += gemmKC {
			kc := min(gemmKC, c-kb)
			for t := 0; t < n3; t += 3 {
				out := gemm(w[kb:], c, xg[t*c+kb:], c, kc)
				for i := 0; i < 4; i++ {
					for j := 0; j < 3; j++ {
						if kb == 0 {
							y[(t+j)*R+r+i] = out[i*3+j]
						} else {
							y[(t+j)*R+r+i] += out[i*3+j]
						}
					}
				}
			}
		}
		for t := n3; t < n; t++ {
			for i := 0; i < 4; i++ {
				y[t*R+r+i] = dot(w[i*c:(i+1)*c], x[t*c:(t+1)*c])
			}
		}
	}
	for ; r < hi; r++ {
		for t := 0; t < n; t++ {
			y[t*R+r] = dot(data[r*c:(r+1)*c], x[t*c:(t+1)*c])
		}
	}
}
