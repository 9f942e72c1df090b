package safetensors

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/internal/half"
)

// benchTensor is a TinyLlama down_proj-sized tensor (2048×5632).
func benchTensor(dt DType) Tensor {
	const rows, cols = 2048, 5632
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, rows*cols*dt.Size())
	for i := 0; i+1 < len(data); i += 2 {
		h := half.F32ToBF16(float32(r.NormFloat64()))
		if dt == F16 {
			h = half.F32ToF16(half.BF16ToF32(h))
		}
		data[i], data[i+1] = byte(h), byte(h>>8)
	}
	return Tensor{TensorInfo: TensorInfo{Name: "w", DType: dt, Shape: []int64{rows, cols}, End: int64(len(data))}, Data: data}
}

func benchmarkWiden(b *testing.B, dt DType) {
	tn := benchTensor(dt)
	dst := make([]float32, tn.NumElements())
	b.SetBytes(int64(len(dst)) * 4)
	b.ResetTimer()
	for b.Loop() {
		if err := tn.Float32sInto(dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWidenBF16(b *testing.B) { benchmarkWiden(b, BF16) }
func BenchmarkWidenF16(b *testing.B)  { benchmarkWiden(b, F16) }

// BenchmarkOpenDir measures header parsing and mapping of a 201-tensor file
// (TinyLlama's tensor count, tiny data).
func BenchmarkOpenDir(b *testing.B) {
	dir := b.TempDir()
	var ts []WriteTensor
	for i := range 201 {
		ts = append(ts, WriteTensor{Name: "model.layers." + string(rune('a'+i%26)) + "." + string(rune('a'+i/26)) + ".weight", DType: BF16, Shape: []int64{4, 4}, Data: make([]byte, 32)})
	}
	if err := WriteFile(filepath.Join(dir, SingleFileName), ts, map[string]string{"format": "pt"}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := OpenDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
