package safetensors

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func f32Bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func u16Bytes(v ...uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}

func testTensors() []WriteTensor {
	return []WriteTensor{
		{Name: "w.f32", DType: F32, Shape: []int64{2, 2}, Data: f32Bytes(1, -2, 0.5, 3e-39)},
		{Name: "w.bf16", DType: BF16, Shape: []int64{3}, Data: u16Bytes(0x3f80, 0xc000, 0x7f80)},
		{Name: "w.f16", DType: F16, Shape: []int64{4}, Data: u16Bytes(0x3c00, 0x0001, 0xfc00, 0x3555)},
		{Name: "ids", DType: I32, Shape: []int64{1}, Data: []byte{7, 0, 0, 0}},
	}
}

func TestOpenRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := WriteFile(path, testTensors(), map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if d := cmp.Diff([]string{"ids", "w.bf16", "w.f16", "w.f32"}, f.Names()); d != "" {
		t.Errorf("Names (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"format": "pt"}, f.Header().Metadata); d != "" {
		t.Errorf("Metadata (-want +got):\n%s", d)
	}
	want := map[string][]float32{
		"w.f32":  {1, -2, 0.5, 3e-39},
		"w.bf16": {1, -2, float32(math.Inf(1))},
		"w.f16":  {1, 5.960464477539063e-08, float32(math.Inf(-1)), 0.333251953125},
	}
	for name, w := range want {
		tn, ok := f.Tensor(name)
		if !ok {
			t.Fatalf("tensor %q missing", name)
		}
		got, err := tn.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(w, got); d != "" {
			t.Errorf("%s Float32s (-want +got):\n%s", name, d)
		}
	}
	tn, _ := f.Tensor("w.f32")
	view, _ := tn.Float32s()
	if &view[0] != (*float32)(ptr(tn.Data)) {
		t.Error("aligned F32 Float32s copied instead of returning a view")
	}
	tb, _ := f.Tensor("w.bf16")
	raw, err := tb.Uint16s()
	if err != nil || !cmp.Equal(raw, []uint16{0x3f80, 0xc000, 0x7f80}) {
		t.Errorf("Uint16s = %v, %v", raw, err)
	}
	ti, _ := f.Tensor("ids")
	if _, err := ti.Float32s(); !errors.Is(err, ErrDType) {
		t.Errorf("Float32s of I32: %v, want ErrDType", err)
	}
	if _, err := tn.Uint16s(); !errors.Is(err, ErrDType) {
		t.Errorf("Uint16s of F32: %v, want ErrDType", err)
	}
	if _, ok := f.Tensor("absent"); ok {
		t.Error("absent tensor found")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestFloat32sUnaligned reads F32 data at an odd address: the result must be
// a correct copy, not a misaligned view.
func TestFloat32sUnaligned(t *testing.T) {
	buf := append([]byte{0}, f32Bytes(1.5, -3)...)
	tn := Tensor{TensorInfo: TensorInfo{Name: "x", DType: F32, Shape: []int64{2}, End: 8}, Data: buf[1:]}
	got, err := tn.Float32s()
	if err != nil || !cmp.Equal(got, []float32{1.5, -3}) {
		t.Fatalf("Float32s = %v, %v", got, err)
	}
	h := append([]byte{0}, u16Bytes(0x3c00)...)
	th := Tensor{TensorInfo: TensorInfo{Name: "h", DType: F16, Shape: []int64{1}, End: 2}, Data: h[1:]}
	raw, err := th.Uint16s()
	if err != nil || !cmp.Equal(raw, []uint16{0x3c00}) {
		t.Fatalf("Uint16s = %v, %v", raw, err)
	}
	empty := Tensor{TensorInfo: TensorInfo{Name: "e", DType: F32, Shape: []int64{0}}}
	if got, err := empty.Float32s(); err != nil || len(got) != 0 {
		t.Errorf("empty Float32s = %v, %v", got, err)
	}
}

func TestOpenRejectsHostile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := os.WriteFile(path, rawFile(`{"a":{"dtype":"F32","shape":[1000000],"data_offsets":[0,4000000]}}`, 4), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), path) {
		t.Errorf("Open = %v, want ErrInvalid naming the file", err)
	}
}

func TestFloat32sInto(t *testing.T) {
	tn := Tensor{TensorInfo: TensorInfo{Name: "h", DType: BF16, Shape: []int64{2}, End: 4}, Data: u16Bytes(0x3f80, 0xbf00)}
	dst := make([]float32, 2)
	if err := tn.Float32sInto(dst); err != nil || !cmp.Equal(dst, []float32{1, -0.5}) {
		t.Errorf("Float32sInto = %v, %v", dst, err)
	}
	if err := tn.Float32sInto(make([]float32, 3)); err == nil || !strings.Contains(err.Error(), "destination holds 3 values, tensor has 2") {
		t.Errorf("wrong-size destination: %v", err)
	}
	ti := Tensor{TensorInfo: TensorInfo{Name: "i", DType: I32, Shape: []int64{1}, End: 4}, Data: make([]byte, 4)}
	if err := ti.Float32sInto(make([]float32, 1)); !errors.Is(err, ErrDType) {
		t.Errorf("I32: %v, want ErrDType", err)
	}
}
