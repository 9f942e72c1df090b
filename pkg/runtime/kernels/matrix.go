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
	mulRows(k *impl, y, x []float32, act *q8Act, n, lo, hi int)
	quantizedInput() bool
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
func (m *F32) quantizedInput() bool { return false }

func (m *F32) Row(dst []float32, i int) { copy(dst, m.data[i*m.cols:(i+1)*m.cols]) }

func (m *F32) MatVec(p *Pool, y, x []float32)        { MatMul(p, m, y, x, 1) }
func (m *F32) MatMul(p *Pool, y, x []float32, n int) { MatMul(p, m, y, x, n) }

func (m *F32) mulRows(k *impl, y, x []float32, _ *q8Act, n, lo, hi int) {
	c, R := m.cols, m.rows
	if n == 1 {
		for r := lo; r < hi; r++ {
			y[r] = k.dotF32(m.data[r*c:(r+1)*c], x)
		}
		return
	}
	var out [12]float32
	r := lo
	for ; r+4 <= hi; r += 4 {
		w := m.data[r*c:]
		t := 0
		for ; t+3 <= n; t += 3 {
			out = k.gemmF32(w, c, x[t*c:], c, c)
			for i := 0; i < 4; i++ {
				for j := 0; j < 3; j++ {
					y[(t+j)*R+r+i] = out[i*3+j]
				}
			}
		}
		for ; t < n; t++ {
			for i := 0; i < 4; i++ {
				y[t*R+r+i] = k.dotF32(w[i*c:(i+1)*c], x[t*c:(t+1)*c])
			}
		}
	}
	for ; r < hi; r++ {
		for t := 0; t < n; t++ {
			y[t*R+r] = k.dotF32(m.data[r*c:(r+1)*c], x[t*c:(t+1)*c])
		}
	}
}

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
func (m *BF16) quantizedInput() bool { return false }

func (m *BF16) Row(dst []float32, i int) {
	for j, v := range m.data[i*m.cols : (i+1)*m.cols] {
		dst[j] = half.BF16ToF32(v)
	}
}

func (m *BF16) MatVec(p *Pool, y, x []float32)        { MatMul(p, m, y, x, 1) }
func (m *BF16) MatMul(p *Pool, y, x []float32, n int) { MatMul(p, m, y, x, n) }

func (m *BF16) mulRows(k *impl, y, x []float32, _ *q8Act, n, lo, hi int) {
	mulRows16(k.dotBF16, k.gemmBF16, m.data, m.rows, m.cols, y, x, n, lo, hi)
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
func (m *F16) quantizedInput() bool { return false }

func (m *F16) Row(dst []float32, i int) {
	for j, v := range m.data[i*m.cols : (i+1)*m.cols] {
		dst[j] = half.F16ToF32(v)
	}
}

func (m *F16) MatVec(p *Pool, y, x []float32)        { MatMul(p, m, y, x, 1) }
func (m *F16) MatMul(p *Pool, y, x []float32, n int) { MatMul(p, m, y, x, n) }

func (m *F16) mulRows(k *impl, y, x []float32, _ *q8Act, n, lo, hi int) {
	mulRows16(k.dotF16, k.gemmF16, m.data, m.rows, m.cols, y, x, n, lo, hi)
}

// mulRows16 is mulRows for 16-bit weights with the given kernels.
func mulRows16(dot func([]uint16, []float32) float32, gemm func([]uint16, int, []float32, int, int) [12]float32,
	data []uint16, R, c int, y, x []float32, n, lo, hi int) {
	if n == 1 {
		for r := lo; r < hi; r++ {
			y[r] = dot(data[r*c:(r+1)*c], x)
		}
		return
	}
	r := lo
	for ; r+4 <= hi; r += 4 {
		w := data[r*c:]
		t := 0
		for ; t+3 <= n; t += 3 {
			out := gemm(w, c, x[t*c:], c, c)
			for i := 0; i < 4; i++ {
				for j := 0; j < 3; j++ {
					y[(t+j)*R+r+i] = out[i*3+j]
				}
			}
		}
		for ; t < n; t++ {
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
