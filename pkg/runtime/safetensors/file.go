package safetensors

import (
	"fmt"
	"os"
	"sort"
)

// File is one memory-mapped safetensors file. Tensor data slices point into
// the read-only mapping and are valid until Close. As with any mapping, the
// file must not be truncated while it is open.
type File struct {
	path   string
	header *Header
	data   []byte
	unmap  func() error
}

// Open maps the file at path and validates its header.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close() // the mapping outlives the descriptor
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	h, err := readHeader(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("safetensors: reading %q: %w", path, err)
	}
	data, unmap, err := mapFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("safetensors: mapping %q: %w", path, err)
	}
	return &File{path: path, header: h, data: data, unmap: unmap}, nil
}

// Path returns the path the file was opened from.
func (f *File) Path() string { return f.path }

// Header returns the validated header.
func (f *File) Header() *Header { return f.header }

// Names returns the tensor names in sorted order.
func (f *File) Names() []string {
	names := make([]string, len(f.header.Tensors))
	for i, t := range f.header.Tensors {
		names[i] = t.Name
	}
	return names
}

// Tensor returns the tensor called name with its data.
func (f *File) Tensor(name string) (Tensor, bool) {
	info, ok := f.header.Lookup(name)
	if !ok {
		return Tensor{}, false
	}
	return f.tensor(info), true
}

func (f *File) tensor(info TensorInfo) Tensor {
	lo, hi := f.header.DataStart+info.Begin, f.header.DataStart+info.End
	return Tensor{TensorInfo: info, Data: f.data[lo:hi:hi]}
}

// Close releases the mapping. Tensor data obtained from f must not be used
// afterwards.
func (f *File) Close() error {
	if f.unmap == nil {
		return nil
	}
	err := f.unmap()
	f.unmap, f.data = nil, nil
	if err != nil {
		return fmt.Errorf("safetensors: unmapping %q: %w", f.path, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
