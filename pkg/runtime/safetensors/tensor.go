package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// ErrDType is wrapped by the errors of typed views asked of a tensor whose
// dtype they cannot represent.
var ErrDType = errors.New("unsupported dtype")

// Tensor is a tensor's description and its raw little-endian bytes. Data
// points into the file's mapping and is valid until the file is closed.
type Tensor struct {
	TensorInfo
	Data []byte
}

// Float32s returns the elements as float32. F32 data is returned as a
// zero-copy view of the mapping when it is 4-byte aligned (a copy otherwise;
// the view must not be written to). F16 and BF16 are widened exactly into a
// new slice.
func (t Tensor) Float32s() ([]float32, error) {
	n := len(t.Data) / t.DType.Size()
	switch t.DType {
	case F32:
		if n == 0 {
			return []float32{}, nil
		}
		if littleEndian() && uintptr(unsafe.Pointer(&t.Data[0]))%4 == 0 {
			return unsafe.Slice((*float32)(unsafe.Pointer(&t.Data[0])), n), nil
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
		return out, nil
	case BF16:
		out := make([]float32, n)
		for i := range out {
			out[i] = DecodeBF16(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
		return out, nil
	case F16:
		out := make([]float32, n)
		for i := range out {
			out[i] = DecodeF16(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("safetensors: tensor %q: Float32s of %s: %w", t.Name, t.DType, ErrDType)
}

// Uint16s returns the raw bit patterns of an F16 or BF16 tensor, as a
// zero-copy view when the data is 2-byte aligned (a copy otherwise; the view
// must not be written to).
func (t Tensor) Uint16s() ([]uint16, error) {
	if t.DType != F16 && t.DType != BF16 {
		return nil, fmt.Errorf("safetensors: tensor %q: Uint16s of %s: %w", t.Name, t.DType, ErrDType)
	}
	n := len(t.Data) / 2
	if n == 0 {
		return []uint16{}, nil
	}
	if littleEndian() && uintptr(unsafe.Pointer(&t.Data[0]))%2 == 0 {
		return unsafe.Slice((*uint16)(unsafe.Pointer(&t.Data[0])), n), nil
	}
	out := make([]uint16, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(t.Data[2*i:])
	}
	return out, nil
}

func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}
