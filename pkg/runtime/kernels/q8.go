package kernels

import (
	"fmt"
	"math"
	"unsafe"
)

// Q8Block is the number of weights sharing one scale in a [Q8] matrix.
const Q8Block = 32

// Q8 is a matrix quantized to int8 in blocks of 32 along each row with one
// float32 scale per block (llama.cpp's Q8_0 layout with an fp32 scale). Rows
// are zero-padded to a whole number of blocks. Products quantize the input
// the same way once per call and accumulate int8·int8 products exactly in
// int32 before scaling.
type Q8 struct {
	rows, cols, nb int
	q              []int8
	d              []float32
	free           func()
}

// QuantizeQ8 converts m to Q8, splitting the rows over the pool.
func QuantizeQ8(p *Pool, m Matrix) *Q8 {
	rows, cols := m.Rows(), m.Cols()
	nb := (cols + Q8Block - 1) / Q8Block
	nq, nd := rows*nb*Q8Block, rows*nb
	mem, free := allocBytes(nq + 4*nd) // nq is a multiple of 32: d stays aligned
	out := &Q8{rows: rows, cols: cols, nb: nb, free: free,
		q: unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(mem))), nq),
		d: unsafe.Slice((*float32)(unsafe.Pointer(&mem[nq])), nd)}
	p.For(rows, func(lo, hi int) {
		buf := make([]float32, nb*Q8Block)
		for r := lo; r < hi; r++ {
			m.Row(buf[:cols], r)
			quantizeRow(out.q[r*nb*Q8Block:(r+1)*nb*Q8Block], out.d[r*nb:(r+1)*nb], buf)
		}
	})
	return out
}

// NewQ8 wraps already-quantized data: q holds rows×ceil(cols/32)×32 values,
// d one scale per block.
func NewQ8(rows, cols int, q []int8, d []float32) (*Q8, error) {
	nb := (cols + Q8Block - 1) / Q8Block
	if rows <= 0 || cols <= 0 || len(q) != rows*nb*Q8Block || len(d) != rows*nb {
		return nil, fmt.Errorf("kernels: %d values and %d scales do not make a %d×%d Q8 matrix", len(q), len(d), rows, cols)
	}
	return &Q8{rows: rows, cols: cols, nb: nb, q: q, d: d}, nil
}

// Release frees the matrix's memory when QuantizeQ8 mapped it outside the
// Go heap. The matrix must not be used afterwards.
func (m *Q8) Release() {
	if m.free != nil {
		m.free()
		m.free = nil
	}
	m.q, m.d = nil, nil
}

func (m *Q8) Rows() int            { return m.rows }
func (m *Q8) Cols() int            { return m.cols }
func (m *Q8) Bytes() int64         { return int64(len(m.q)) + 4*int64(len(m.d)) }
func (m *Q8) quantizedInput() bool { return true }

func (m *Q8) Row(dst []float32, i int) {
	q := m.q[i*m.nb*Q8Block:]
	d := m.d[i*m.nb:]
	for j := range dst[:m.cols] {
		dst[j] = float32(q[j]) * d[j/Q8Block]
	}
}

func (m *Q8) MatVec(p *Pool, y, x []float32)        { MatMul(p, m, y, x, 1) }
func (m *Q8) MatMul(p *Pool, y, x []float32, n int) { MatMul(p, m, y, x, n) }

func (m *Q8) mulRows(k *impl, y, _ []float32, act *q8Act, n, lo, hi int) {
	nb, R := m.nb, m.rows
	w := nb * Q8Block
	// Four rows (4·cols bytes) stay in L1 while every token passes over
	// them, so a prompt reads each weight once.
	r := lo
	for ; r+4 <= hi; r += 4 {
		for t := 0; t < n; t++ {
			out := k.dotQ8x4(m.q[r*w:], m.d[r*nb:], w, nb, act.q[t*w:(t+1)*w], act.d[t*nb:(t+1)*nb], nb)
			yt := y[t*R+r : t*R+r+4]
			yt[0], yt[1], yt[2], yt[3] = out[0], out[1], out[2], out[3]
		}
	}
	for ; r < hi; r++ {
		for t := 0; t < n; t++ {
			y[t*R+r] = k.dotQ8(m.q[r*w:(r+1)*w], m.d[r*nb:(r+1)*nb], act.q[t*w:(t+1)*w], act.d[t*nb:(t+1)*nb])
		}
	}
}

// q8Act is an input quantized like a Q8 row, one row per token.
type q8Act struct {
	q []int8
	d []float32
}

func (p *Pool) quantizeInput(x []float32, n, cols int) *q8Act {
	var a *q8Act
	if p == nil {
		a = &q8Act{}
	} else {
		a = &p.act
	}
	nb := (cols + Q8Block - 1) / Q8Block
	w := nb * Q8Block
	if cap(a.q) < n*w {
		a.q = make([]int8, n*w)
	}
	if cap(a.d) < n*nb {
		a.d = make([]float32, n*nb)
	}
	a.q, a.d = a.q[:n*w], a.d[:n*nb]
	for t := 0; t < n; t++ {
		quantizeRow(a.q[t*w:(t+1)*w], a.d[t*nb:(t+1)*nb], x[t*cols:(t+1)*cols])
	}
	return a
}

// quantizeRow quantizes x into blocks of 32 (the last one zero-padded):
// d = max|x|/127, q = round(x/d), halves away from zero.
func quantizeRow(q []int8, d []float32, x []float32) {
	for b := range d {
		lo := b * Q8Block
		hi := min(lo+Q8Block, len(x))
		xs := x[lo:hi]
		// For finite floats the magnitude orders like the bits without sign.
		var amaxBits uint32
		for _, v := range xs {
			amaxBits = max(amaxBits, math.Float32bits(v)&0x7fffffff)
		}
		amax := math.Float32frombits(amaxBits)
		blk := q[lo : lo+Q8Block]
		if amax == 0 {
			d[b] = 0
			clear(blk)
			continue
		}
		d[b] = amax / 127
		inv := 127 / amax
		for j, v := range xs {
			f := v * inv // |f| <= 127 (+ rounding)
			half := math.Float32frombits(0x3f000000 | math.Float32bits(f)&0x80000000)
			blk[j] = int8(int32(f + half))
		}
		clear(blk[len(xs):])
	}
}
