package kernels

// MulT sets y[t*ldy+r] = Σ_k x[t*ldx+k]·w[r*ldw+k] for t < n, r < rows and
// k < cols: n strided rows of x times the transpose of rows strided rows of
// w, on the calling goroutine with p's kernels (p may be nil). Attention
// uses it for a block of queries against a run of cached keys, and for the
// block's probabilities against the transposed values, in 4×3 register
// tiles instead of one short dot product per pair.
func (p *Pool) MulT(y []float32, ldy int, w []float32, ldw, rows int, x []float32, ldx, n, cols int) {
	k := p.kernels()
	if cols == 0 {
		for t := range n {
			clear(y[t*ldy : t*ldy+rows])
		}
		return
	}
	r := 0
	for ; r+4 <= rows; r += 4 {
		wr := w[r*ldw:]
		t := 0
		for ; t+3 <= n; t += 3 {
			out := k.gemmF32(wr, ldw, x[t*ldx:], ldx, cols)
			for i := range 4 {
				for j := range 3 {
					y[(t+j)*ldy+r+i] = out[i*3+j]
				}
			}
		}
		for ; t < n; t++ {
			xt := x[t*ldx : t*ldx+cols]
			for i := range 4 {
				y[t*ldy+r+i] = k.dotF32(wr[i*ldw:i*ldw+cols], xt)
			}
		}
	}
	for ; r < rows; r++ {
		wr := w[r*ldw : r*ldw+cols]
		for t := range n {
			y[t*ldy+r] = k.dotF32(wr, x[t*ldx:t*ldx+cols])
		}
	}
}

// MulNN sets c[i*ldc+j] = Σ_k a[i*lda+k]·b[k*ldb+j] for i < m, j < n and
// k < depth (all row-major, none transposed) on the calling goroutine, in
// 6×64 outer-product tiles: no horizontal sums, which suits attention's
// short depths. It needs m a multiple of 6, n a multiple of 64 and a kernel
// set with the tile (AVX-512); otherwise it does nothing and returns false,
// and the caller uses MulT.
func (p *Pool) MulNN(c []float32, ldc int, a []float32, lda, m int, b []float32, ldb, depth, n int) bool {
	k := p.kernels()
	if k.tileNN == nil || m%6 != 0 || n%64 != 0 {
		return false
	}
	for i := 0; i < m; i += 6 {
		for j := 0; j < n; j += 64 {
			k.tileNN(a[i*lda:], lda, b[j:], ldb, depth, c[i*ldc+j:], ldc)
		}
	}
	return true
}

// HasMulNN reports whether p's kernels have MulNN's tiles.
func (p *Pool) HasMulNN() bool { return p.kernels().tileNN != nil }
