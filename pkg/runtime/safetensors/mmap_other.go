//go:build !unix

package safetensors

import (
	"fmt"
	"io"
	"math"
	"os"
)

// mapFile reads the whole of f into memory (no mmap on this platform).
func mapFile(f *os.File, size int64) ([]byte, func() error, error) {
	if size > math.MaxInt {
		return nil, nil, fmt.Errorf("file of %d bytes is too large for this platform", size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), b); err != nil {
		return nil, nil, err
	}
	return b, func() error { return nil }, nil
}
