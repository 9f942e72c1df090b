package kernels

import (
	"unsafe"

	"github.com/mlpack-go/mlpack/internal/half"
)

// The AVX-512 kernel sets: avx512vnni and avx512bf16 (impl_amd64.go has
// the AVX2 set they build on and the CPU feature checks).

//go:noescape
func gemmBF16DPAsm(w *uint16, ldw int, x *uint16, ldx, k int, out *[12]float32)

//go:noescape
func gemmBF16DP6Asm(w *uint16, ldw int, x *uint16, ldx, k int, out *[24]float32)

//go:noescape
func tileNN6x64Asm(a *float32, lda int, b *float32, ldb, k int, c *float32, ldc int)

//go:noescape
func gemmF32x6AVX512Asm(w *float32, ldw int, x *float32, ldx, k int, out *[24]float32)

//go:noescape
func dotQ8x4VNNIAsm(wq *int8, wd *float32, xq *int8, xd *float32, pairs int, out *[4]float32)

//go:noescape
func dotF32AVX512Asm(a, b *float32, n int) float32

//go:noescape
func dotBF16AVX512Asm(w *uint16, x *float32, n int) float32

//go:noescape
func gemmF32AVX512Asm(w *float32, ldw int, x *float32, ldx, k int, out *[12]float32)

//go:noescape
func gemmBF16AVX512Asm(w *uint16, ldw int, x *float32, ldx, k int, out *[12]float32)

// avx512 is avx2 with 512-bit fp32 and bf16 dot products and the int8
// product on AVX-512 VNNI: two blocks per step and vpdpbusd instead of
// vpmaddubsw+vpmaddwd, and 512-bit GEMM micro-kernels.
var avx512 = func() *impl {
	k := *avx2
	k.name = "avx512vnni"
	k.dotQ8x4 = dotQ8x4VNNI
	k.dotF32 = dotF32AVX512
	k.dotBF16 = dotBF16AVX512
	k.gemmF32 = gemmF32AVX512
	k.gemmF32x6 = gemmF32x6AVX512
	k.tileNN = tileNN6x64
	k.gemmBF16 = gemmBF16AVX512
	return &k
}()

func dotQ8x4VNNI(wq []int8, wd []float32, xq []int8, xd []float32, pairs int) (out [4]float32) {
	if pairs <= 0 {
		return out
	}
	_ = wq[pairs*256-1]
	_ = wd[pairs*8-1]
	_ = xq[pairs*64-1]
	_ = xd[pairs*2-1]
	dotQ8x4VNNIAsm(unsafe.SliceData(wq), unsafe.SliceData(wd), unsafe.SliceData(xq), unsafe.SliceData(xd), pairs, &out)
	return out
}

// avx512bf16 is avx512vnni plus vdpbf16ps for prompt products of bf16
// weights (bf16 inputs, 32 products an instruction).
var avx512bf16 = func() *impl {
	k := *avx512
	k.name = "avx512bf16"
	k.gemmBF16BF16 = gemmBF16DP
	k.gemmBF16BF16x6 = gemmBF16DP6
	return &k
}()

func gemmBF16DP(w []uint16, ldw int, x []uint16, ldx, k int) (out [12]float32) {
	m := k &^ 31
	_ = w[3*ldw+k-1]
	_ = x[2*ldx+k-1]
	if m > 0 {
		gemmBF16DPAsm(unsafe.SliceData(w), ldw, unsafe.SliceData(x), ldx, m, &out)
	}
	if m < k {
		gemmTail(out[:], 3, w, ldw, x, ldx, m, k, half.BF16ToF32, half.BF16ToF32)
	}
	return out
}

func gemmF32x6AVX512(w []float32, ldw int, x []float32, ldx, k int) (out [24]float32) {
	m := k &^ 15
	_ = w[3*ldw+k-1]
	_ = x[5*ldx+k-1]
	if m > 0 {
		gemmF32x6AVX512Asm(unsafe.SliceData(w), ldw, unsafe.SliceData(x), ldx, m, &out)
	}
	if m < k {
		gemmTail(out[:], 6, w, ldw, x, ldx, m, k, widenF32, widenF32)
	}
	return out
}

func gemmBF16DP6(w []uint16, ldw int, x []uint16, ldx, k int) (out [24]float32) {
	m := k &^ 31
	_ = w[3*ldw+k-1]
	_ = x[5*ldx+k-1]
	if m > 0 {
		gemmBF16DP6Asm(unsafe.SliceData(w), ldw, unsafe.SliceData(x), ldx, m, &out)
	}
	if m < k {
		gemmTail(out[:], 6, w, ldw, x, ldx, m, k, half.BF16ToF32, half.BF16ToF32)
	}
	return out
}

func tileNN6x64(a []float32, lda int, b []float32, ldb, k int, c []float32, ldc int) {
	if k <= 0 {
		for i := range 6 {
			clear(c[i*ldc : i*ldc+64])
		}
		return
	}
	_ = a[5*lda+k-1]
	_ = b[(k-1)*ldb+63]
	_ = c[5*ldc+63]
	tileNN6x64Asm(unsafe.SliceData(a), lda, unsafe.SliceData(b), ldb, k, unsafe.SliceData(c), ldc)
}

func dotF32AVX512(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	m := n &^ 15
	var s float32
	if m > 0 {
		s = dotF32AVX512Asm(unsafe.SliceData(a), unsafe.SliceData(b), m)
	}
	for i := m; i < n; i++ {
		s += a[i] * b[i]
	}
	return s
}

func dotBF16AVX512(w []uint16, x []float32) float32 {
	n := len(w)
	x = x[:n]
	m := n &^ 15
	var s float32
	if m > 0 {
		s = dotBF16AVX512Asm(unsafe.SliceData(w), unsafe.SliceData(x), m)
	}
	for i := m; i < n; i++ {
		s += half.BF16ToF32(w[i]) * x[i]
	}
	return s
}

func gemmF32AVX512(w []float32, ldw int, x []float32, ldx, k int) (out [12]float32) {
	m := k &^ 15
	_ = w[3*ldw+k-1]
	_ = x[2*ldx+k-1]
	if m > 0 {
		gemmF32AVX512Asm(unsafe.SliceData(w), ldw, unsafe.SliceData(x), ldx, m, &out)
	}
	if m < k {
		gemmTail(out[:], 3, w, ldw, x, ldx, m, k, widenF32, widenF32)
	}
	return out
}

func gemmBF16AVX512(w []uint16, ldw int, x []float32, ldx, k int) (out [12]float32) {
	m := k &^ 15
	_ = w[3*ldw+k-1]
	_ = x[2*ldx+k-1]
	if m > 0 {
		gemmBF16AVX512Asm(unsafe.SliceData(w), ldw, unsafe.SliceData(x), ldx, m, &out)
	}
	if m < k {
		gemmTail(out[:], 3, w, ldw, x, ldx, m, k, half.BF16ToF32, widenF32)
	}
	return out
}
