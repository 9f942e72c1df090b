package registry

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// weightStats returns the parameter count and parameters per dtype of a
// safetensors file, reading only its header.
func weightStats(path string) (int64, map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, fmt.Errorf("registry: reading safetensors header: %w", err)
	}
	defer f.Close()
	var lenBuf [8]byte
	if _, err := io.ReadFull(f, lenBuf[:]); err != nil {
		return 0, nil, fmt.Errorf("registry: reading safetensors header of %s: %w", path, err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > 100<<20 {
		return 0, nil, fmt.Errorf("registry: safetensors header of %s claims %d bytes", path, n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(f, buf); err != nil {
		return 0, nil, fmt.Errorf("registry: reading safetensors header of %s: %w", path, err)
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(buf, &hdr); err != nil {
		return 0, nil, fmt.Errorf("registry: parsing safetensors header of %s: %w", path, err)
	}
	var total int64
	dtypes := map[string]int64{}
	for name, raw := range hdr {
		if name == "__metadata__" {
			continue
		}
		var t struct {
			DType string  `json:"dtype"`
			Shape []int64 `json:"shape"`
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return 0, nil, fmt.Errorf("registry: safetensors tensor %q in %s: %w", name, path, err)
		}
		count := int64(1)
		for _, d := range t.Shape {
			count *= d
		}
		total += count
		dtypes[t.DType] += count
	}
	return total, dtypes, nil
}
