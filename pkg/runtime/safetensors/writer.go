package safetensors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/mlpack-go/mlpack/internal/atomicfile"
	"io"
	"sort"
	"strconv"
)

// WriteTensor is one tensor to write. The data is Data, or, when Fill is
// non-nil, whatever Fill writes (exactly the tensor's byte size), so that a
// large model can be written tensor by tensor without holding it in memory.
type WriteTensor struct {
	Name  string
	DType DType
	Shape []int64
	Data  []byte
	Fill  func(w io.Writer) error
}

// WriteFile writes tensors and metadata to path as a safetensors file, the
// way Hugging Face's library does: compact JSON header with "__metadata__"
// first, padded with spaces so the data section starts 8-byte aligned,
// tensors ordered by decreasing element size then by name (so every tensor is
// aligned to its element size). The file is written under a temporary name,
// synced and renamed into place.
func WriteFile(path string, tensors []WriteTensor, metadata map[string]string) error {
	if err := writeFile(path, tensors, metadata); err != nil {
		return fmt.Errorf("safetensors: writing %q: %w", path, err)
	}
	return nil
}

func writeFile(path string, tensors []WriteTensor, metadata map[string]string) error {
	ordered, header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		var lenBuf [8]byte
		for i := range 8 {
			lenBuf[i] = byte(uint64(len(header)) >> (8 * i))
		}
		if _, err := w.Write(lenBuf[:]); err != nil {
			return err
		}
		if _, err := w.Write(header); err != nil {
			return err
		}
		for _, t := range ordered {
			if err := writeData(w, t); err != nil {
				return err
			}
		}
		return nil
	})
}

func writeData(w io.Writer, t WriteTensor) error {
	want, _ := byteSize(t.Shape, t.DType.Size())
	if t.Fill == nil {
		_, err := w.Write(t.Data)
		return err
	}
	cw := &countingWriter{w: w}
	if err := t.Fill(cw); err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	if uint64(cw.n) != want {
		return fmt.Errorf("tensor %q: Fill wrote %d bytes, want %d", t.Name, cw.n, want)
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// encodeHeader validates the tensors and returns them in file order with the
// padded JSON header.
func encodeHeader(tensors []WriteTensor, metadata map[string]string) ([]WriteTensor, []byte, error) {
	ordered := append([]WriteTensor(nil), tensors...)
	seen := make(map[string]bool, len(tensors))
	for _, t := range ordered {
		if t.Name == metadataKey {
			return nil, nil, fmt.Errorf("tensor name %q is reserved", t.Name)
		}
		if seen[t.Name] {
			return nil, nil, fmt.Errorf("duplicate tensor %q", t.Name)
		}
		seen[t.Name] = true
		if !t.DType.Known() {
			return nil, nil, fmt.Errorf("tensor %q: unknown dtype %q", t.Name, string(t.DType))
		}
		want, ok := byteSize(t.Shape, t.DType.Size())
		if !ok {
			return nil, nil, fmt.Errorf("tensor %q: shape %s overflows", t.Name, formatShape(t.Shape))
		}
		if t.Fill == nil && uint64(len(t.Data)) != want {
			return nil, nil, fmt.Errorf("tensor %q: shape %s of %s needs %d bytes, Data has %d",
				t.Name, formatShape(t.Shape), t.DType, want, len(t.Data))
		}
	}
	sort.SliceStable(ordered, func(i, j int) bool {
		si, sj := ordered[i].DType.Size(), ordered[j].DType.Size()
		if si != sj {
			return si > sj
		}
		return ordered[i].Name < ordered[j].Name
	})
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(`"__metadata__":{`)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, k)
			b.WriteByte(':')
			writeJSONString(&b, metadata[k])
		}
		b.WriteByte('}')
		first = false
	}
	var off uint64
	for _, t := range ordered {
		size, _ := byteSize(t.Shape, t.DType.Size())
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(&b, t.Name)
		b.WriteString(`:{"dtype":`)
		writeJSONString(&b, string(t.DType))
		b.WriteString(`,"shape":[`)
		for i, d := range t.Shape {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(d, 10))
		}
		b.WriteString(`],"data_offsets":[`)
		b.WriteString(strconv.FormatUint(off, 10))
		b.WriteByte(',')
		off += size
		b.WriteString(strconv.FormatUint(off, 10))
		b.WriteString("]}")
	}
	b.WriteByte('}')
	for (8+b.Len())%8 != 0 {
		b.WriteByte(' ')
	}
	if b.Len() > MaxHeaderSize {
		return nil, nil, fmt.Errorf("header of %d bytes exceeds the %d-byte limit", b.Len(), MaxHeaderSize)
	}
	return ordered, b.Bytes(), nil
}

// writeJSONString writes s as a JSON string without HTML escaping, as
// serde_json does.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // drop Encode's newline
}
