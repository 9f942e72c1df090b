package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// GGUF v3 as read by ggml's gguf.cpp: little-endian; a header (magic,
// version, tensor count, key/value count), the key/value pairs, the tensor
// infos (name, dimensions innermost first, ggml type, data offset), padding
// to the alignment, then the tensor data, each tensor at an aligned offset.
const (
	ggufMagic     = "GGUF"
	ggufVersion   = 3
	ggufAlignment = 32
)

// GGUF metadata value types.
const (
	gvUint8   uint32 = 0
	gvInt8    uint32 = 1
	gvUint16  uint32 = 2
	gvInt16   uint32 = 3
	gvUint32  uint32 = 4
	gvInt32   uint32 = 5
	gvFloat32 uint32 = 6
	gvBool    uint32 = 7
	gvString  uint32 = 8
	gvArray   uint32 = 9
	gvUint64  uint32 = 10
	gvInt64   uint32 = 11
	gvFloat64 uint32 = 12
)

// ggmlType is a tensor element type as numbered in ggml.h.
type ggmlType uint32

// The ggml types this converter writes.
const (
	typeF32  ggmlType = 0
	typeF16  ggmlType = 1
	typeQ8_0 ggmlType = 8
	typeBF16 ggmlType = 30
)

func (t ggmlType) String() string {
	switch t {
	case typeF32:
		return "F32"
	case typeF16:
		return "F16"
	case typeQ8_0:
		return "Q8_0"
	case typeBF16:
		return "BF16"
	}
	return fmt.Sprintf("ggml type %d", uint32(t))
}

// rowBytes is the size of a row of n elements, or an error when n does not
// fit the type's blocks.
func (t ggmlType) rowBytes(n int64) (int64, error) {
	switch t {
	case typeF32:
		return 4 * n, nil
	case typeF16, typeBF16:
		return 2 * n, nil
	case typeQ8_0:
		if n%q8Block != 0 {
			return 0, fmt.Errorf("a %s row needs a multiple of %d elements, got %d", t, q8Block, n)
		}
		return n / q8Block * q8BlockBytes, nil
	}
	return 0, fmt.Errorf("unsupported %s", t)
}

// kv is one metadata pair. val is one of uint32, int32, uint64, float32,
// bool, string, []string, []float32, []int32.
type kv struct {
	key string
	val any
}

// tensorInfo describes one tensor: dims innermost first (a Hugging Face
// [out, in] matrix is [in, out] here), offset relative to the data section.
type tensorInfo struct {
	name   string
	dims   []uint64
	typ    ggmlType
	size   int64
	offset uint64
}

// layout fills in size and offset of every tensor and returns the size of
// the data section.
func layout(ts []tensorInfo) (int64, error) {
	var off int64
	for i := range ts {
		t := &ts[i]
		if len(t.dims) == 0 || len(t.dims) > 4 {
			return 0, fmt.Errorf("tensor %q: %d dimensions, GGUF holds 1 to 4", t.name, len(t.dims))
		}
		row, err := t.typ.rowBytes(int64(t.dims[0]))
		if err != nil {
			return 0, fmt.Errorf("tensor %q: %w", t.name, err)
		}
		t.size = row
		for _, d := range t.dims[1:] {
			t.size *= int64(d)
		}
		t.offset = uint64(off)
		off = align(off + t.size)
	}
	return off, nil
}

func align(n int64) int64 { return (n + ggufAlignment - 1) / ggufAlignment * ggufAlignment }

// writeGGUF writes a whole GGUF file: header, metadata, tensor infos (whose
// offsets layout must have set), then each tensor's bytes from data, padded
// to the alignment. data must write exactly ts[i].size bytes.
func writeGGUF(w io.Writer, meta []kv, ts []tensorInfo, data func(i int, w io.Writer) error) error {
	cw := &countWriter{w: w}
	e := &encoder{w: cw}
	e.bytes([]byte(ggufMagic))
	e.u32(ggufVersion)
	e.u64(uint64(len(ts)))
	e.u64(uint64(len(meta)))
	for _, p := range meta {
		e.str(p.key)
		if err := e.value(p.val); err != nil {
			return fmt.Errorf("metadata %q: %w", p.key, err)
		}
	}
	for _, t := range ts {
		e.str(t.name)
		e.u32(uint32(len(t.dims)))
		for _, d := range t.dims {
			e.u64(d)
		}
		e.u32(uint32(t.typ))
		e.u64(t.offset)
	}
	if e.err != nil {
		return e.err
	}
	if err := pad(cw); err != nil {
		return err
	}
	start := cw.n
	for i, t := range ts {
		if got := uint64(cw.n - start); got != t.offset {
			return fmt.Errorf("tensor %q: at data offset %d, layout said %d", t.name, got, t.offset)
		}
		before := cw.n
		if err := data(i, cw); err != nil {
			return fmt.Errorf("tensor %q: %w", t.name, err)
		}
		if got := cw.n - before; got != t.size {
			return fmt.Errorf("tensor %q: wrote %d bytes, expected %d", t.name, got, t.size)
		}
		if err := pad(cw); err != nil {
			return err
		}
	}
	return nil
}

func pad(cw *countWriter) error {
	var zeros [ggufAlignment]byte
	_, err := cw.Write(zeros[:align(cw.n)-cw.n])
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// encoder writes little-endian GGUF primitives and keeps the first error.
type encoder struct {
	w   io.Writer
	err error
	buf [8]byte
}

func (e *encoder) bytes(p []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(p)
	}
}

func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.buf[:4], v)
	e.bytes(e.buf[:4])
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:8], v)
	e.bytes(e.buf[:8])
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	e.bytes([]byte(s))
}

func (e *encoder) value(v any) error {
	switch v := v.(type) {
	case uint32:
		e.u32(gvUint32)
		e.u32(v)
	case int32:
		e.u32(gvInt32)
		e.u32(uint32(v))
	case uint64:
		e.u32(gvUint64)
		e.u64(v)
	case float32:
		e.u32(gvFloat32)
		e.u32(math.Float32bits(v))
	case bool:
		e.u32(gvBool)
		b := byte(0)
		if v {
			b = 1
		}
		e.bytes([]byte{b})
	case string:
		e.u32(gvString)
		e.str(v)
	case []string:
		e.u32(gvArray)
		e.u32(gvString)
		e.u64(uint64(len(v)))
		for _, s := range v {
			e.str(s)
		}
	case []float32:
		e.u32(gvArray)
		e.u32(gvFloat32)
		e.u64(uint64(len(v)))
		for _, f := range v {
			e.u32(math.Float32bits(f))
		}
	case []int32:
		e.u32(gvArray)
		e.u32(gvInt32)
		e.u64(uint64(len(v)))
		for _, n := range v {
			e.u32(uint32(n))
		}
	default:
		return fmt.Errorf("unsupported metadata value type %T", v)
	}
	return nil
}
