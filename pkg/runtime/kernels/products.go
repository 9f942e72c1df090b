package kernels

import (
	"fmt"
)

// parallelMin is the number of multiply-adds below which a product runs on
// the calling goroutine: handing work to another core costs microseconds.
const parallelMin = 1 << 15

// mulTask runs up to maxShared products that share one input, as one split
// over their concatenated rows.
type mulTask struct {
	k    *impl
	nm   int
	ms   [maxShared]Matrix
	ys   [maxShared][]float32
	ends [maxShared]int
	x    []float32
	act  *prepared
	n    int
}

const maxShared = 4

func (t *mulTask) Run(lo, hi int) {
	start := 0
	for i := 0; i < t.nm; i++ {
		end := t.ends[i]
		if a, b := max(lo, start), min(hi, end); a < b {
			t.ms[i].mulRows(t.k, t.ys[i], t.x, t.act, t.n, a-start, b-start)
		}
		start = end
	}
}

// MatMul computes Y = X·Wᵀ for n rows of x (n×Cols) into y (n×Rows); n == 1
// is a matrix-vector product.
func MatMul(p *Pool, m Matrix, y, x []float32, n int) {
	ms := [1]Matrix{m}
	ys := [1][]float32{y}
	MatMulShared(p, x, n, ms[:], ys[:])
}

// MatMulShared computes ys[i] = X·ms[i]ᵀ for matrices that read the same
// input (the q/k/v projections), in one split over all their rows so each
// worker hands off once and int8 inputs are quantized once. At most 4
// matrices; all must have the same number of columns.
func MatMulShared(p *Pool, x []float32, n int, ms []Matrix, ys [][]float32) {
	if len(ms) == 0 || len(ms) > maxShared || len(ms) != len(ys) {
		panic(fmt.Sprintf("kernels: MatMulShared needs 1 to %d matrices with one output each, got %d and %d", maxShared, len(ms), len(ys)))
	}
	cols := ms[0].Cols()
	if len(x) < n*cols {
		panic(fmt.Sprintf("kernels: input has %d values, need %d×%d", len(x), n, cols))
	}
	t := p.mulTask()
	t.k, t.nm, t.x, t.n, t.act = p.kernels(), len(ms), x, n, nil
	total := 0
	var forms [maxShared]inputForm
	for i, m := range ms {
		if m.Cols() != cols || len(ys[i]) < n*m.Rows() {
			panic(fmt.Sprintf("kernels: matrix %d is %d×%d with %d outputs, input has %d columns and %d rows", i, m.Rows(), m.Cols(), len(ys[i]), cols, n))
		}
		total += m.Rows()
		t.ms[i], t.ys[i], t.ends[i] = m, ys[i], total
		forms[i] = m.inputForm()
	}
	t.act = p.prepare(x, n, cols, forms[:len(ms)]...)
	run(p, total, total*cols*n, t)
	for i := range ms {
		t.ms[i], t.ys[i] = nil, nil
	}
	t.x = nil
}

func (p *Pool) mulTask() *mulTask {
	if p == nil {
		return &mulTask{}
	}
	return &p.mul
}

func run(p *Pool, n, work int, t Task) {
	if work < parallelMin {
		t.Run(0, n)
		return
	}
	p.Run(n, t)
}

// gluTask computes gate and up products for the same rows, then
// silu(gate)·up in place into gate.
type gluTask struct {
	k        *impl
	gate, up Matrix
	g, u, x  []float32
	act      *prepared
	n        int
}

func (t *gluTask) Run(lo, hi int) {
	t.gate.mulRows(t.k, t.g, t.x, t.act, t.n, lo, hi)
	t.up.mulRows(t.k, t.u, t.x, t.act, t.n, lo, hi)
	R := t.gate.Rows()
	for i := 0; i < t.n; i++ {
		t.k.siluMul(t.g[i*R+lo:i*R+hi], t.u[i*R+lo:i*R+hi])
	}
}

// SwiGLU computes h = silu(X·gateᵀ) ⊙ (X·upᵀ) for n rows of x into h
// (n×Rows), using u (n×Rows) as scratch. The two products and the
// activation run in one pass over the rows.
func SwiGLU(p *Pool, gate, up Matrix, h, u, x []float32, n int) {
	R, cols := gate.Rows(), gate.Cols()
	if up.Rows() != R || up.Cols() != cols || len(h) < n*R || len(u) < n*R || len(x) < n*cols {
		panic(fmt.Sprintf("kernels: SwiGLU shapes disagree: gate %d×%d, up %d×%d, %d rows", R, cols, up.Rows(), up.Cols(), n))
	}
	var t *gluTask
	if p == nil {
		t = &gluTask{}
	} else {
		t = &p.glu
	}
	t.k, t.gate, t.up, t.g, t.u, t.x, t.n, t.act = p.kernels(), gate, up, h, u, x, n, nil
	t.act = p.prepare(x, n, cols, gate.inputForm(), up.inputForm())
	run(p, R, 2*R*cols*n, t)
	t.gate, t.up, t.g, t.u, t.x = nil, nil, nil, nil, nil
}
