package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"sort"
	"strconv"
	"strings"
)

// MaxHeaderSize is the largest JSON header accepted (the limit of Hugging
// Face's reference implementation).
const MaxHeaderSize = 100 << 20

// ErrInvalid is wrapped by every error that reports a malformed or hostile
// safetensors file (as opposed to an I/O failure).
var ErrInvalid = errors.New("invalid safetensors file")

// TensorInfo describes one tensor of a file. Begin and End are byte offsets
// relative to the start of the data section (Header.DataStart).
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int64
	Begin int64
	End   int64
}

// NumElements returns the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Size returns the tensor's size in bytes.
func (t TensorInfo) Size() int64 { return t.End - t.Begin }

// Header is the validated header of one safetensors file.
type Header struct {
	// Tensors sorted by name.
	Tensors []TensorInfo
	// Metadata is the "__metadata__" object, nil when the file has none.
	Metadata map[string]string
	// DataStart is the file offset of the data section: 8 + header length.
	DataStart int64
	// FileSize is the size of the whole file in bytes.
	FileSize int64
}

// ParamCount returns the total number of elements over all tensors.
func (h *Header) ParamCount() int64 {
	var n int64
	for _, t := range h.Tensors {
		n += t.NumElements()
	}
	return n
}

// DTypes returns the number of elements stored in each dtype.
func (h *Header) DTypes() map[DType]int64 {
	m := make(map[DType]int64)
	for _, t := range h.Tensors {
		m[t.DType] += t.NumElements()
	}
	return m
}

// Lookup returns the tensor called name.
func (h *Header) Lookup(name string) (TensorInfo, bool) {
	i := sort.Search(len(h.Tensors), func(i int) bool { return h.Tensors[i].Name >= name })
	if i < len(h.Tensors) && h.Tensors[i].Name == name {
		return h.Tensors[i], true
	}
	return TensorInfo{}, false
}

// ReadHeaderFile reads and validates the header of the file at path, without
// reading any tensor data.
func ReadHeaderFile(path string) (*Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	h, err := readHeader(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("safetensors: reading %q: %w", path, err)
	}
	return h, nil
}

// ReadHeader reads and validates the header of a safetensors file of the
// given total size.
func ReadHeader(r io.ReaderAt, size int64) (*Header, error) {
	h, err := readHeader(r, size)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return h, nil
}

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

func readHeader(r io.ReaderAt, size int64) (*Header, error) {
	if size < 8 {
		return nil, invalidf("file is %d bytes, shorter than the 8-byte header length", size)
	}
	var lenBuf [8]byte
	if err := readFull(r, lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("reading header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	switch {
	case n < 2:
		return nil, invalidf("header length %d is too small (at least 2 bytes: \"{}\")", n)
	case n > MaxHeaderSize:
		return nil, invalidf("header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	case n > uint64(size-8):
		return nil, invalidf("header length %d exceeds the %d bytes that follow it in the file", n, size-8)
	}
	buf := make([]byte, n)
	if err := readFull(r, buf, 8); err != nil {
		return nil, fmt.Errorf("reading %d-byte header: %w", n, err)
	}
	h, err := parseHeader(buf)
	if err != nil {
		return nil, err
	}
	h.DataStart = 8 + int64(n)
	h.FileSize = size
	if err := validate(h); err != nil {
		return nil, err
	}
	return h, nil
}

// readFull reads len(p) bytes at off; a ReaderAt may report io.EOF along
// with a full read at the end of its data.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// validate checks every tensor against its dtype and the data section, and
// that the ranges tile the data section exactly.
func validate(h *Header) error {
	dataLen := h.FileSize - h.DataStart
	for _, t := range h.Tensors {
		sz := t.DType.Size()
		if sz == 0 {
			return invalidf("tensor %q: unknown dtype %q", truncate(t.Name), string(t.DType))
		}
		if t.Begin < 0 || t.End < t.Begin {
			return invalidf("tensor %q: data_offsets [%d, %d] are not an ordered pair", truncate(t.Name), t.Begin, t.End)
		}
		if t.End > dataLen {
			return invalidf("tensor %q: data_offsets [%d, %d] run past the %d-byte data section", truncate(t.Name), t.Begin, t.End, dataLen)
		}
		want, ok := byteSize(t.Shape, sz)
		if !ok {
			return invalidf("tensor %q: shape %s of %s overflows", truncate(t.Name), formatShape(t.Shape), t.DType)
		}
		if want != uint64(t.End-t.Begin) {
			return invalidf("tensor %q: shape %s of %s needs %d bytes but data_offsets [%d, %d] span %d",
				truncate(t.Name), formatShape(t.Shape), t.DType, want, t.Begin, t.End, t.End-t.Begin)
		}
	}
	order := make([]int, len(h.Tensors))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ta, tb := h.Tensors[order[a]], h.Tensors[order[b]]
		if ta.Begin != tb.Begin {
			return ta.Begin < tb.Begin
		}
		return ta.End < tb.End
	})
	var cursor int64
	for _, i := range order {
		t := h.Tensors[i]
		if t.Begin < cursor {
			return invalidf("tensor %q: data_offsets [%d, %d] overlap the previous tensor, which ends at %d", truncate(t.Name), t.Begin, t.End, cursor)
		}
		if t.Begin > cursor {
			return invalidf("tensor %q: data_offsets [%d, %d] leave a hole at [%d, %d] (tensors must cover the data section contiguously)", truncate(t.Name), t.Begin, t.End, cursor, t.Begin)
		}
		cursor = t.End
	}
	if cursor != dataLen {
		return invalidf("tensors cover %d bytes but the data section holds %d (tensors must cover it exactly)", cursor, dataLen)
	}
	return nil
}

// byteSize returns the product of shape times elem, reporting overflow of int63.
func byteSize(shape []int64, elem int) (uint64, bool) {
	n := uint64(elem)
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > 1<<62 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

func formatShape(s []int64) string {
	var p []string
	for i, d := range s {
		if i == 8 {
			p = append(p, "...")
			break
		}
		p = append(p, strconv.FormatInt(d, 10))
	}
	return "[" + strings.Join(p, ", ") + "]"
}
