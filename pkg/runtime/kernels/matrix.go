package kernels

import (
	"math"
)

// A Matrix is a rows×cols weight matrix stored row-major in some format.
type Matrix interface {
	Rows() int
	Cols() int
	// MatVec computes y = W·x (len(y) == Rows(), len(x) == Cols()).
	MatVec(p *Pool, y, x []float32)
	// MatMul computes Y = X·Wᵀ for n input rows: x is n×Cols(), y is n×Rows().
	MatMul(p *Pool, y, x []float32, n int)
	// Row widens row i into dst (len Cols()), for embedding lookups.
	Row(dst []float32, i int)
}

// F32 is a matrix of float32 weights.
type F32 struct {
	rows, cols int
	data       []float32
}

// NewF32 wraps data (len rows*cols) without copying.
func NewF32(rows, cols int, data []float32) *F32 {
	if len(data) != rows*cols {
		panic("kernels: NewF32: data length does not match shape")
	}
	return &F32{rows: rows, cols: cols, data: data}
}

func (m *F32) Rows() int { return m.rows }
func (m *F32) Cols() int { return m.cols }

// Data returns the backing slice.
func (m *F32) Data() []float32 { return m.data }

func (m *F32) Row(dst []float32, i int) { copy(dst, m.data[i*m.cols:(i+1)*m.cols]) }

func (m *F32) MatVec(p *Pool, y, x []float32) {
	p.For(m.rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			y[r] = Dot(m.data[r*m.cols:(r+1)*m.cols], x)
		}
	})
}

func (m *F32) MatMul(p *Pool, y, x []float32, n int) {
	p.For(m.rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			w := m.data[r*m.cols : (r+1)*m.cols]
			for t := 0; t < n; t++ {
				y[t*m.rows+r] = Dot(w, x[t*m.cols:(t+1)*m.cols])
			}
		}
	})
}

// BF16 is a matrix of bfloat16 weights, widened to fp32 as they are read.
type BF16 struct {
	rows, cols int
	data       []uint16
}

// NewBF16 wraps data (len rows*cols) without copying.
func NewBF16(rows, cols int, data []uint16) *BF16 {
	if len(data) != rows*cols {
		panic("kernels: NewBF16: data length does not match shape")
	}
	return &BF16{rows: rows, cols: cols, data: data}
}

func (m *BF16) Rows() int { return m.rows }
func (m *BF16) Cols() int { return m.cols }

func (m *BF16) Row(dst []float32, i int) {
	for j, v := range m.data[i*m.cols : (i+1)*m.cols] {
		dst[j] = BF16ToF32(v)
	}
}

func (m *BF16) MatVec(p *Pool, y, x []float32) {
	p.For(m.rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			y[r] = dotBF16(m.data[r*m.cols:(r+1)*m.cols], x)
		}
	})
}

func (m *BF16) MatMul(p *Pool, y, x []float32, n int) {
	p.For(m.rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			w := m.data[r*m.cols : (r+1)*m.cols]
			for t := 0; t < n; t++ {
				y[t*m.rows+r] = dotBF16(w, x[t*m.cols:(t+1)*m.cols])
			}
		}
	})
}

// BF16ToF32 widens one bfloat16 value exactly.
func BF16ToF32(v uint16) float32 { return math.Float32frombits(uint32(v) << 16) }

// F16ToF32 widens one IEEE half-precision value exactly, subnormals,
// infinities and NaN included.
func F16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: renormalise
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

func dotBF16(w []uint16, x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += BF16ToF32(w[i]) * x[i]
		s1 += BF16ToF32(w[i+1]) * x[i+1]
		s2 += BF16ToF32(w[i+2]) * x[i+2]
		s3 += BF16ToF32(w[i+3]) * x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += BF16ToF32(w[i]) * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}
