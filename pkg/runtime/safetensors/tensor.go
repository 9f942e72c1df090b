package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/mlpack-go/mlpack/internal/half"
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
	switch t.DType {
	case F32, BF16, F16:
	default:
		return nil, fmt.Errorf("safetensors: tensor %q: Float32s of %s: %w", t.Name, t.DType, ErrDType)
	}
	n := len(t.Data) / t.DType.Size()
	if n == 0 {
		return []float32{}, nil
	}
	if t.DType == F32 && littleEndian() && uintptr(unsafe.Pointer(&t.Data[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&t.Data[0])), n), nil
	}
	out := make([]float32, n)
	if err := t.Float32sInto(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Float32sInto widens or copies the elements into dst, which must hold
// exactly NumElements values (for loading weights into memory the caller
// allocated, such as a huge-page arena).
func (t Tensor) Float32sInto(dst []float32) error {
	size := t.DType.Size()
	if size == 0 || len(t.Data)%size != 0 {
		return fmt.Errorf("safetensors: tensor %q: %d bytes of %s: %w", t.Name, len(t.Data), t.DType, ErrDType)
	}
	if n := len(t.Data) / size; len(dst) != n {
		return fmt.Errorf("safetensors: tensor %q: destination holds %d values, tensor has %d", t.Name, len(dst), n)
	}
	switch t.DType {
	case F32:
		if len(dst) > 0 && littleEndian() && uintptr(unsafe.Pointer(&t.Data[0]))%4 == 0 {
			copy(dst, unsafe.Slice((*float32)(unsafe.Pointer(&t.Data[0])), len(dst)))
			return nil
		}
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
	case BF16:
		src, _ := t.Uint16s()
		src = src[:len(dst)]
		for i, h := range src {
			dst[i] = math.Float32frombits(uint32(h) << 16)
		}
	case F16:
		src, _ := t.Uint16s()
		src = src[:len(dst)]
		for i, h := range src {
			dst[i] = half.F16ToF32(h)
		}
	default:
		return fmt.Errorf("safetensors: tensor %q: Float32sInto of %s: %w", t.Name, t.DType, ErrDType)
	}
	return nil
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
