package kernels

import (
	"math"
	"unsafe"
)

// Q8Block is the number of weights sharing one scale in a [Q8] matrix.
const Q8Block = 32

// q8Blocks is the number of blocks a row of cols values takes: rounded up to
// an even number so that every row is a whole number of block pairs.
func q8Blocks(cols int) int {
	nb := (cols + Q8Block - 1) / Q8Block
	return nb + nb%2
}

// Q8 is a matrix quantized to int8 in blocks of 32 along each row with one
// float32 scale per block (llama.cpp's Q8_0 with an fp32 scale). Products
// quantize the input the same way once per call and accumulate int8·int8
// products exactly in int32 before scaling.
//
// Storage is tiled for streaming: rows are grouped in fours (the last group
// padded with zero rows), rows are padded with zero blocks to an even count,
// and each group stores, pair of blocks after pair of blocks, 64 bytes of
// each of its four rows. The 4-row kernel then reads one sequential stream
// instead of four short ones, which the hardware prefetcher follows much
// better (int8 rows are only 2 KB in a 2048-wide model).
type Q8 struct {
	rows, cols, nb int // nb is even
	q              []int8
	d              []float32
	free           func()
}

// tile returns the quantized values and scales of row group g.
func (m *Q8) tile(g int) ([]int8, []float32) {
	qn, dn := 4*m.nb*Q8Block, 4*m.nb
	return m.q[g*qn : (g+1)*qn], m.d[g*dn : (g+1)*dn]
}

// QuantizeQ8 converts m to Q8, splitting the row groups over the pool.
func QuantizeQ8(p *Pool, m Matrix) *Q8 {
	rows, cols := m.Rows(), m.Cols()
	nb := q8Blocks(cols)
	groups := (rows + 3) / 4
	nq, nd := groups*4*nb*Q8Block, groups*4*nb
	mem, free := allocBytes(nq + 4*nd) // nq is a multiple of 32: d stays aligned
	out := &Q8{rows: rows, cols: cols, nb: nb, free: free,
		q: unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(mem))), nq),
		d: unsafe.Slice((*float32)(unsafe.Pointer(&mem[nq])), nd)}
	k := p.kernels()
	p.For(groups, func(lo, hi int) {
		buf := make([]float32, nb*Q8Block)
		rq, rd := make([]int8, nb*Q8Block), make([]float32, nb)
		for g := lo; g < hi; g++ {
			tq, td := out.tile(g)
			for i := 0; i < 4 && 4*g+i < rows; i++ {
				m.Row(buf[:cols], 4*g+i)
				k.quantizeRow(rq, rd, buf[:cols])
				for pr := 0; pr < nb/2; pr++ {
					copy(tq[(pr*4+i)*64:(pr*4+i+1)*64], rq[pr*64:(pr+1)*64])
					td[(pr*4+i)*2], td[(pr*4+i)*2+1] = rd[2*pr], rd[2*pr+1]
				}
			}
		}
	})
	return out
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
func (m *Q8) inputForm() inputForm { return inputQ8 }

func (m *Q8) Row(dst []float32, r int) {
	tq, td := m.tile(r / 4)
	i := r % 4
	for j := range dst[:m.cols] {
		b := j / Q8Block
		unit := (b/2)*4 + i
		dst[j] = float32(tq[unit*64+(b%2)*32+j%32]) * td[unit*2+b%2]
	}
}

func (m *Q8) MatVec(p *Pool, y, x []float32)        { MatMul(p, m, y, x, 1) }
func (m *Q8) MatMul(p *Pool, y, x []float32, n int) { MatMul(p, m, y, x, n) }

func (m *Q8) mulRows(k *impl, y, _ []float32, act *prepared, n, lo, hi int) {
	nb, R := m.nb, m.rows
	w := nb * Q8Block
	// A group's 4·cols bytes stay in L1 while every token passes over them,
	// so a prompt reads each weight once.
	for g := lo / 4; 4*g < hi; g++ {
		tq, td := m.tile(g)
		r0, r1 := max(lo, 4*g), min(hi, 4*g+4, R)
		for t := 0; t < n; t++ {
			out := k.dotQ8x4(tq, td, act.q[t*w:(t+1)*w], act.d[t*nb:(t+1)*nb], nb/2)
			copy(y[t*R+r0:t*R+r1], out[r0-4*g:r1-4*g])
		}
	}
}

// quantizeRow quantizes x into blocks of 32 (the last one zero-padded):
// d = max|x|/127, q = round(x/d), halves away from zero.
func quantizeRow(q []int8, d []float32, x []float32) {
	for b := range d {
		lo := b * Q8Block
		hi := min(lo+Q8Block, len(x))
		blk := q[lo : lo+Q8Block]
		if lo >= hi { // a padding block
			d[b] = 0
			clear(blk)
			continue
		}
		xs := x[lo:hi]
		// For finite floats the magnitude orders like the bits without sign.
		var amaxBits uint32
		for _, v := range xs {
			amaxBits = max(amaxBits, math.Float32bits(v)&0x7fffffff)
		}
		amax := math.Float32frombits(amaxBits)
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
