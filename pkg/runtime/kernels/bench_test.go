package kernels

import (
	"math/rand/v2"
	"testing"
)

// The benchmarks use TinyLlama's down_proj shape (2048×5632) and cycle
// through enough copies (>= 256 MB) that every product streams its weights
// from DRAM, as a decode step does. SetBytes is the weight bytes per product,
// so the MB/s column is the weight bandwidth achieved.
const benchRows, benchCols = 2048, 5632

func benchMatrices(b *testing.B, format string, p *Pool) []Matrix {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 1))
	w := randVec(r, benchRows*benchCols)
	base, _ := NewF32(benchRows, benchCols, w)
	var ms []Matrix
	var total int64
	for total < 256<<20 {
		var m Matrix
		switch format {
		case "f32":
			m, _ = NewF32(benchRows, benchCols, append([]float32(nil), w...))
		case "bf16":
			m, _ = NewBF16(benchRows, benchCols, toBF16(w))
		case "int8":
			m = QuantizeQ8(p, base)
		}
		ms = append(ms, m)
		total += m.Bytes()
	}
	return ms
}

func benchMatMul(b *testing.B, format string, threads, n int, portableKernels bool) {
	p := NewPool(threads)
	if portableKernels {
		p = NewPortablePool(threads)
	}
	defer p.Close()
	ms := benchMatrices(b, format, p)
	r := rand.New(rand.NewPCG(2, 2))
	x := randVec(r, n*benchCols)
	y := make([]float32, n*benchRows)
	b.SetBytes(ms[0].Bytes())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ms[i%len(ms)].MatMul(p, y, x, n)
	}
	if n > 1 {
		b.ReportMetric(float64(2*benchRows*benchCols*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
}

func BenchmarkMatVecF32(b *testing.B)          { benchMatMul(b, "f32", 2, 1, false) }
func BenchmarkMatVecF32OneThread(b *testing.B) { benchMatMul(b, "f32", 1, 1, false) }
func BenchmarkMatVecBF16(b *testing.B)         { benchMatMul(b, "bf16", 2, 1, false) }
func BenchmarkMatVecInt8(b *testing.B)         { benchMatMul(b, "int8", 2, 1, false) }
func BenchmarkMatVecF32Portable(b *testing.B)  { benchMatMul(b, "f32", 2, 1, true) }
func BenchmarkMatVecInt8Portable(b *testing.B) { benchMatMul(b, "int8", 2, 1, true) }
func BenchmarkMatMul48F32(b *testing.B)        { benchMatMul(b, "f32", 2, 48, false) }
func BenchmarkMatMul48BF16(b *testing.B)       { benchMatMul(b, "bf16", 2, 48, false) }
func BenchmarkMatMul48Int8(b *testing.B)       { benchMatMul(b, "int8", 2, 48, false) }

func BenchmarkQuantizeQ8FromBF16(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	const rows, cols = 256, 2048
	m, _ := NewBF16(rows, cols, toBF16(randVec(r, rows*cols)))
	b.SetBytes(int64(rows * cols))
	for i := 0; i < b.N; i++ {
		QuantizeQ8(nil, m)
	}
}

type nopTask struct{}

func (nopTask) Run(lo, hi int) {}

// BenchmarkPoolRun is the cost of one hand-off to the workers and back.
func BenchmarkPoolRun(b *testing.B) {
	p := NewPool(2)
	defer p.Close()
	for i := 0; i < b.N; i++ {
		p.Run(1024, nopTask{})
	}
}
