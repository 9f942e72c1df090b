package kernels

import (
	"unsafe"

	"github.com/mlpack-go/mlpack/internal/half"
	"golang.org/x/sys/cpu"
)

// native is the fastest kernel set the CPU has (x/sys/cpu also checks that
// the OS saves the vector registers): AVX2+FMA, plus an AVX-512 VNNI int8
// kernel where available; the portable one otherwise.
var native = func() *impl {
	if hasAVX512BF16() {
		return avx512bf16
	}
	if hasAVX512VNNI() {
		return avx512
	}
	if hasAVX2() {
		return avx2
	}
	return portable
}()

func hasAVX2() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C }

func hasAVX512BF16() bool { return hasAVX512VNNI() && cpu.X86.HasAVX512BF16 }

func hasAVX512VNNI() bool {
	return hasAVX2() && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI
}

// accelerated lists the assembly kernel sets this CPU can run, for tests.
func accelerated() []*impl {
	var out []*impl
	if hasAVX2() {
		out = append(out, avx2)
	}
	if hasAVX512VNNI() {
		out = append(out, avx512)
	}
	if hasAVX512BF16() {
		out = append(out, avx512bf16)
	}
	return out
}

var avx2 = &impl{
	name:        "avx2",
	dotF32:      dotF32AVX2,
	dotBF16:     dotBF16AVX2,
	dotF16:      dotF16AVX2,
	dotQ8:       dotQ8AVX2,
	gemmF32:     gemmF32AVX2,
	gemmBF16:    gemmBF16AVX2,
	gemmF16:     gemmF16AVX2,
	dotQ8x4:     dotQ8x4AVX2,
	axpy:        axpyAVX2,
	expSum:      expSumAVX2,
	siluMul:     siluMulAVX2,
	roundBF16:   roundBF16AVX2,
	quantizeRow: quantizeRowAVX2,
}

//go:noescape
func roundBF16Asm(x *float32, bf *uint16, bfx *float32, n int)

//go:noescape
func quantizeBlocksAsm(x *float32, q *int8, d *float32, nb int)

//go:noescape
func expSumAsm(x *float32, n int, m float32) float32

//go:noescape
func siluMulAsm(gate, up *float32, n int)

//go:noescape
func dotF32Asm(a, b *float32, n int) float32

//go:noescape
func dotBF16Asm(w *uint16, x *float32, n int) float32

//go:noescape
func dotQ8Asm(wq *int8, wd *float32, xq *int8, xd *float32, nb int) float32

//go:noescape
func dotQ8x4Asm(wq *int8, wd *float32, xq *int8, xd *float32, pairs int, out *[4]float32)

//go:noescape
func dotF16Asm(w *uint16, x *float32, n int) float32

//go:noescape
func gemmF16Asm(w *uint16, ldw int, x *float32, ldx, k int, out *[12]float32)

//go:noescape
func axpyAsm(y *float32, a float32, x *float32, n int)

//go:noescape
func gemmF32Asm(w *float32, ldw int, x *float32, ldx, k int, out *[12]float32)

//go:noescape
func gemmBF16Asm(w *uint16, ldw int, x *float32, ldx, k int, out *[12]float32)

func dotF32AVX2(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	m := n &^ 7
	var s float32
	if m > 0 {
		s = dotF32Asm(unsafe.SliceData(a), unsafe.SliceData(b), m)
	}
	for i := m; i < n; i++ {
		s += a[i] * b[i]
	}
	return s
}

func dotBF16AVX2(w []uint16, x []float32) float32 {
	n := len(w)
	x = x[:n]
	m := n &^ 7
	var s float32
	if m > 0 {
		s = dotBF16Asm(unsafe.SliceData(w), unsafe.SliceData(x), m)
	}
	for i := m; i < n; i++ {
		s += half.BF16ToF32(w[i]) * x[i]
	}
	return s
}

func dotQ8AVX2(wq []int8, wd []float32, xq []int8, xd []float32) float32 {
	nb := len(wd)
	if nb == 0 {
		return 0
	}
	_ = wq[nb*32-1]
	_ = xq[nb*32-1]
	_ = xd[nb-1]
	return dotQ8Asm(unsafe.SliceData(wq), unsafe.SliceData(wd), unsafe.SliceData(xq), unsafe.SliceData(xd), nb)
}

func gemmF32AVX2(w []float32, ldw int, x []float32, ldx, k int) (out [12]float32) {
	m := k &^ 7
	_ = w[3*ldw+k-1]
	_ = x[2*ldx+k-1]
	if m > 0 {
		gemmF32Asm(unsafe.SliceData(w), ldw, unsafe.SliceData(x), ldx, m, &out)
	}
	if m < k {
		gemmTail(out[:], 3, w, ldw, x, ldx, m, k, widenF32, widenF32)
	}
	return out
}

func gemmBF16AVX2(w []uint16, ldw int, x []float32, ldx, k int) (out [12]float32) {
	m := k &^ 7
	_ = w[3*ldw+k-1]
	_ = x[2*ldx+k-1]
	if m > 0 {
		gemmBF16Asm(unsafe.SliceData(w), ldw, unsafe.SliceData(x), ldx, m, &out)
	}
	if m < k {
		gemmTail(out[:], 3, w, ldw, x, ldx, m, k, half.BF16ToF32, widenF32)
	}
	return out
}

func dotQ8x4AVX2(wq []int8, wd []float32, xq []int8, xd []float32, pairs int) (out [4]float32) {
	if pairs <= 0 {
		return out
	}
	_ = wq[pairs*256-1]
	_ = wd[pairs*8-1]
	_ = xq[pairs*64-1]
	_ = xd[pairs*2-1]
	dotQ8x4Asm(unsafe.SliceData(wq), unsafe.SliceData(wd), unsafe.SliceData(xq), unsafe.SliceData(xd), pairs, &out)
	return out
}

func axpyAVX2(y []float32, a float32, x []float32) {
	n := len(y)
	x = x[:n]
	m := n &^ 7
	if m > 0 {
		axpyAsm(unsafe.SliceData(y), a, unsafe.SliceData(x), m)
	}
	for i := m; i < n; i++ {
		y[i] += a * x[i]
	}
}

func expSumAVX2(x []float32, m float32) float32 {
	n := len(x) &^ 7
	var sum float32
	if n > 0 {
		sum = expSumAsm(unsafe.SliceData(x), n, m)
	}
	return sum + expSumGo(x[n:], m)
}

// quantizeRowAVX2 quantizes x's whole blocks in assembly and the rest (a
// partial last block, padding blocks) with quantizeRow.
func quantizeRowAVX2(q []int8, d []float32, x []float32) {
	full := min(len(x)/Q8Block, len(d))
	if full > 0 {
		_ = q[full*Q8Block-1]
		quantizeBlocksAsm(unsafe.SliceData(x), unsafe.SliceData(q), unsafe.SliceData(d), full)
	}
	quantizeRow(q[full*Q8Block:], d[full:], x[full*Q8Block:])
}

func roundBF16AVX2(x []float32, bf []uint16, bfx []float32) {
	bf, bfx = bf[:len(x)], bfx[:len(x)]
	n := len(x) &^ 7
	if n > 0 {
		roundBF16Asm(unsafe.SliceData(x), unsafe.SliceData(bf), unsafe.SliceData(bfx), n)
	}
	roundBF16Go(x[n:], bf[n:], bfx[n:])
}

func siluMulAVX2(g, u []float32) {
	u = u[:len(g)]
	n := len(g) &^ 7
	if n > 0 {
		siluMulAsm(unsafe.SliceData(g), unsafe.SliceData(u), n)
	}
	siluMulGo(g[n:], u[n:])
}

func dotF16AVX2(w []uint16, x []float32) float32 {
	n := len(w)
	x = x[:n]
	m := n &^ 7
	var s float32
	if m > 0 {
		s = dotF16Asm(unsafe.SliceData(w), unsafe.SliceData(x), m)
	}
	for i := m; i < n; i++ {
		s += half.F16ToF32(w[i]) * x[i]
	}
	return s
}

func gemmF16AVX2(w []uint16, ldw int, x []float32, ldx, k int) (out [12]float32) {
	m := k &^ 7
	_ = w[3*ldw+k-1]
	_ = x[2*ldx+k-1]
	if m > 0 {
		gemmF16Asm(unsafe.SliceData(w), ldw, unsafe.SliceData(x), ldx, m, &out)
	}
	if m < k {
		gemmTail(out[:], 3, w, ldw, x, ldx, m, k, half.F16ToF32, widenF32)
	}
	return out
}
